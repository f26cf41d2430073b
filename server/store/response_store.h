// Storage of answers: one batch of validated answers recorded in one
// transaction (DESIGN §3), and recomputation for verification.
#ifndef SURVEY_STORE_RESPONSE_STORE_H_
#define SURVEY_STORE_RESPONSE_STORE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/form.h"

namespace survey::store {

// One answer that passed the template-free checks, waiting for its batch.
struct SubmitItem {
  std::array<uint8_t, 32> token_hmac;
  std::vector<int> scores;
  std::vector<std::string> reasons;
  std::string comment;
};

// Returns the template version an answer's campaign uses (immutable, so it
// may be cached), or the error that loading it gave.
using TemplateResolver =
    std::function<absl::StatusOr<std::shared_ptr<const domain::Template>>(
        const std::string& key, int version)>;

// Thread-safe.
class ResponseStore {
 public:
  virtual ~ResponseStore() = default;

  // Records `items` in one transaction: locks their invitations, decides
  // each item on its own, marks the accepted tokens used, inserts the
  // accepted answers in shuffled order with random ids. It touches no row
  // another answer touches (no shared counter: a campaign's figures are
  // built when it closes, see CampaignStore::Transition), so concurrent
  // batches never wait on each other. Per item the result is:
  //   OK                   accepted (durable once this returns)
  //   NotFound             unknown token
  //   AlreadyExists        token already used (also a duplicate within the
  //                        batch, and the outcome of a rerun after an
  //                        in-doubt commit that did commit)
  //   FailedPrecondition   revoked, expired (expires_at <= now_unix), or the
  //                        campaign is not open
  //   InvalidArgument      the scores do not fit the campaign's template
  //                        (the token stays usable)
  // The whole call fails (and nothing is written) with Unavailable when the
  // database stays unreachable, or Internal when secure randomness fails.
  virtual absl::StatusOr<std::vector<absl::Status>> SubmitBatch(
      std::span<const SubmitItem> items, int64_t now_unix) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_RESPONSE_STORE_H_
