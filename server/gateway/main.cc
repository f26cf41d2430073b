// survey-gateway: flags -> gateway (gateway/gateway.h). SIGTERM or SIGINT
// stops it (exit 0). Wiring only.
//
// Why a binary of its own and not a second listener of survey-server: it
// holds no database connection, no pepper and no staff credentials, so the
// process exposed to the open web has nothing to leak but the app; it
// restarts, scales and upgrades apart from the server (whose drain and
// shutdown it never delays); and it adds HTTP/1.1 parsing (cpp-httplib) to
// a process that has none of the server's secrets.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "config/config_file.h"
#include "gateway/gateway.h"
#include "grpc/health/v1/health.pb.h"
#include "survey/v1/account.pb.h"
#include "survey/v1/admin.pb.h"
#include "survey/v1/appraisal.pb.h"
#include "survey/v1/report.pb.h"
#include "survey/v1/respond.pb.h"

namespace {

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "survey-gateway: cannot read " << path << "\n";
    std::exit(1);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

int main(int argc, char** argv) {
  // The generated descriptors must be linked in to be found by name.
  (void)survey::v1::Survey::descriptor();
  (void)survey::v1::IssueInvitationsRequest::descriptor();
  (void)survey::v1::Campaign::descriptor();
  (void)survey::v1::SignInRequest::descriptor();
  (void)survey::v1::ListSheetsRequest::descriptor();

  survey::gateway::GatewayOptions options;
  std::string listen = "127.0.0.1:8080";
  std::string upstream = "127.0.0.1:50051";
  std::string upstream_ca, log_level = "info";
  std::vector<std::string> trusted, services;
  double timeout_seconds = 15;
  double stream_timeout_seconds = 600;
  bool no_hsts = false;

  CLI::App app{"Survey & Satisfaction browser gateway (Connect protocol -> gRPC)"};
  app.add_option("--listen", listen, "host:port for browsers (port 0: any)")
      ->envname("SURVEY_GATEWAY_LISTEN")->capture_default_str();
  app.add_option("--upstream", upstream, "survey-server host:port")
      ->envname("SURVEY_GATEWAY_UPSTREAM")->capture_default_str();
  app.add_option("--upstream-tls-ca", upstream_ca,
                 "CA of survey-server's certificate (default: plaintext, for a "
                 "server on the same host)")->envname("SURVEY_GATEWAY_UPSTREAM_TLS_CA");
  app.add_option("--web-root", options.web_root, "built web app (clients/web dist)")
      ->envname("SURVEY_GATEWAY_WEB_ROOT");
  app.add_flag("--console", options.console,
               "also serve the staff console under /c/ and expose AccountService, "
               "AdminService, ReportService and AppraisalService (session cookie, "
               "CSRF header required)")
      ->envname("SURVEY_GATEWAY_CONSOLE");
  app.add_option("--console-root", options.console_root,
                 "the built console (index.html, console.js, console.css; default "
                 "WEB_ROOT/console)")
      ->envname("SURVEY_GATEWAY_CONSOLE_ROOT");
  app.add_option("--trusted-proxy", trusted,
                 "address or network of a reverse proxy whose X-Forwarded-For is "
                 "believed (repeatable; default none)")
      ->envname("SURVEY_GATEWAY_TRUSTED_PROXY");
  app.add_option("--service", services,
                 "service to expose (repeatable; default survey.v1.RespondService)")
      ->envname("SURVEY_GATEWAY_SERVICE");
  app.add_option("--tls-cert", options.tls_cert_file, "serve HTTPS with this certificate")
      ->envname("SURVEY_GATEWAY_TLS_CERT");
  app.add_option("--tls-key", options.tls_key_file, "its private key")
      ->envname("SURVEY_GATEWAY_TLS_KEY");
  app.add_flag("--hsts", options.hsts,
               "send Strict-Transport-Security (implied by --tls-cert; set it "
               "behind a TLS proxy)")
      ->envname("SURVEY_GATEWAY_HSTS");
  app.add_flag("--no-hsts", no_hsts,
               "no Strict-Transport-Security under --tls-cert: for a host that also "
               "serves plain HTTP on another port (the quick start), which HSTS "
               "would turn into https:// in every browser trusting the certificate")
      ->envname("SURVEY_GATEWAY_NO_HSTS");
  app.add_option("--max-request-bytes", options.max_request_bytes)
      ->envname("SURVEY_GATEWAY_MAX_REQUEST_BYTES")->capture_default_str();
  app.add_option("--timeout", timeout_seconds, "default call timeout, seconds")
      ->envname("SURVEY_GATEWAY_TIMEOUT")->capture_default_str();
  app.add_option("--stream-timeout", stream_timeout_seconds,
                 "longest server-streaming call (exports), seconds")
      ->envname("SURVEY_GATEWAY_STREAM_TIMEOUT")->capture_default_str();
  app.add_option("--max-streams", options.max_streams,
                 "server-streaming calls at once (each holds a worker thread)")
      ->envname("SURVEY_GATEWAY_MAX_STREAMS")->capture_default_str();
  app.add_option("--threads", options.threads, "HTTP worker threads")
      ->envname("SURVEY_GATEWAY_THREADS")->capture_default_str();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->envname("SURVEY_GATEWAY_LOG_LEVEL");
  survey::config::AddConfigOption(app);
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::from_str(log_level));
  if (!services.empty()) options.services = services;
  if (no_hsts && options.hsts) {
    std::cerr << "survey-gateway: --hsts and --no-hsts contradict each other\n";
    return 2;
  }
  if (!options.tls_cert_file.empty() && !no_hsts) options.hsts = true;
  options.default_timeout = absl::Seconds(timeout_seconds);
  options.stream_timeout = absl::Seconds(stream_timeout_seconds);
  if (options.max_streams < 1 || options.max_streams >= options.threads) {
    std::cerr << "survey-gateway: --max-streams: 1 .. --threads - 1\n";
    return 2;
  }
  absl::StatusOr<survey::net::NetworkList> proxies =
      survey::net::NetworkList::Parse(trusted);
  if (!proxies.ok()) {
    std::cerr << "survey-gateway: --trusted-proxy: " << proxies.status().message() << "\n";
    return 2;
  }
  options.trusted_proxies = *proxies;

  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (upstream_ca.empty()) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFileOrDie(upstream_ca);
    creds = grpc::SslCredentials(ssl);
  }
  options.upstream = grpc::CreateChannel(upstream, creds);

  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    std::cerr << "survey-gateway: --listen: expected host:port\n";
    return 2;
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  absl::StatusOr<std::unique_ptr<survey::gateway::Gateway>> gateway =
      survey::gateway::Gateway::Create(std::move(options));
  if (!gateway.ok()) {
    std::cerr << "survey-gateway: " << gateway.status().message() << "\n";
    return 1;
  }
  // Signals go to the thread that waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<int> bound = (*gateway)->Bind(host, port);
  if (!bound.ok()) {
    std::cerr << "survey-gateway: " << bound.status().message() << "\n";
    return 1;
  }
  std::cout << "survey-gateway listening on port " << *bound << std::endl;
  spdlog::info("gateway on {}:{} -> {}", host, *bound, upstream);
  std::thread serving([&] { (*gateway)->Serve(); });
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  (*gateway)->Stop();
  serving.join();
  return 0;
}
