// Proto <-> domain conversions for templates and campaigns. Pure; no
// validation beyond mapping enums (validation is the domain's job).
#ifndef SURVEY_API_CONVERT_SURVEY_H_
#define SURVEY_API_CONVERT_SURVEY_H_

#include <optional>

#include "absl/status/statusor.h"
#include "domain/campaign.h"
#include "domain/form.h"
#include "survey/v1/common.pb.h"

namespace survey::api {

// The proto has no scale fields: the result keeps the domain's 1..10.
// version is copied as given (CreateTemplate ignores it).
domain::Template FromProto(const v1::Template& t);
void ToProto(const domain::Template& t, bool in_use, v1::Template* out);

// Maps kind; id, state and counters are not read (output only), state is
// draft. InvalidArgument "campaign.kind: required" for an unspecified or
// unknown kind.
absl::StatusOr<domain::Campaign> FromProto(const v1::Campaign& c);
// Counters are the caller's to set.
void ToProto(const domain::Campaign& c, v1::Campaign* out);

v1::CampaignKind ToProto(domain::CampaignKind kind);
v1::CampaignState ToProto(domain::CampaignState state);
// nullopt for CAMPAIGN_STATE_UNSPECIFIED and unknown numbers.
std::optional<domain::CampaignState> FromProto(v1::CampaignState state);

}  // namespace survey::api

#endif  // SURVEY_API_CONVERT_SURVEY_H_
