// surveyctl health: the grpc.health.v1 status of the server.
#include <iostream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {

void AddHealthCommand(CLI::App& app, const GlobalOptions& global,
                      int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "health", "print SERVING or NOT_SERVING (exit 0 only when SERVING)");
  cmd->callback([&global, exit_code] {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel(global.connection);
    if (!channel.ok()) {
      std::cerr << channel.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto stub = grpc::health::v1::Health::NewStub(*channel);
    auto ctx = MakeContext(global.connection);
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(ctx.get(), request, &response);
    if (!status.ok()) {
      std::cout << "UNREACHABLE (" << Describe(status) << ")\n";
      *exit_code = 1;
      return;
    }
    std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                     response.status())
              << "\n";
    *exit_code =
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0
                                                                             : 1;
  });
}

}  // namespace survey::client
