// Keeps the grpc.health.v1 status in step with the database: NOT_SERVING
// while it is unreachable, SERVING when it answers again, NOT_SERVING for
// good once shutdown starts.
#ifndef SURVEY_API_HEALTH_MONITOR_H_
#define SURVEY_API_HEALTH_MONITOR_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "store/database.h"

namespace survey::api {

class HealthMonitor {
 public:
  // `set_serving` is called from the monitor's thread on every change.
  HealthMonitor(std::unique_ptr<store::DatabaseProbe> probe,
                absl::Duration interval,
                std::function<void(bool serving)> set_serving);
  ~HealthMonitor();  // stops the thread

  // Stops probing and reports NOT_SERVING; idempotent.
  void Stop();
  // After Stop(): true once the probe in progress (up to its 2 s timeouts
  // on a hung database) has returned, false if `deadline` came first.
  bool WaitStopped(absl::Time deadline);
  bool serving() const;

 private:
  void Run();

  std::unique_ptr<store::DatabaseProbe> probe_;
  const absl::Duration interval_;
  std::function<void(bool)> set_serving_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stopped_;
  std::thread thread_;
};

}  // namespace survey::api

#endif  // SURVEY_API_HEALTH_MONITOR_H_
