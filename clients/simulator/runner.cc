// RunSimulation: the callback-API engine behind survey-sim.
//
// One Flow per chosen token walks GetSurvey -> Submit (-> Submit retries).
// The dispatching thread takes a slot of a counting semaphore per token and
// the Flow gives it back when it ends, so at most `concurrency` Flows (and
// thus calls) are in flight; with a rate it also sleeps until each token's
// scheduled start. Completions run on gRPC's own threads; the
// only locks are around the latency list and the retry timer.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <semaphore>
#include <thread>

#include "simulator/simulator.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::sim {
namespace {

using Clock = std::chrono::steady_clock;

// Runs callbacks at given times on one thread. Retries sleep here rather
// than on a gRPC completion thread, which must never block.
class Timer {
 public:
  Timer() : thread_([this] { Loop(); }) {}
  ~Timer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void At(Clock::time_point when, std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace(when, std::move(f));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = queue_.begin();
      if (Clock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      std::function<void()> f = std::move(first->second);
      queue_.erase(first);
      lock.unlock();
      f();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// Seeds token i's generator from the run seed (SplitMix64), so answers do
// not depend on completion order.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Runner {
 public:
  Runner(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
         const SimOptions& options)
      : options_(options), slots_(std::max(1, options.concurrency)) {
    for (const auto& channel : channels) {
      stubs_.push_back(v1::RespondService::NewStub(channel));
    }
  }

  SimSummary Run(const std::vector<std::string>& tokens) {
    SimSummary summary;
    summary.seed = options_.seed;
    summary.tokens = tokens.size();
    const std::vector<size_t> chosen =
        ChooseTokens(tokens.size(), options_.fraction, options_.seed);
    summary.selected = chosen.size();
    remaining_ = chosen.size();
    const Clock::time_point start = Clock::now();
    const double rate = options_.rate_per_second;
    size_t started = 0;
    for (size_t index : chosen) {
      if (rate > 0) {
        std::this_thread::sleep_until(
            start + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(started / rate)));
      }
      ++started;
      slots_.acquire();
      auto* flow = new Flow;
      flow->runner = this;
      flow->stub = stubs_[(started - 1) % stubs_.size()].get();
      flow->token = tokens[index];
      flow->rng.seed(Mix(options_.seed ^ Mix(index)));
      Start(flow);
    }
    {
      std::unique_lock<std::mutex> lock(done_mu_);
      done_cv_.wait(lock, [this] { return remaining_ == 0; });
    }
    summary.elapsed_seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    for (size_t c = 0; c < counts_.size(); ++c) {
      summary.status_counts[c] = counts_[c].load();
    }
    summary.answered = static_cast<size_t>(counts_[grpc::OK].load());
    summary.retries = retries_.load();
    summary.answers_per_second =
        summary.elapsed_seconds > 0 ? summary.answered / summary.elapsed_seconds
                                    : 0;
    std::lock_guard<std::mutex> lock(latency_mu_);
    summary.submit_latency = ComputeLatency(std::move(latencies_ms_));
    return summary;
  }

 private:
  // The state of one token's calls; deleted when the token ends.
  struct Flow {
    Runner* runner = nullptr;
    v1::RespondService::Stub* stub = nullptr;
    std::string token;
    std::mt19937_64 rng;
    std::unique_ptr<grpc::ClientContext> context;
    v1::GetSurveyRequest get_request;
    v1::Survey survey;
    v1::SubmitRequest submit_request;
    v1::SubmitResponse submit_response;
    Clock::time_point first_submit, sent;
    int attempt = 0;
  };

  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::microseconds(static_cast<int64_t>(
                          options_.timeout_seconds * 1e6)));
    return ctx;
  }

  void Start(Flow* flow) {
    if (options_.skip_get) {
      PrepareSubmit(flow, FormShape());
      return;
    }
    flow->get_request.set_token(flow->token);
    flow->get_request.set_locale(options_.locale);
    flow->context = NewContext();
    flow->stub->async()->GetSurvey(flow->context.get(), &flow->get_request,
                              &flow->survey, [flow](grpc::Status status) {
                                flow->runner->OnSurvey(flow, status);
                              });
  }

