// survey-sim: answers surveys like the mobile app, for load tests and
// demos. Exit 0 when every token ended OK or ALREADY_EXISTS, 1 when some
// ended otherwise, 2 on bad usage or unreadable input.
#include <CLI/CLI.hpp>

#include <iostream>
#include <random>

#include "common/connection.h"
#include "simulator/simulator.h"

int main(int argc, char** argv) {
  survey::client::ConnectionOptions connection;
  survey::sim::SimOptions options;
  std::string tokens_path, answer = "random";
  bool json = false;
  uint64_t seed = 0;

  CLI::App app{"survey-sim: answer surveys through RespondService"};
  app.add_option("--server", connection.server, "host:port of survey-server")
      ->envname("SURVEY_SERVER")
      ->capture_default_str();
  app.add_flag("--insecure", connection.insecure, "plaintext")
      ->envname("SURVEY_INSECURE");
  app.add_option("--tls-ca", connection.tls_ca_file,
                 "CA certificate of the server")
      ->envname("SURVEY_TLS_CA");
  app.add_option("--tokens", tokens_path,
                 "one token per line, or invitations.csv (token column)")
      ->required();
  app.add_option("--concurrency", options.concurrency, "calls in flight")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--answer", answer, "random | fixed:N")->capture_default_str();
  app.add_option("--fraction", options.fraction,
                 "share of tokens answered, chosen at random")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  auto* seed_option =
      app.add_option("--seed", seed, "random seed (default: fresh, printed)");
  app.add_flag("--skip-get", options.skip_get,
               "Submit without GetSurvey (9 scores), for benchmarks");
  app.add_flag("--retry-unavailable", options.retry_unavailable,
               "retry Submit on UNAVAILABLE with backoff");
  app.add_option("--retry-for", options.retry_for_seconds,
                 "seconds per token to keep retrying")
      ->capture_default_str();
  app.add_option("--locale", options.locale, "GetSurvey locale")
      ->capture_default_str();
  app.add_option("--rate", options.rate_per_second,
                 "tokens started per second (0 = unlimited)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_seconds,
                 "deadline of every call, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--json", json, "print the summary as one JSON object");
  CLI11_PARSE(app, argc, argv);

  absl::Status mode = survey::sim::ParseAnswerMode(answer, &options);
  if (!mode.ok()) {
    std::cerr << mode.message() << "\n";
    return 2;
  }
  options.seed = seed_option->count() > 0 ? seed : std::random_device()();
  connection.timeout_seconds = options.timeout_seconds;

  absl::StatusOr<std::vector<std::string>> tokens =
      survey::sim::LoadTokens(tokens_path);
  if (!tokens.ok()) {
    std::cerr << tokens.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      survey::client::MakeChannel(connection);
  if (!channel.ok()) {
    std::cerr << channel.status().message() << "\n";
    return 2;
  }
  survey::sim::SimSummary summary =
      survey::sim::RunSimulation(*channel, *tokens, options);
  if (json) {
    std::cout << survey::sim::SummaryJson(summary) << "\n";
  } else {
    std::cout << survey::sim::SummaryText(summary);
  }
  return summary.ok() ? 0 : 1;
}
