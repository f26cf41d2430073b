#include "fault/load_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::fault {

std::vector<PlannedAnswer> PlanAnswers(const std::vector<std::string>& tokens,
                                       uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> score(1, 10);
  std::vector<PlannedAnswer> plan;
  plan.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    PlannedAnswer a;
    a.token = tokens[i];
    a.comment = absl::StrCat("fault-", seed, "-", i);
    for (int j = 0; j < 9; ++j) a.scores.push_back(score(rng));
    plan.push_back(std::move(a));
  }
  return plan;
}

size_t LoadReport::Count(Outcome o) const {
  return std::count_if(records.begin(), records.end(),
                       [o](const TokenRecord& r) { return r.outcome == o; });
}

namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int i,
                                          const LoadOptions& options) {
  grpc::ChannelArguments args;
  // Reconnect quickly after the server comes back: the default backoff
  // grows to two minutes, longer than a run.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  // Distinct channels get distinct connections, as distinct phones would.
  args.SetInt("survey.fault.channel", i);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (options.tls_ca_pem.empty()) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                     args);
  }
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.tls_ca_pem;
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

absl::Duration RetryAfter(const grpc::ClientContext& ctx, int attempt,
                          const LoadOptions& options) {
  for (const auto& [key, value] : ctx.GetServerTrailingMetadata()) {
    if (key != "retry-after-ms") continue;
    int64_t ms = 0;
    if (absl::SimpleAtoi(absl::string_view(value.data(), value.size()), &ms)) {
      return std::min(absl::Milliseconds(ms), options.max_retry_after);
    }
  }
  return absl::Milliseconds(std::min(25 << std::min(attempt, 4), 400));
}

}  // namespace

LoadReport RunLoad(const std::string& address,
                   const std::vector<PlannedAnswer>& plan,
                   const LoadOptions& options, std::atomic<int64_t>* acks) {
  LoadReport report;
  report.records.resize(plan.size());
  std::vector<std::array<int64_t, 17>> per_thread(options.threads);
  std::vector<std::vector<FailedAttempt>> failures(options.threads);
  std::atomic<size_t> next{0};
  const absl::Time start = absl::Now();

  auto worker = [&](int t) {
    auto stub = v1::RespondService::NewStub(MakeChannel(address, t % 8, options));
    std::mt19937_64 jitter(t);
    for (size_t i = next++; i < plan.size(); i = next++) {
      if (options.rate_per_second > 0) {
        absl::Time due = start + absl::Seconds(i / options.rate_per_second);
        absl::SleepFor(due - absl::Now());
      }
      const PlannedAnswer& a = plan[i];
      v1::SubmitRequest request;
      request.set_token(a.token);
      request.set_submission_id(absl::StrCat("fault-", i));
      for (int s : a.scores) request.add_scores(s);
      request.set_comment(a.comment);
      TokenRecord& r = report.records[i];
      r.first_sent = absl::Now();
      for (;;) {
        grpc::ClientContext ctx;
        const absl::Time sent = absl::Now();
        ctx.set_deadline(absl::ToChronoTime(sent + options.call_timeout));
        v1::SubmitResponse response;
        grpc::Status status = stub->Submit(&ctx, request, &response);
        ++r.attempts;
        r.last_code = status.error_code();
        ++per_thread[t][std::clamp(r.last_code, 0, 16)];
        if (!status.ok()) failures[t].push_back({sent, r.last_code});
        if (status.ok() || status.error_code() == grpc::ALREADY_EXISTS) {
          r.outcome = status.ok() ? Outcome::kAcknowledged : Outcome::kAlreadyExists;
          r.finished = absl::Now();
          if (acks != nullptr) ++*acks;
          break;
        }
        if (absl::Now() - r.first_sent > options.give_up_after) {
          r.finished = absl::Now();
          break;
        }
        absl::Duration wait = RetryAfter(ctx, r.attempts, options);
        // A little jitter so that retries after a restart do not arrive
        // as one wave.
        wait += absl::Milliseconds(jitter() % 20);
        absl::SleepFor(wait);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) threads.emplace_back(worker, t);
  for (std::thread& th : threads) th.join();
  for (auto& f : failures) {
    report.failures.insert(report.failures.end(), f.begin(), f.end());
  }
  for (const auto& counts : per_thread) {
    for (size_t c = 0; c < counts.size(); ++c) report.attempts_by_code[c] += counts[c];
  }
  report.elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return report;
}

}  // namespace survey::fault
