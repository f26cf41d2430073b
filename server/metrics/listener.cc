#include "metrics/listener.h"

#include <httplib.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace survey::metrics {

absl::StatusOr<std::unique_ptr<MetricsListener>> MetricsListener::Start(
    const std::string& listen, std::function<std::string()> render) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics-listen: expected host:port, got \"", listen, "\""));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  std::unique_ptr<MetricsListener> l(new MetricsListener());
  l->http_ = std::make_unique<httplib::Server>();
  l->http_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  l->http_->set_read_timeout(5, 0);
  l->http_->set_write_timeout(5, 0);
  l->http_->Get("/metrics", [render = std::move(render)](
                                const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (port == 0) {
    l->port_ = l->http_->bind_to_any_port(host);
  } else if (l->http_->bind_to_port(host, port)) {
    l->port_ = port;
  }
  if (l->port_ <= 0) {
    return absl::InternalError(
        absl::StrCat("--metrics-listen: cannot listen on ", listen));
  }
  l->thread_ = std::thread([http = l->http_.get()] { http->listen_after_bind(); });
  // httplib's stop() does nothing before the loop runs; wait for it so that
  // the destructor always ends it (at most 2 s: it starts at once).
  for (int i = 0; i < 2000 && !l->http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return l;
}

MetricsListener::~MetricsListener() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace survey::metrics
