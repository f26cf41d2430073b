// Campaigns (DOMAIN.md §7: one template issued for one period to a set of
// subjects), their life cycle, and the cross-evaluation matrix (§2, the
// "客户评价表"). Pure; no I/O.
#ifndef SURVEY_DOMAIN_CAMPAIGN_H_
#define SURVEY_DOMAIN_CAMPAIGN_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/form.h"
#include "domain/org.h"

namespace survey::domain {

enum class CampaignKind { kCustomerSatisfaction, kCrossEvaluation };
enum class CampaignState { kDraft, kOpen, kClosed };
// Who an invitation rates.
enum class SubjectKind { kEmployee, kDepartment };
enum class InvitationState { kUnused, kUsed, kRevoked };

// The words below are the database ENUM values: never change them. Parsing
// is exact (lower case, no spaces); it returns InvalidArgument listing the
// accepted words.
//   CampaignKind:    "customer_satisfaction" | "cross_evaluation"
//   CampaignState:   "draft" | "open" | "closed"
//   SubjectKind:     "employee" | "department"
//   InvitationState: "unused" | "used" | "revoked"
absl::StatusOr<CampaignKind> ParseCampaignKind(std::string_view word);
absl::StatusOr<CampaignState> ParseCampaignState(std::string_view word);
absl::StatusOr<SubjectKind> ParseSubjectKind(std::string_view word);
absl::StatusOr<InvitationState> ParseInvitationState(std::string_view word);
std::string_view CampaignKindName(CampaignKind kind);
std::string_view CampaignStateName(CampaignState state);
std::string_view SubjectKindName(SubjectKind kind);
std::string_view InvitationStateName(InvitationState state);

inline constexpr int kMinAnonymityK = 3;
inline constexpr int kDefaultAnonymityK = 5;
inline constexpr int kDefaultCommentK = 10;

struct Campaign {
  std::string id;  // 32 lower-case hex characters (random 128 bits)
  CampaignKind kind = CampaignKind::kCustomerSatisfaction;
  std::string period;  // "YYYY-MM"
  std::string template_key;
  // On creation 0 means "the latest version", resolved by the store; a
  // stored campaign always names a version >= 1.
  int template_version = 0;
  LocalizedText title;
  int anonymity_k = kDefaultAnonymityK;  // minimum group size of any figure
  int comment_k = kDefaultCommentK;      // minimum group size of comments
  CampaignState state = CampaignState::kDraft;
};

// Checks a campaign HR wants to create (id is not checked: the server
// assigns it). Returns OK, or InvalidArgument naming the first offending
// field under "campaign.", e.g. "campaign.anonymity_k: must be at least 3":
//  - period: as Period::Parse;
//  - template_key: [a-z0-9_.]{1,64}; template_version >= 0;
//  - title.zh / title.en: valid UTF-8, no control characters, at most 200
//    code points each; may be empty;
//  - anonymity_k >= kMinAnonymityK; comment_k >= anonymity_k (comments are
//    more identifying than numbers, so never a smaller group);
//  - state == kDraft.
absl::Status ValidateNewCampaign(const Campaign& c);

// The life cycle: draft -> open -> closed. Returns `to` for draft->open and
// open->closed, and for from == to (repeating a transition is idempotent).
// Anything else returns FailedPrecondition giving the reason, e.g.
// "campaign is closed; a closed campaign cannot be reopened".
absl::StatusOr<CampaignState> Transition(CampaignState from, CampaignState to);

// One cross-evaluation invitation: `recipient_employee_no`, a member of
// the evaluating department, rates `rated_department` on its behalf. The
// recipient is returned to HR to deliver the token and is never stored.
struct MatrixEntry {
  std::string evaluating_department;
  std::string rated_department;
  std::string recipient_employee_no;

  bool operator==(const MatrixEntry&) const = default;
};

// (evaluating department code, rated department code).
using DepartmentPair = std::pair<std::string, std::string>;

// Checks explicit pairs against the organisation. Returns OK, or
// InvalidArgument naming the first bad pair as
//   "pairs[i].evaluating_department_code: unknown department \"X\""
//   "pairs[i].rated_department_code: department \"X\" is inactive"
//   "pairs[i]: a department cannot rate itself"
//   "pairs[i]: repeats pairs[j]"
absl::Status ValidatePairs(const std::vector<Department>& departments,
                           const std::vector<DepartmentPair>& pairs);

// Returns the invitations of a cross-evaluation: for each pair, one entry
// per active employee of the evaluating department. Empty `pairs` means
// every ordered pair of distinct active departments. Entries come pair by
// pair (explicit pairs in the given order; all pairs ordered by evaluating
// then rated code), members ordered by employee number. Pairs naming an
// unknown or inactive department contribute nothing.
// REQUIRES: ValidatePairs(departments, pairs).ok() for a meaningful result.
std::vector<MatrixEntry> CrossEvaluationMatrix(
    const std::vector<Department>& departments,
    const std::vector<Employee>& employees,
    const std::vector<DepartmentPair>& pairs);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_CAMPAIGN_H_
