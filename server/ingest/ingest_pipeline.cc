#include "ingest/ingest_pipeline.h"

#include <algorithm>

#include "metrics/server_metrics.h"

namespace survey::ingest {

IngestPipeline::IngestPipeline(store::ResponseStore* store,
                               PipelineOptions options, Clock clock)
    : store_(store), options_(options), clock_(std::move(clock)) {
  for (int i = 0; i < std::max(1, options_.writers); ++i) {
    writers_.emplace_back([this] { WriterLoop(); });
  }
}

IngestPipeline::~IngestPipeline() { Shutdown(); }

absl::Status IngestPipeline::Enqueue(store::SubmitItem item, Done done) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError(kShuttingDown);
  if (queue_.size() >= static_cast<size_t>(options_.capacity)) {
    metrics::Server().ingest_queue_full.Add();
    return absl::UnavailableError("server busy; retry in a moment");
  }
  queue_.push_back({std::move(item), std::move(done), absl::Now()});
  metrics::Server().ingest_queue_depth.Add(1);
  return absl::OkStatus();
}

size_t IngestPipeline::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void IngestPipeline::Abandon() {
  std::deque<Pending> dropped;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    dropped.swap(queue_);
    metrics::Server().ingest_queue_depth.Add(-static_cast<int64_t>(dropped.size()));
  }
  for (Pending& p : dropped) p.done(absl::UnavailableError(kShuttingDown));
}

void IngestPipeline::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && writers_.empty()) return;
    stopping_ = true;
  }
  for (std::thread& t : writers_) {
    if (t.joinable()) t.join();
  }
  writers_.clear();
}

void IngestPipeline::WriterLoop() {
  const size_t max_batch = std::max(1, options_.max_batch);
  while (true) {
    std::vector<Pending> batch;
    {
      absl::MutexLock lock(&mu_);
      // Our turn to collect: work and no other collector (or, stopping,
      // nothing left to do).
      auto ready = [this] {
        return (!queue_.empty() && !collecting_) || (stopping_ && queue_.empty());
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      collecting_ = true;
      // Wait briefly for the batch to fill: the oldest answer waits at most
      // max_wait in all, which is what buys one fsync for many answers.
      auto full = [this, max_batch] {
        return queue_.size() >= max_batch || stopping_;
      };
      const absl::Time oldest = queue_.front().queued_at;
      mu_.AwaitWithDeadline(absl::Condition(&full), oldest + options_.max_wait);
      auto go = [this, &full] { return full() || committing_ < options_.busy_writers; };
      mu_.AwaitWithDeadline(absl::Condition(&go), oldest + 10 * options_.max_wait);
      size_t n = std::min(max_batch, queue_.size());
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      collecting_ = false;
      if (n > 0) ++committing_;
      metrics::Server().ingest_queue_depth.Add(-static_cast<int64_t>(n));
    }
    if (batch.empty()) continue;  // dropped by Abandon() meanwhile
    std::vector<store::SubmitItem> items;
    items.reserve(batch.size());
    for (Pending& p : batch) items.push_back(std::move(p.item));
    const absl::Time started = absl::Now();
    absl::StatusOr<std::vector<absl::Status>> results =
        store_->SubmitBatch(items, clock_());
    {
      absl::MutexLock lock(&mu_);
      --committing_;
    }
    metrics::Server().ingest_batch_size.Observe(static_cast<double>(items.size()));
    metrics::Server().ingest_commit_seconds.Observe(
        absl::ToDoubleSeconds(absl::Now() - started));
    absl::Status failed = results.status();
    // A failed batch says nothing about any one token: a NotFound (say, a
    // template) or an AlreadyExists (an SQL duplicate key) would tell the
    // app "unknown token" or "delivered". Only the retryable codes pass.
    if (!failed.ok() && !absl::IsUnavailable(failed) && !absl::IsAborted(failed)) {
      failed = absl::InternalError(failed.ToString());
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].done(results.ok() ? (*results)[i] : failed);
    }
  }
}

}  // namespace survey::ingest
