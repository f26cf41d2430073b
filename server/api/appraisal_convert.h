// AppraisalService encoding: PeriodConfig <-> AppraisalConfig and its stored
// JSON, sheet lines proto <-> store, provenance JSON, and a sheet's output
// (scores, coefficient, flags) computed with domain/appraisal/sheet.h.
#ifndef SURVEY_API_APPRAISAL_CONVERT_H_
#define SURVEY_API_APPRAISAL_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/auth.h"
#include "domain/appraisal/config.h"
#include "domain/appraisal/satisfaction.h"
#include "domain/org.h"
#include "store/appraisal_store.h"
#include "survey/v1/appraisal.pb.h"

namespace survey::api {

// The defaults of domain/appraisal/config.h as a PeriodConfig.
v1::PeriodConfig DefaultPeriodConfig();
// InvalidArgument naming the field (ValidateConfig, PayCaps::FromYuan).
absl::StatusOr<domain::appraisal::AppraisalConfig> ToAppraisalConfig(
    const v1::PeriodConfig& c);
// Deterministic JSON (fields in a fixed order, caps sorted); period left out.
std::string PeriodConfigJson(const v1::PeriodConfig& c);
absl::StatusOr<v1::PeriodConfig> PeriodConfigFromJson(const std::string& json);

// The satisfaction line's provenance as stored (deterministic) and as sent.
std::string ProvenanceJson(const domain::appraisal::SatisfactionResult& r,
                           int k, int max_window);
void ProvenanceFromJson(const std::string& json, v1::Provenance* out);

// A request line, validated (`field` names it in errors: "lines[2]").
absl::StatusOr<store::StoredLine> LineFromProto(const v1::SheetLine& l,
                                                const std::string& field);

// The sheet as the API sends it, scored under `config` for `post`.
void EncodeSheet(const store::StoredSheet& s, domain::PostType post,
                 const domain::appraisal::AppraisalConfig& config,
                 v1::Sheet* out);
// The domain input of ScoreSheet.
domain::appraisal::SheetInput ToSheetInput(const store::StoredSheet& s,
                                           domain::PostType post);

// A sheet's score and coefficient as they count: the score an accepted
// appeal fixed, else the lines' score; unset while not scorable.
struct SheetFigures {
  std::optional<double> score;
  double max_score = 100;
  std::optional<int64_t> coefficient_bp;
};
SheetFigures FiguresOf(const store::StoredSheet& s, domain::PostType post,
                       const domain::appraisal::AppraisalConfig& config);

// "period: ..." InvalidArgument for a bad "YYYY-MM" (`field` names it).
absl::StatusOr<domain::Period> ParsePeriodField(std::string_view field,
                                                const std::string& text);
// A year "YYYY" within the Period bounds.
absl::StatusOr<int> ParseYearField(std::string_view field, const std::string& text);
// HR or admin.
bool IsHr(const Principal& p);
// The department a staff listing covers: `requested` for HR (empty = all),
// the own department for a manager (PermissionDenied for another one);
// PermissionDenied for an employee. InvalidArgument for a malformed code.
absl::StatusOr<std::string> StaffListScope(const Principal& p, const std::string& requested);

v1::SheetState StateToProto(domain::appraisal::SheetState s);
absl::StatusOr<domain::appraisal::SheetState> StateFromProto(v1::SheetState s);

}  // namespace survey::api

#endif  // SURVEY_API_APPRAISAL_CONVERT_H_
