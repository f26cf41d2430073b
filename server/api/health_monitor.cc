#include "api/health_monitor.h"

#include <spdlog/spdlog.h>

#include "metrics/server_metrics.h"

namespace survey::api {

HealthMonitor::HealthMonitor(std::unique_ptr<store::DatabaseProbe> probe,
                             absl::Duration interval,
                             std::function<void(bool)> set_serving)
    : probe_(std::move(probe)),
      interval_(interval),
      set_serving_(std::move(set_serving)) {
  thread_ = std::thread([this] { Run(); });
}

HealthMonitor::~HealthMonitor() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void HealthMonitor::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

bool HealthMonitor::WaitStopped(absl::Time deadline) {
  return stopped_.WaitForNotificationWithDeadline(deadline);
}

bool HealthMonitor::serving() const {
  absl::MutexLock lock(&mu_);
  return serving_;
}

void HealthMonitor::Run() {
  bool first = true;
  while (true) {
    absl::Status status = probe_->Ping();
    bool up = status.ok();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      if (up != serving_ || first) {
        serving_ = up;
        if (up) {
          spdlog::info("database reachable: SERVING");
        } else {
          spdlog::warn("database unreachable: NOT_SERVING ({})",
                       std::string(status.message()));
        }
        metrics::Server().health_serving.Set(up ? 1 : 0);
        set_serving_(up);
      }
      first = false;
      // Wakes early when Stop() is called.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
      if (stopping_) break;
    }
  }
  metrics::Server().health_serving.Set(0);
  set_serving_(false);
  stopped_.Notify();
}

}  // namespace survey::api