  void OnSurvey(Flow* flow, const grpc::Status& status) {
    if (!status.ok()) {
      End(flow, status.error_code());
      return;
    }
    FormShape shape;
    shape.subs_per_indicator.clear();
    for (const v1::SurveyIndicator& indicator : flow->survey.indicators()) {
      shape.subs_per_indicator.push_back(indicator.sub_indicators_size());
    }
    shape.reason_max_chars = flow->survey.reason_max_chars();
    shape.comment_max_chars = flow->survey.comment_max_chars();
    PrepareSubmit(flow, shape);
  }

  void PrepareSubmit(Flow* flow, const FormShape& shape) {
    Answer answer = GenerateAnswer(shape, options_, flow->rng);
    v1::SubmitRequest& r = flow->submit_request;
    r.set_token(flow->token);
    r.set_submission_id(answer.submission_id);
    for (int score : answer.scores) r.add_scores(score);
    for (std::string& reason : answer.reasons) r.add_reasons(std::move(reason));
    r.set_comment(answer.comment);
    flow->first_submit = Clock::now();
    SendSubmit(flow);
  }

  void SendSubmit(Flow* flow) {
    ++flow->attempt;
    flow->context = NewContext();
    flow->sent = Clock::now();
    flow->stub->async()->Submit(flow->context.get(), &flow->submit_request,
                           &flow->submit_response, [flow](grpc::Status status) {
                             flow->runner->OnSubmit(flow, status);
                           });
  }

  void OnSubmit(Flow* flow, const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    {
      std::lock_guard<std::mutex> lock(latency_mu_);
      latencies_ms_.push_back(
          std::chrono::duration<double, std::milli>(now - flow->sent).count());
    }
    if (status.error_code() == grpc::UNAVAILABLE &&
        options_.retry_unavailable) {
      // Exponential backoff with jitter (50 ms doubling, capped at 2 s) so
      // that a full ingest queue drains instead of being hammered.
      const int exponent = std::min(flow->attempt - 1, 6);
      const double base_ms = std::min(2000.0, 50.0 * (1 << exponent));
      const double wait_ms =
          std::uniform_real_distribution<double>(0.5, 1.0)(flow->rng) *
          base_ms;
      const Clock::time_point when =
          now + std::chrono::microseconds(static_cast<int64_t>(wait_ms * 1e3));
      const Clock::time_point give_up =
          flow->first_submit + std::chrono::microseconds(static_cast<int64_t>(
                                   options_.retry_for_seconds * 1e6));
      if (when < give_up) {
        ++retries_;
        timer_.At(when, [flow] { flow->runner->SendSubmit(flow); });
        return;
      }
    }
    End(flow, status.error_code());
  }

  void End(Flow* flow, grpc::StatusCode code) {
    const size_t index = static_cast<size_t>(code);
    ++counts_[index < counts_.size() ? index : size_t{grpc::UNKNOWN}];
    delete flow;
    slots_.release();
    std::lock_guard<std::mutex> lock(done_mu_);
    if (--remaining_ == 0) done_cv_.notify_all();
  }

  std::vector<std::unique_ptr<v1::RespondService::Stub>> stubs_;
  const SimOptions options_;
  std::counting_semaphore<1 << 30> slots_;
  std::array<std::atomic<int64_t>, 17> counts_{};
  std::atomic<int64_t> retries_{0};
  std::mutex latency_mu_;
  std::vector<double> latencies_ms_;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  size_t remaining_ = 0;
  Timer timer_;  // last: destroyed first, while the rest still exists
};

}  // namespace

SimSummary RunSimulation(std::shared_ptr<grpc::Channel> channel,
                         const std::vector<std::string>& tokens,
                         const SimOptions& options) {
  return RunSimulation(
      std::vector<std::shared_ptr<grpc::Channel>>{std::move(channel)}, tokens,
      options);
}

SimSummary RunSimulation(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    const std::vector<std::string>& tokens, const SimOptions& options) {
  Runner runner(channels, options);
  return runner.Run(tokens);
}

}  // namespace survey::sim
