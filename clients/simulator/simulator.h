// survey-sim's engine: answers surveys the way the mobile app does
// (RespondService.GetSurvey, then Submit), many at once, and measures it.
// A library so that benchmarks can drive it in-process.
//
// Concurrency comes from gRPC's callback API, not threads: at most
// SimOptions::concurrency tokens are in flight, each with exactly one call
// outstanding (or waiting for a retry), so the in-flight call count never
// exceeds it. Answers are reproducible: token i's answer depends only on
// the seed and i, not on timing.
#ifndef SURVEY_CLIENTS_SIMULATOR_SIMULATOR_H_
#define SURVEY_CLIENTS_SIMULATOR_SIMULATOR_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace survey::sim {

enum class AnswerMode {
  kRandom,  // per token a "true mean" in [5, 10], noisy scores around it
  kFixed,   // every score SimOptions::fixed_score, no text
};

struct SimOptions {
  int concurrency = 64;  // tokens (hence calls) in flight, >= 1
  AnswerMode answer_mode = AnswerMode::kRandom;
  int fixed_score = 8;   // 1..10, for kFixed
  double fraction = 0.6; // share of tokens answered, 0..1 (a response rate)
  uint64_t seed = 1;
  bool skip_get = false;  // Submit without GetSurvey, assuming the 3/9 form
  bool retry_unavailable = false;
  double retry_for_seconds = 60;  // per token, from its first Submit
  std::string locale = "zh-CN";
  double timeout_seconds = 30;  // deadline of every call
  // Starts of new tokens per second; 0 (or less) = as fast as concurrency
  // allows. Token k starts no earlier than k / rate_per_second after the
  // first (a fixed schedule: starts delayed by a full concurrency window
  // catch up afterwards). Retries are not paced.
  double rate_per_second = 0;
};

// Parses --answer: "random" or "fixed:N" with N in 1..10. Sets
// answer_mode and fixed_score; InvalidArgument otherwise.
absl::Status ParseAnswerMode(std::string_view text, SimOptions* options);

// What an answer must fit: sub-indicators per indicator and text limits
// in code points (0 = unknown, treated as no limit).
struct FormShape {
  std::vector<int> subs_per_indicator = {3, 2, 4};  // DOMAIN.md section 2
  int reason_max_chars = 0;
  int comment_max_chars = 0;
};

struct Answer {
  std::string submission_id;        // UUID-like, 8-4-4-4-12 hex digits
  std::vector<int> scores;          // one per sub-indicator, each 1..10
  std::vector<std::string> reasons; // one per indicator, mostly ""
  std::string comment;
};

// One answer drawn from `rng` (see AnswerMode). Reasons and comments are
// occasional Chinese sentences within the shape's limits.
Answer GenerateAnswer(const FormShape& shape, const SimOptions& options,
                      std::mt19937_64& rng);

// Which of `count` tokens to answer: round(fraction * count) distinct
// indices (fraction clamped to 0..1), chosen at random by `seed`, in
// ascending order.
std::vector<size_t> ChooseTokens(size_t count, double fraction, uint64_t seed);

// The nearest-rank percentile (p in 0..100) of `values`; 0 if empty.
double Percentile(std::vector<double> values, double p);

struct LatencyStats {
  size_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

// Latencies in milliseconds -> the percentiles above.
LatencyStats ComputeLatency(std::vector<double> milliseconds);

struct SimSummary {
  uint64_t seed = 0;
  size_t tokens = 0;    // given
  size_t selected = 0;  // chosen by fraction
  size_t answered = 0;  // Submit returned OK
  // How each selected token ended, by grpc::StatusCode: the failing
  // GetSurvey's status, else the last Submit's.
  std::array<int64_t, 17> status_counts{};
  int64_t retries = 0;  // Submit attempts repeated after UNAVAILABLE
  double elapsed_seconds = 0;
  double answers_per_second = 0;
  LatencyStats submit_latency;  // every Submit attempt, send to completion

  // True unless some token ended other than OK or ALREADY_EXISTS.
  bool ok() const;
};

// Human-readable lines, and one JSON object (no trailing newline) with the
// keys seed, tokens, selected, answered, retries, elapsed_seconds,
// answers_per_second, ok, statuses {OK, ALREADY_EXISTS, NOT_FOUND,
// FAILED_PRECONDITION, INVALID_ARGUMENT, UNAVAILABLE, other},
// other_statuses {CODE: n}, submit_latency_ms {count, p50, p90, p99, max}.
std::string SummaryText(const SimSummary& summary);
std::string SummaryJson(const SimSummary& summary);

// Reads a token file: one token per line, or a CSV with a "token" column
// such as surveyctl's invitations.csv (see ParseTokenList).
absl::StatusOr<std::vector<std::string>> LoadTokens(const std::string& path);

// Answers the chosen share of `tokens` through `channel` and blocks until
// every call has ended. REQUIRES: options.concurrency >= 1.
SimSummary RunSimulation(std::shared_ptr<grpc::Channel> channel,
                         const std::vector<std::string>& tokens,
                         const SimOptions& options);

// The same, with tokens dealt round-robin over `channels` (e.g. several
// connections, as many apps would open, when the server caps the streams
// of one connection). Concurrency is the total over all of them.
// REQUIRES: !channels.empty().
SimSummary RunSimulation(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    const std::vector<std::string>& tokens, const SimOptions& options);

}  // namespace survey::sim

#endif  // SURVEY_CLIENTS_SIMULATOR_SIMULATOR_H_
