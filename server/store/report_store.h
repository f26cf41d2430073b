// What reports read: campaigns of a period range, per-campaign aggregates,
// issued-invitation counts, free texts, response rows and each campaign's
// frozen membership. Read-only; the
// disclosure rules are applied by the caller (domain/disclosure.h), never
// here, so nothing this returns may reach a client unfiltered.
#ifndef SURVEY_STORE_REPORT_STORE_H_
#define SURVEY_STORE_REPORT_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/campaign.h"
#include "domain/period.h"
#include "domain/scoring.h"

namespace survey::store {

struct CampaignInfo {
  std::string id;
  domain::CampaignKind kind = domain::CampaignKind::kCustomerSatisfaction;
  domain::Period period;
  std::string template_key;
  int template_version = 0;
  int k = 5;
  int comment_k = 10;
  domain::CampaignState state = domain::CampaignState::kDraft;
  // Its answers were removed under retention (domain/retention.h): the
  // figures stay; comments and the analyst export are gone.
  bool responses_removed = false;
};

// Which cells to read: campaigns, one subject kind, and optionally only
// some subjects (empty = all).
struct CellFilter {
  std::vector<std::string> campaign_ids;
  domain::SubjectKind subject_kind = domain::SubjectKind::kEmployee;
  std::vector<std::string> subject_codes;
  // False: totals only (n, sums of totals), no per-sub-indicator rows; the
  // organisation ranking needs no more and reads a ninth of the rows.
  bool with_sub_indicators = true;
};

// One stored aggregate. The sub-indicator vectors are sized by the rows
// found (callers check the shape against the campaign's template).
struct AggregateRow {
  std::string campaign_id;
  std::string subject_code;
  std::string group_code;
  domain::Aggregate aggregate;
};

// Invitations of a cell that can still count: issued minus revoked.
struct IssuedRow {
  std::string campaign_id;
  std::string subject_code;
  std::string group_code;
  int64_t issued = 0;
};

// Free text of one response: the comment and the non-empty reasons.
struct TextRow {
  std::string campaign_id;
  std::string subject_code;
  std::vector<std::string> texts;
};

// Who belonged to which department for a customer-satisfaction campaign:
// its frozen membership (store/mysql/membership.h), which reports group
// employees by instead of the live organisation.
struct MemberRow {
  std::string campaign_id;
  std::string employee_no;
  std::string department_code;
};

// Which members to read: campaigns, and optionally only some departments
// or employees (empty = all).
struct MemberFilter {
  std::vector<std::string> campaign_ids;
  std::vector<std::string> department_codes;
  std::vector<std::string> employee_nos;
};

// One stored response, as the analyst export and Verify read it.
struct ResponseRow {
  std::string campaign_id;
  domain::SubjectKind subject_kind = domain::SubjectKind::kEmployee;
  std::string subject_code;
  std::string group_code;
  std::string period;
  std::vector<int> scores;
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // Campaigns of `kind` whose period lies in first..last, except drafts.
  virtual absl::StatusOr<std::vector<CampaignInfo>> Campaigns(
      domain::CampaignKind kind, domain::Period first, domain::Period last) = 0;
  // Every campaign (Verify), or the one named (NotFound if unknown).
  virtual absl::StatusOr<std::vector<CampaignInfo>> CampaignsById(
      const std::string& id_or_empty) = 0;
  // A closed campaign reads as open until its figures are built.

  // Aggregates of closed campaigns; of open ones, counts only (n, no sums:
  // figures are built at close, store/mysql/campaign_figures.h).
  virtual absl::StatusOr<std::vector<AggregateRow>> Aggregates(
      const CellFilter& filter) = 0;
  virtual absl::StatusOr<std::vector<IssuedRow>> Issued(const CellFilter& filter) = 0;
  virtual absl::StatusOr<std::vector<TextRow>> Texts(const CellFilter& filter) = 0;
  // Ordered by campaign, department, employee.
  virtual absl::StatusOr<std::vector<MemberRow>> Members(const MemberFilter& filter) = 0;

  // Calls `row` for every response of `campaign_id` in primary-key order
  // (random ids, so no submission order), `page` rows per query: memory
  // stays bounded whatever the campaign's size. Stops at the first non-OK
  // status of `row` and returns it.
  virtual absl::Status ForEachResponse(
      const std::string& campaign_id, int page,
      const std::function<absl::Status(const ResponseRow&)>& row) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_REPORT_STORE_H_
