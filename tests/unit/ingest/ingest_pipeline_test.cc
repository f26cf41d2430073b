// Queueing and batching rules of the ingest pipeline. The store here is a
// scripted stand-in for the ResponseStore interface (the real MariaDB path
// is covered by tests/integration/submit_test.cc).
#include "ingest/ingest_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace survey::ingest {
namespace {

class ScriptedStore : public store::ResponseStore {
 public:
  absl::StatusOr<std::vector<absl::Status>> SubmitBatch(
      std::span<const store::SubmitItem> items, int64_t now_unix) override {
    release_.WaitForNotification();
    absl::MutexLock lock(&mu_);
    batch_sizes_.push_back(items.size());
    last_now_ = now_unix;
    if (fail_) return fail_status_;
    std::vector<absl::Status> out;
    for (const auto& item : items) {
      out.push_back(item.scores.front() == 0 ? absl::AlreadyExistsError("used")
                                             : absl::OkStatus());
    }
    return out;
  }
  void Release() { release_.Notify(); }
  std::vector<size_t> batch_sizes() {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  int64_t last_now() {
    absl::MutexLock lock(&mu_);
    return last_now_;
  }
  void set_fail(bool fail, absl::Status status = absl::UnavailableError("database down")) {
    absl::MutexLock lock(&mu_);
    fail_ = fail;
    fail_status_ = status;
  }

 private:
  absl::Notification release_;
  absl::Mutex mu_;
  std::vector<size_t> batch_sizes_;
  int64_t last_now_ = 0;
  bool fail_ = false;
  absl::Status fail_status_;
};

store::SubmitItem Item(int first_score) {
  store::SubmitItem item{};
  item.scores = {first_score};
  return item;
}

TEST(IngestPipelineTest, BatchesUpToMaxAndCallsEachDoneOnceAfterTheStore) {
  ScriptedStore store;
  PipelineOptions options;
  options.max_batch = 4;
  options.writers = 1;
  options.max_wait = absl::Milliseconds(50);
  std::atomic<int> ok{0}, exists{0}, calls{0};
  {
    IngestPipeline pipeline(&store, options, [] { return int64_t{1234}; });
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(pipeline
                      .Enqueue(Item(i % 5),
                               [&](absl::Status s) {
                                 ++calls;
                                 (s.ok() ? ok : exists)++;
                               })
                      .ok());
    }
    EXPECT_EQ(calls.load(), 0);  // nothing acknowledged before the store ran
    store.Release();
    pipeline.Shutdown();  // drains
  }
  EXPECT_EQ(calls.load(), 10);
  EXPECT_EQ(exists.load(), 2);  // items 0 and 5
  EXPECT_EQ(ok.load(), 8);
  size_t total = 0;
  for (size_t n : store.batch_sizes()) {
    EXPECT_LE(n, 4u);
    total += n;
  }
  EXPECT_EQ(total, 10u);
  EXPECT_GE(store.batch_sizes().size(), 3u);
  EXPECT_EQ(store.last_now(), 1234);  // the injected clock reaches the store
}

TEST(IngestPipelineTest, FullQueueRefusesWithUnavailableAndNeverGrows) {
  ScriptedStore store;  // not released: the writer blocks in its first batch
  PipelineOptions options;
  options.max_batch = 1;
  options.writers = 1;
  options.capacity = 3;
  IngestPipeline pipeline(&store, options, [] { return int64_t{0}; });
  std::atomic<int> done{0};
  auto count = [&](absl::Status) { ++done; };
  ASSERT_TRUE(pipeline.Enqueue(Item(1), count).ok());
  // Wait until the writer took the first item into its (blocked) batch.
  while (pipeline.queued() != 0) std::this_thread::yield();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pipeline.Enqueue(Item(1), count).ok());
  absl::Status full = pipeline.Enqueue(Item(1), count);
  EXPECT_EQ(full.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pipeline.queued(), 3u);
  store.Release();
  pipeline.Shutdown();
  EXPECT_EQ(done.load(), 4);  // the refused one was never called back
  EXPECT_EQ(pipeline.Enqueue(Item(1), count).code(), absl::StatusCode::kUnavailable);
}

TEST(IngestPipelineTest, StoreFailureReachesEveryAnswerOfTheBatch) {
  ScriptedStore store;
  store.set_fail(true);
  store.Release();
  PipelineOptions options;
  options.writers = 2;
  std::atomic<int> unavailable{0};
  {
    IngestPipeline pipeline(&store, options, [] { return int64_t{0}; });
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(pipeline
                      .Enqueue(Item(3),
                               [&](absl::Status s) {
                                 if (s.code() == absl::StatusCode::kUnavailable) {
                                   ++unavailable;
                                 }
                               })
                      .ok());
    }
  }
  EXPECT_EQ(unavailable.load(), 20);
}

TEST(IngestPipelineTest, ABatchFailureIsNeverAVerdictOnAToken) {
  // A duplicate key or a missing template fails the whole batch; the app
  // must not read that as "delivered" or "unknown token".
  for (const absl::Status& failure :
       {absl::AlreadyExistsError("Duplicate entry (error 1062)"),
        absl::NotFoundError("template default v1"),
        absl::FailedPreconditionError("foreign key (error 1452)")}) {
    ScriptedStore store;
    store.set_fail(true, failure);
    store.Release();
    absl::Status seen;
    {
      IngestPipeline pipeline(&store, {}, [] { return int64_t{0}; });
      ASSERT_TRUE(pipeline.Enqueue(Item(3), [&](absl::Status s) { seen = s; }).ok());
    }
    EXPECT_EQ(seen.code(), absl::StatusCode::kInternal) << failure;
  }
}

TEST(IngestPipelineTest, AbandonAnswersEveryQueuedAnswerUnwrittenAndRefusesMore) {
  ScriptedStore store;  // not released: the writer blocks in its first batch
  PipelineOptions options;
  options.max_batch = 1;
  options.writers = 1;
  IngestPipeline pipeline(&store, options, [] { return int64_t{0}; });
  std::atomic<int> shutting_down{0}, other{0};
  auto count = [&](absl::Status s) {
    (s.code() == absl::StatusCode::kUnavailable && s.message() == kShuttingDown
         ? shutting_down
         : other)++;
  };
  ASSERT_TRUE(pipeline.Enqueue(Item(1), count).ok());
  while (pipeline.queued() != 0) std::this_thread::yield();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pipeline.Enqueue(Item(1), count).ok());
  pipeline.Abandon();
  EXPECT_EQ(shutting_down.load(), 5);  // at once, without the store
  EXPECT_EQ(other.load(), 0);
  absl::Status refused = pipeline.Enqueue(Item(1), count);
  EXPECT_EQ(refused.message(), kShuttingDown);
  store.Release();  // the batch in its transaction still finishes
  pipeline.Shutdown();
  EXPECT_EQ(other.load(), 1);
  EXPECT_EQ(store.batch_sizes().size(), 1u);
}

}  // namespace
}  // namespace survey::ingest
