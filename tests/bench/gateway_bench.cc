// The gateway's cost per call (issue 14): the same GetSurvey, N times in
// sequence, straight to survey-server over gRPC and through survey-gateway
// over HTTP/1.1 (Connect, JSON as the web app sends it, and binary proto).
// One connection each way, kept alive; prints median and p99 per way and the
// difference. Run by tests/bench/gateway_overhead.sh, which starts a private
// MariaDB, the server and the gateway and issues the token.
//
//   gateway_bench --server 127.0.0.1:PORT --gateway 127.0.0.1:PORT --token T [--calls N]
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "survey/v1/respond.grpc.pb.h"

namespace {

struct Figures {
  double median_us, p99_us;
};

Figures Measure(int calls, const std::function<bool()>& call, const char* name) {
  for (int i = 0; i < std::min(calls / 10, 200); ++i) {  // warm up
    if (!call()) {
      std::fprintf(stderr, "gateway_bench: %s failed\n", name);
      std::exit(1);
    }
  }
  std::vector<double> us;
  us.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!call()) {
      std::fprintf(stderr, "gateway_bench: %s failed\n", name);
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(
                     std::chrono::steady_clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  Figures f{us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
  std::printf("%-28s calls %d  median %7.0f us  p99 %7.0f us\n", name, calls, f.median_us,
              f.p99_us);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string server, gateway, token;
  int calls = 2000;
  CLI::App app{"survey-gateway overhead: GetSurvey direct vs through the gateway"};
  app.add_option("--server", server)->required();
  app.add_option("--gateway", gateway, "host:port")->required();
  app.add_option("--token", token)->required();
  app.add_option("--calls", calls)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto stub = survey::v1::RespondService::NewStub(
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  survey::v1::GetSurveyRequest req;
  req.set_token(token);
  auto direct = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    survey::v1::Survey resp;
    return stub->GetSurvey(&ctx, req, &resp).ok();
  };
  const size_t colon = gateway.rfind(':');
  httplib::Client http(gateway.substr(0, colon), std::stoi(gateway.substr(colon + 1)));
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);  // as browsers do
  const std::string json = "{\"token\":\"" + token + "\"}";
  const std::string proto = req.SerializeAsString();
  const httplib::Headers headers = {{"Connect-Protocol-Version", "1"}};
  auto via = [&](const std::string& body, const char* type) {
    auto res = http.Post("/survey.v1.RespondService/GetSurvey", headers, body, type);
    return res && res->status == 200;
  };
  Figures d = Measure(calls, direct, "direct gRPC");
  Figures j = Measure(calls, [&] { return via(json, "application/json"); },
                      "gateway, Connect JSON");
  Figures p = Measure(calls, [&] { return via(proto, "application/proto"); },
                      "gateway, Connect proto");
  std::printf("overhead per call (median, p99): JSON +%.0f us, +%.0f us; proto +%.0f us, +%.0f us\n",
              j.median_us - d.median_us, j.p99_us - d.p99_us, p.median_us - d.median_us,
              p.p99_us - d.p99_us);
  return 0;
}
