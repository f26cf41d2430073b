// The metrics endpoint: GET /metrics on its own HTTP listener
// (--metrics-listen), never on the gRPC port, so that it can stay on
// loopback or a management network while the service port is public.
// One worker thread: scrapes are rare and small.
#ifndef SURVEY_METRICS_LISTENER_H_
#define SURVEY_METRICS_LISTENER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace survey::metrics {

class MetricsListener {
 public:
  // `listen` is host:port ([v6]:port; port 0 = any free one). `render`
  // returns the exposition for each scrape. Internal if it cannot bind.
  static absl::StatusOr<std::unique_ptr<MetricsListener>> Start(
      const std::string& listen, std::function<std::string()> render);
  ~MetricsListener();  // stops and joins

  int port() const { return port_; }

 private:
  MetricsListener() = default;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace survey::metrics

#endif  // SURVEY_METRICS_LISTENER_H_
