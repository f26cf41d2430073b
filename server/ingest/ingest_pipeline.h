// The submit pipeline: answers that passed the pure checks wait in a
// bounded queue; writer threads take up to `max_batch` of them (or what
// is there once the oldest has waited `max_wait`) and record them with one
// ResponseStore::SubmitBatch, i.e. one transaction and one fsync for many
// answers. Group commit is what makes Submit fast and what mixes answers
// (they are inserted shuffled), so it is the design, not an optimisation.
//
// One writer at a time collects a batch; the others wait for it to leave
// with its batch. The batch closes on the age of its oldest answer, not on
// when a writer began to wait, so batch sizes follow the load and not the
// number of writers; and past its max_wait a batch that is not full waits
// a little longer while `busy_writers` transactions are in flight. Before,
// every idle writer started a batch 2 ms after the next answer, so eight
// writers cut the load into more, smaller transactions than four, each
// paying its statements and commit on two cores, and were slower (issue
// 13). Under load the queue fills while the writers commit, and the next
// free one takes a full batch at once.
//
// Each answer's callback runs exactly once, on a writer thread, after the
// batch's COMMIT (or its failure) — never before, so OK means durable —
// or, for an answer still queued when Abandon() is called, with
// Unavailable(kShuttingDown) and nothing written.
//
// Thread-safe.
#ifndef SURVEY_INGEST_INGEST_PIPELINE_H_
#define SURVEY_INGEST_INGEST_PIPELINE_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/response_store.h"

namespace survey::ingest {

struct PipelineOptions {
  int max_batch = 100;  // answers per transaction (1 = one per answer)
  absl::Duration max_wait = absl::Milliseconds(2);
  int writers = 4;       // concurrent transactions, at most
  // Past max_wait, a batch that is not full still waits (up to 10 x
  // max_wait) while this many transactions are already in flight: they keep
  // the database busy, and the batch grows instead of adding one more small
  // transaction. Full batches always go.
  int busy_writers = 2;
  int capacity = 20000;  // queued answers before Enqueue refuses
};

// The message of Enqueue's refusal once the pipeline stops.
inline constexpr char kShuttingDown[] = "server is shutting down";

// Returns the current unix time in seconds (injected so tests can expire
// tokens without waiting).
using Clock = std::function<int64_t()>;

class IngestPipeline {
 public:
  using Done = std::function<void(absl::Status)>;

  // `store` must outlive the pipeline. Starts the writer threads.
  IngestPipeline(store::ResponseStore* store, PipelineOptions options,
                 Clock clock);
  ~IngestPipeline();  // Shutdown()

  // Queues one answer. Returns OK and later calls `done` with the answer's
  // outcome: the per-answer status of ResponseStore::SubmitBatch, or, if
  // the whole batch failed, Unavailable or Aborted (retryable; the outcome
  // of an in-doubt COMMIT is unknown) or Internal for anything else — a
  // batch failure never says NotFound/AlreadyExists/FailedPrecondition,
  // which are verdicts about one token. Returns Unavailable at once,
  // without calling `done`, when the queue is full or the pipeline stops
  // (message kShuttingDown): the token is untouched.
  absl::Status Enqueue(store::SubmitItem item, Done done);

  // Shutdown's last step when time is up: stops accepting and calls every
  // queued answer's `done` with Unavailable(kShuttingDown) without writing
  // it. Batches already in a transaction finish (or hang) on their own.
  void Abandon();

  // Stops accepting, records everything still queued, joins the writers.
  // Idempotent.
  void Shutdown();

  size_t queued() const;

 private:
  struct Pending {
    store::SubmitItem item;
    Done done;
    absl::Time queued_at;
  };
  void WriterLoop();

  store::ResponseStore* store_;
  const PipelineOptions options_;
  Clock clock_;
  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool collecting_ ABSL_GUARDED_BY(mu_) = false;  // a writer is filling a batch
  int committing_ ABSL_GUARDED_BY(mu_) = 0;       // batches in a transaction
  std::vector<std::thread> writers_;
};

}  // namespace survey::ingest

#endif  // SURVEY_INGEST_INGEST_PIPELINE_H_
