// The pure parts of the simulator: answers, token choice, statistics,
// summaries. The async engine (RunSimulation) is in runner.cc.
#include "simulator/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "common/invitation_files.h"
#include "domain/text.h"

namespace survey::sim {
namespace {

// Answers are mostly blank; some say why, as the form asks (根据实际事例说明理由).
constexpr const char* kGoodReasons[] = {
    "工程师上门及时，问题一次解决。",
    "沟通耐心，讲解清楚，非常满意。",
    "提供的资料准确，帮助很大。",
};
constexpr const char* kBadReasons[] = {
    "响应太慢，等了三天才有人联系。",
    "问题没有彻底解决，需要再次报修。",
    "态度一般，解释不够清楚。",
};
constexpr const char* kComments[] = {
    "整体服务不错，希望保持。",
    "建议缩短上门等待时间。",
    "Thanks, the engineer was very helpful.",
};

template <size_t N>
std::string Pick(const char* const (&texts)[N], std::mt19937_64& rng,
                 int max_chars) {
  const std::string text =
      texts[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
  if (max_chars > 0 && domain::CountCodePoints(text) >
                           static_cast<size_t>(max_chars)) {
    return "";
  }
  return text;
}

std::string UuidLike(std::mt19937_64& rng) {
  const uint64_t hi = rng(), lo = rng();
  char buffer[40];
  // Version 4 / variant 1 bits, so it reads like any UUID in app logs.
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0x0FFF),
                static_cast<unsigned long long>(0x8000 | ((lo >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buffer;
}

constexpr grpc::StatusCode kNamedCodes[] = {
    grpc::OK, grpc::ALREADY_EXISTS, grpc::NOT_FOUND,
    grpc::FAILED_PRECONDITION, grpc::INVALID_ARGUMENT, grpc::UNAVAILABLE};

bool IsNamed(size_t code) {
  return std::find(std::begin(kNamedCodes), std::end(kNamedCodes),
                   static_cast<grpc::StatusCode>(code)) != std::end(kNamedCodes);
}

std::string CodeName(size_t code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

int64_t OtherCount(const SimSummary& s) {
  int64_t other = 0;
  for (size_t c = 0; c < s.status_counts.size(); ++c) {
    if (!IsNamed(c)) other += s.status_counts[c];
  }
  return other;
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

}  // namespace

absl::Status ParseAnswerMode(std::string_view text, SimOptions* options) {
  if (text == "random") {
    options->answer_mode = AnswerMode::kRandom;
    return absl::OkStatus();
  }
  const std::string word(text);
  int score = 0;
  if (absl::StartsWith(word, "fixed:") &&
      absl::SimpleAtoi(word.substr(6), &score) && score >= 1 && score <= 10) {
    options->answer_mode = AnswerMode::kFixed;
    options->fixed_score = score;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--answer ", word, ": expected random or fixed:N (1..10)"));
}

Answer GenerateAnswer(const FormShape& shape, const SimOptions& options,
                      std::mt19937_64& rng) {
  Answer answer;
  answer.submission_id = UuidLike(rng);
  const int subs = std::accumulate(shape.subs_per_indicator.begin(),
                                   shape.subs_per_indicator.end(), 0);
  answer.reasons.assign(shape.subs_per_indicator.size(), "");
  if (options.answer_mode == AnswerMode::kFixed) {
    answer.scores.assign(subs, std::clamp(options.fixed_score, 1, 10));
    return answer;
  }
  // One respondent is consistently happy or unhappy; the spread models how
  // people use a 10-point scale.
  const double mean = std::uniform_real_distribution<double>(5, 10)(rng);
  std::normal_distribution<double> noise(0, 1.5);
  for (int i = 0; i < subs; ++i) {
    const long score = std::lround(mean + noise(rng));
    answer.scores.push_back(static_cast<int>(std::clamp(score, 1L, 10L)));
  }
  std::bernoulli_distribution gives_reason(0.1), gives_comment(0.15);
  for (std::string& reason : answer.reasons) {
    if (!gives_reason(rng)) continue;
    reason = mean >= 7.5 ? Pick(kGoodReasons, rng, shape.reason_max_chars)
                         : Pick(kBadReasons, rng, shape.reason_max_chars);
  }
  if (gives_comment(rng)) {
    answer.comment = Pick(kComments, rng, shape.comment_max_chars);
  }
  return answer;
}

std::vector<size_t> ChooseTokens(size_t count, double fraction,
                                 uint64_t seed) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const size_t chosen = std::min(
      count, static_cast<size_t>(std::llround(fraction * count)));
  std::vector<size_t> indices(count);
  std::iota(indices.begin(), indices.end(), 0);
  // A partial Fisher-Yates shuffle: the first `chosen` are a uniform sample.
  std::mt19937_64 rng(seed ^ 0x5eed5eed5eed5eedULL);
  for (size_t i = 0; i < chosen; ++i) {
    std::uniform_int_distribution<size_t> pick(i, count - 1);
    std::swap(indices[i], indices[pick(rng)]);
  }
  indices.resize(chosen);
  std::sort(indices.begin(), indices.end());
  return indices;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  p = std::clamp(p, 0.0, 100.0);
  // Nearest rank: the smallest value with at least p % of values <= it.
  const size_t rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[rank == 0 ? 0 : rank - 1];
}

LatencyStats ComputeLatency(std::vector<double> milliseconds) {
  LatencyStats stats;
  stats.count = milliseconds.size();
  if (milliseconds.empty()) return stats;
  std::sort(milliseconds.begin(), milliseconds.end());
  stats.p50_ms = Percentile(milliseconds, 50);
  stats.p90_ms = Percentile(milliseconds, 90);
  stats.p99_ms = Percentile(milliseconds, 99);
  stats.max_ms = milliseconds.back();
  return stats;
}

bool SimSummary::ok() const {
  for (size_t c = 0; c < status_counts.size(); ++c) {
    if (status_counts[c] != 0 && c != grpc::OK && c != grpc::ALREADY_EXISTS) {
      return false;
    }
  }
  return true;
}

std::string SummaryText(const SimSummary& s) {
  std::string out = absl::StrCat(
      "tokens: ", s.tokens, "  selected: ", s.selected,
      "  answered: ", s.answered, "  seed: ", s.seed, "\nstatuses:");
  for (grpc::StatusCode code : kNamedCodes) {
    absl::StrAppend(&out, " ", CodeName(code), "=", s.status_counts[code]);
  }
  absl::StrAppend(&out, " other=", OtherCount(s));
  for (size_t c = 0; c < s.status_counts.size(); ++c) {
    if (!IsNamed(c) && s.status_counts[c] != 0) {
      absl::StrAppend(&out, " (", CodeName(c), "=", s.status_counts[c], ")");
    }
  }
  const LatencyStats& l = s.submit_latency;
  absl::StrAppend(&out, "\nretries: ", s.retries,
                  "\nelapsed: ", Number(s.elapsed_seconds), " s  answers/s: ",
                  Number(s.answers_per_second), "\nsubmit latency ms (",
                  l.count, " calls): p50 ", Number(l.p50_ms), "  p90 ",
                  Number(l.p90_ms), "  p99 ", Number(l.p99_ms), "  max ",
                  Number(l.max_ms), "\n", s.ok() ? "OK" : "UNEXPECTED STATUSES",
                  "\n");
  return out;
}

std::string SummaryJson(const SimSummary& s) {
  std::string statuses;
  for (grpc::StatusCode code : kNamedCodes) {
    absl::StrAppend(&statuses, "\"", CodeName(code), "\":",
                    s.status_counts[code], ",");
  }
  absl::StrAppend(&statuses, "\"other\":", OtherCount(s));
  std::string others;
  for (size_t c = 0; c < s.status_counts.size(); ++c) {
    if (IsNamed(c) || s.status_counts[c] == 0) continue;
    absl::StrAppend(&others, others.empty() ? "" : ",", "\"", CodeName(c),
                    "\":", s.status_counts[c]);
  }
  const LatencyStats& l = s.submit_latency;
  return absl::StrCat(
      "{\"seed\":", s.seed, ",\"tokens\":", s.tokens,
      ",\"selected\":", s.selected, ",\"answered\":", s.answered,
      ",\"retries\":", s.retries,
      ",\"elapsed_seconds\":", Number(s.elapsed_seconds),
      ",\"answers_per_second\":", Number(s.answers_per_second),
      ",\"ok\":", s.ok() ? "true" : "false", ",\"statuses\":{", statuses,
      "},\"other_statuses\":{", others, "},\"submit_latency_ms\":{\"count\":",
      l.count, ",\"p50\":", Number(l.p50_ms), ",\"p90\":", Number(l.p90_ms),
      ",\"p99\":", Number(l.p99_ms), ",\"max\":", Number(l.max_ms), "}}");
}

absl::StatusOr<std::vector<std::string>> LoadTokens(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<std::vector<std::string>> tokens =
      client::ParseTokenList(buffer.str());
  if (!tokens.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", tokens.status().message()));
  }
  return tokens;
}

}  // namespace survey::sim
