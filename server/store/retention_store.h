// Removing the answers of campaigns past retention (domain/retention.h).
// One real implementation: store/mysql/retention_store.h.
#ifndef SURVEY_STORE_RETENTION_STORE_H_
#define SURVEY_STORE_RETENTION_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/campaign.h"
#include "domain/period.h"
#include "store/audit_store.h"

namespace survey::store {

// A closed campaign whose figures are built: the only kind whose answers
// may ever be removed.
struct ClosedCampaign {
  std::string id;
  domain::CampaignKind kind = domain::CampaignKind::kCustomerSatisfaction;
  domain::Period period;
  int64_t responses_removed_at = 0;  // 0 = answers kept
  bool removal_done = false;         // rows deleted and the files rewritten
  int64_t responses = 0;             // rows still stored
};

// Thread-safe.
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // Every closed campaign with built figures, by period then id.
  virtual absl::StatusOr<std::vector<ClosedCampaign>> ClosedCampaigns() = 0;

  // Removes every response row of closed campaign `id`: first, in one
  // transaction, marks it (responses_removed_at = `now_unix` unless already
  // set) and records "retention.remove", target "campaign:<id>", with the
  // period, kind and rows about to go; then deletes the rows in chunks of
  // their own transactions, so a million answers do not make one huge
  // undo log; then rebuilds the response table and replaces the redo log,
  // so the removed text is gone from the datadir and not only from queries
  // (as a close does), and marks the removal done. Returns the rows deleted
  // by this call. Repeating it (after a crash half-way) finishes the
  // removal and records nothing new; once done, it returns 0 at once.
  // FailedPrecondition if the campaign is not closed with built figures;
  // NotFound if unknown; Unavailable if the database is.
  virtual absl::StatusOr<int64_t> RemoveResponses(const std::string& id,
                                                  int64_t now_unix,
                                                  const ChangeAudit& audit) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_RETENTION_STORE_H_
