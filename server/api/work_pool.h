// A fixed set of threads for callback-API handlers whose work blocks (SQL):
// the handler hands the work here and returns, so gRPC's callback threads
// never block. Bounded: when full, Submit returns false and the caller
// answers UNAVAILABLE instead of queueing without limit. Thread-safe.
#ifndef SURVEY_API_WORK_POOL_H_
#define SURVEY_API_WORK_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace survey::api {

class WorkPool {
 public:
  WorkPool(int threads, size_t capacity);
  ~WorkPool();  // runs what is queued, then joins

  // False if the pool is full or stopping (`work` is then not run).
  bool Submit(std::function<void()> work);

 private:
  void Loop();
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace survey::api

#endif  // SURVEY_API_WORK_POOL_H_
