// Holds the database to what the fault suite's app was told, token by
// token: every acknowledged answer stored exactly once with its exact
// scores, no token used without its answer nor an answer without its token
// used, and the campaign's aggregates equal to a recomputation from the
// stored responses (cell counts, per-sub-indicator sums and histograms).
#ifndef SURVEY_TESTS_FAULT_CHECKER_H_
#define SURVEY_TESTS_FAULT_CHECKER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fault/load_client.h"
#include "store/db_url.h"

namespace survey::fault {

struct CheckResult {
  size_t acknowledged = 0;     // OK or ALREADY_EXISTS
  size_t stored = 0;           // planned answers found in the database
  size_t lost = 0;             // acknowledged, not stored
  size_t doubled = 0;          // stored more than once
  size_t wrong_scores = 0;     // stored with other scores than sent
  size_t used_without_answer = 0;
  size_t answer_without_used = 0;
  size_t stored_unacknowledged = 0;  // the app gave up; allowed, reported
  size_t foreign_rows = 0;     // responses that no planned answer explains
  size_t aggregate_mismatches = 0;
  std::vector<std::string> problems;  // the first few, for the test log

  // Zero lost, doubled, wrong, mismatched or foreign.
  bool Sound() const;
  std::string Summary() const;
};

absl::StatusOr<CheckResult> Check(const store::DbConfig& db,
                                  const std::string& pepper,
                                  const std::string& campaign_id,
                                  const std::vector<PlannedAnswer>& plan,
                                  const LoadReport& report);

}  // namespace survey::fault

#endif  // SURVEY_TESTS_FAULT_CHECKER_H_
