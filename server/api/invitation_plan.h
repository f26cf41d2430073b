// What IssueInvitations will issue, decided before any token exists: the
// request is checked against the organisation and turned into a list of
// planned invitations. Helpers of admin_survey.cc; no gRPC calls here.
#ifndef SURVEY_API_INVITATION_PLAN_H_
#define SURVEY_API_INVITATION_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/campaign.h"
#include "domain/org.h"
#include "store/org_store.h"
#include "survey/v1/admin.pb.h"

namespace survey::api {

// Per IssueInvitations or RevokeInvitations call.
inline constexpr int kMaxInvitationsPerCall = 100000;

// One invitation about to be issued, with what the caller gets back.
struct Planned {
  domain::SubjectKind kind = domain::SubjectKind::kEmployee;
  std::string subject_code;
  std::string subject_name;
  std::string subject_department;  // of an employee subject
  std::string group_code;          // evaluating department
  std::string recipient;           // returned to the caller, never stored
  int event_index = 0;             // customer satisfaction: index in events
};

// The whole organisation, inactive records included (so that messages can
// tell "unknown" from "inactive").
struct Org {
  std::vector<domain::Department> departments;
  std::vector<domain::Employee> employees;
};

// Reads every department and employee (paging through employees).
absl::StatusOr<Org> LoadOrg(store::OrgStore& org);

// Customer satisfaction: one invitation per event, in event order. Checks
// every event first and returns InvalidArgument listing each bad one as
// "events[i].subject_employee_no: why" (unknown, inactive, missing; at most
// 20 lines). InvalidArgument too if `pairs` is set or `events` is empty or
// has more than kMaxInvitationsPerCall entries.
absl::StatusOr<std::vector<Planned>> PlanCustomer(
    const v1::IssueInvitationsRequest& req, const Org& org);

// Cross-evaluation: the domain's matrix over the active organisation.
// InvalidArgument if `events` is set, a pair is bad (domain::ValidatePairs)
// or the matrix exceeds kMaxInvitationsPerCall; FailedPrecondition if it
// is empty.
absl::StatusOr<std::vector<Planned>> PlanCrossEvaluation(
    const v1::IssueInvitationsRequest& req, const Org& org);

// The expiry in unix seconds: `requested`, or now + 30 days when 0.
// InvalidArgument "expires_at_unix: ..." unless now < requested <=
// now + 180 days.
absl::StatusOr<int64_t> ResolveExpiry(int64_t requested, int64_t now);

// `link_base`, or "survey://answer?t=" when empty; an http(s) base without
// a '#' gets one, so the token lands in the fragment ("https://HOST/a/#T"). InvalidArgument if it is
// longer than 1000 bytes, not UTF-8 or has control characters.
absl::StatusOr<std::string> ResolveLinkBase(const std::string& link_base);

// The streamed message for one planned invitation.
void FillIssued(const Planned& p, const std::string& token,
                const std::string& link_base, int64_t expires_at,
                v1::IssuedInvitation* out);

}  // namespace survey::api

#endif  // SURVEY_API_INVITATION_PLAN_H_
