// RunSimulation against a fake RespondService (our own gRPC contract,
// served in-process on 127.0.0.1:0): one survey of 3 indicators / 9
// sub-indicators, tokens used once, optional delays and UNAVAILABLE.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "simulator/simulator.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::sim {
namespace {

using Clock = std::chrono::steady_clock;

class FakeRespond final : public v1::RespondService::CallbackService {
 public:
  // Behaviour knobs; set before the run.
  std::chrono::milliseconds hold{0};  // delay before each Submit answers
  int unavailable_first = 0;          // UNAVAILABLE for a token's first n

  FakeRespond() : finisher_([this] { FinishLoop(); }) {}
  ~FakeRespond() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    finisher_.join();
  }

  grpc::ServerUnaryReactor* GetSurvey(grpc::CallbackServerContext* ctx,
                                      const v1::GetSurveyRequest* request,
                                      v1::Survey* survey) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    std::lock_guard<std::mutex> lock(mu_);
    ++gets;
    locales.insert(request->locale());
    if (absl::StartsWith(request->token(), "unknown")) {
      reactor->Finish(grpc::Status(grpc::NOT_FOUND, "unknown token"));
      return reactor;
    }
    int sub = 0;
    for (int subs : {3, 2, 4}) {
      v1::SurveyIndicator* indicator = survey->add_indicators();
      indicator->set_key(absl::StrCat("i", survey->indicators_size()));
      for (int s = 0; s < subs; ++s) {
        indicator->add_sub_indicators()->set_key(absl::StrCat("s", ++sub));
      }
    }
    survey->set_scale_min(1);
    survey->set_scale_max(10);
    survey->set_reason_max_chars(500);
    survey->set_comment_max_chars(2000);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx,
                                   const v1::SubmitRequest* request,
                                   v1::SubmitResponse*) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    std::lock_guard<std::mutex> lock(mu_);
    ++submits;
    peers.insert(ctx->peer());
    max_in_flight = std::max(max_in_flight, ++in_flight_);
    grpc::Status status = Decide(*request);
    if (hold.count() == 0) {
      --in_flight_;
      reactor->Finish(status);
    } else {
      pending_.emplace(Clock::now() + hold, std::make_pair(reactor, status));
      cv_.notify_all();
    }
    return reactor;
  }

  // Observations, read after the run (under no concurrent calls).
  int gets = 0, submits = 0, max_in_flight = 0;
  std::set<std::string> locales;
  std::set<std::string> peers;  // of Submits: one per connection
  std::map<std::string, std::vector<int>> accepted;  // token -> scores
  std::set<std::string> submission_ids;
  std::vector<std::string> invalid;  // why Submits were refused

 private:
  grpc::Status Decide(const v1::SubmitRequest& r) {
    if (r.scores_size() != 9 || r.reasons_size() > 3 ||
        r.submission_id().empty()) {
      invalid.push_back(absl::StrCat("shape of ", r.token()));
      return grpc::Status(grpc::INVALID_ARGUMENT, "shape");
    }
    for (int s : r.scores()) {
      if (s < 1 || s > 10) {
        invalid.push_back(absl::StrCat("score of ", r.token()));
        return grpc::Status(grpc::INVALID_ARGUMENT, "scores");
      }
    }
    if (attempts_[r.token()]++ < unavailable_first) {
      return grpc::Status(grpc::UNAVAILABLE, "queue full");
    }
    if (accepted.count(r.token())) {
      return grpc::Status(grpc::ALREADY_EXISTS, "already answered");
    }
    accepted[r.token()].assign(r.scores().begin(), r.scores().end());
    submission_ids.insert(r.submission_id());
    return grpc::Status::OK;
  }

  void FinishLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_ || !pending_.empty()) {
      if (pending_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = pending_.begin();
      if (Clock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      --in_flight_;
      first->second.first->Finish(first->second.second);
      pending_.erase(first);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  std::map<std::string, int> attempts_;
  std::multimap<Clock::time_point,
                std::pair<grpc::ServerUnaryReactor*, grpc::Status>>
      pending_;
  bool stop_ = false;
  std::thread finisher_;
};

class RunnerTest : public ::testing::Test {
 protected:
  void StartServer() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    address_ = absl::StrCat("127.0.0.1:", port);
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  SimSummary Run(const std::vector<std::string>& tokens) {
    if (!server_) StartServer();
    return RunSimulation(channel_, tokens, options_);
  }
  static std::vector<std::string> Tokens(int n) {
    std::vector<std::string> tokens;
    for (int i = 0; i < n; ++i) tokens.push_back(absl::StrCat("TOK", i));
    return tokens;
  }

  FakeRespond fake_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  SimOptions options_ = [] {
    SimOptions o;
    o.fraction = 1;
    o.concurrency = 16;
    o.timeout_seconds = 10;
    return o;
  }();
};

TEST_F(RunnerTest, AnswersEveryTokenOnceWithOneScorePerSubIndicator) {
  SimSummary s = Run(Tokens(200));
  EXPECT_TRUE(fake_.invalid.empty()) << fake_.invalid.front();
  EXPECT_EQ(s.tokens, 200u);
  EXPECT_EQ(s.selected, 200u);
  EXPECT_EQ(s.answered, 200u);
  EXPECT_EQ(s.status_counts[grpc::OK], 200);
  EXPECT_EQ(fake_.gets, 200);
  EXPECT_EQ(fake_.accepted.size(), 200u);
  EXPECT_EQ(fake_.submission_ids.size(), 200u);
  EXPECT_EQ(s.submit_latency.count, 200u);
  EXPECT_GT(s.submit_latency.max_ms, 0);
  EXPECT_GT(s.answers_per_second, 0);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(fake_.locales, std::set<std::string>{"zh-CN"});
}

TEST_F(RunnerTest, RepeatedTokenGetsAlreadyExistsWhichIsExpected) {
  SimSummary s = Run({"A", "A", "B"});
  EXPECT_EQ(s.status_counts[grpc::OK], 2);
  EXPECT_EQ(s.status_counts[grpc::ALREADY_EXISTS], 1);
  EXPECT_TRUE(s.ok());
}

TEST_F(RunnerTest, FailedGetSurveyEndsTheTokenAndIsUnexpected) {
  SimSummary s = Run({"A", "unknown-1"});
  EXPECT_EQ(s.status_counts[grpc::OK], 1);
  EXPECT_EQ(s.status_counts[grpc::NOT_FOUND], 1);
  EXPECT_EQ(fake_.submits, 1);
  EXPECT_FALSE(s.ok());
}

TEST_F(RunnerTest, AnswersOnlyTheChosenFraction) {
  options_.fraction = 0.4;
  SimSummary s = Run(Tokens(50));
  EXPECT_EQ(s.selected, 20u);
  EXPECT_EQ(fake_.submits, 20);
  EXPECT_EQ(s.answered, 20u);
}

TEST_F(RunnerTest, SkipGetSubmitsNineScoresDirectly) {
  options_.skip_get = true;
  options_.locale = "en";
  SimSummary s = Run(Tokens(30));
  EXPECT_EQ(fake_.gets, 0);
  EXPECT_EQ(s.answered, 30u);
  EXPECT_TRUE(fake_.invalid.empty());
}

TEST_F(RunnerTest, PassesTheLocale) {
  options_.locale = "en";
  Run(Tokens(3));
  EXPECT_EQ(fake_.locales, std::set<std::string>{"en"});
}

TEST_F(RunnerTest, KeepsExactlyConcurrencyCallsInFlight) {
  fake_.hold = std::chrono::milliseconds(30);
  options_.skip_get = true;
  options_.concurrency = 8;
  SimSummary s = Run(Tokens(64));
  EXPECT_EQ(s.answered, 64u);
  EXPECT_EQ(fake_.max_in_flight, 8);
  // 64 calls of 30 ms, 8 at a time, take at least 8 rounds.
  EXPECT_GE(s.elapsed_seconds, 0.2);
  EXPECT_GE(s.submit_latency.p50_ms, 25);
}

TEST_F(RunnerTest, RatePacesTheStartsOfTokens) {
  options_.skip_get = true;
  options_.rate_per_second = 100;
  SimSummary s = Run(Tokens(21));
  EXPECT_EQ(s.answered, 21u);
  // Token k starts k / 100 s after the first: the last at 200 ms.
  EXPECT_GE(s.elapsed_seconds, 0.195);
  EXPECT_LT(s.elapsed_seconds, 5.0);
}

TEST_F(RunnerTest, PacedStartsStillRespectConcurrency) {
  fake_.hold = std::chrono::milliseconds(30);
  options_.skip_get = true;
  options_.concurrency = 2;
  options_.rate_per_second = 1000;  // faster than 2 calls of 30 ms allow
  SimSummary s = Run(Tokens(10));
  EXPECT_EQ(s.answered, 10u);
  EXPECT_EQ(fake_.max_in_flight, 2);
  EXPECT_GE(s.elapsed_seconds, 0.14);  // 5 rounds of 30 ms
}

TEST_F(RunnerTest, SpreadsTokensOverSeveralChannels) {
  StartServer();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 3; ++i) {
    grpc::ChannelArguments args;  // distinct arguments: distinct connections
    args.SetInt("survey.test.channel", i);
    channels.push_back(grpc::CreateCustomChannel(
        address_, grpc::InsecureChannelCredentials(), args));
  }
  options_.skip_get = true;
  SimSummary s = RunSimulation(channels, Tokens(30), options_);
  EXPECT_EQ(s.answered, 30u);
  EXPECT_EQ(fake_.accepted.size(), 30u);
  EXPECT_EQ(fake_.peers.size(), 3u);
}

TEST_F(RunnerTest, RetriesUnavailableUntilAccepted) {
  fake_.unavailable_first = 2;
  options_.retry_unavailable = true;
  SimSummary s = Run(Tokens(10));
  EXPECT_EQ(s.answered, 10u);
  EXPECT_EQ(s.retries, 20);
  EXPECT_EQ(s.status_counts[grpc::UNAVAILABLE], 0);
  EXPECT_EQ(s.submit_latency.count, 30u);  // every attempt is measured
  EXPECT_TRUE(s.ok());
}

TEST_F(RunnerTest, WithoutRetryUnavailableIsUnexpected) {
  fake_.unavailable_first = 1;
  SimSummary s = Run(Tokens(10));
  EXPECT_EQ(s.status_counts[grpc::UNAVAILABLE], 10);
  EXPECT_EQ(s.retries, 0);
  EXPECT_FALSE(s.ok());
}

TEST_F(RunnerTest, RetriesStopAtTheRetryBudget) {
  fake_.unavailable_first = 1000;
  options_.retry_unavailable = true;
  options_.retry_for_seconds = 0.3;
  SimSummary s = Run(Tokens(2));
  EXPECT_EQ(s.status_counts[grpc::UNAVAILABLE], 2);
  EXPECT_GT(s.retries, 2);
  EXPECT_LT(s.elapsed_seconds, 2.0);
}

TEST_F(RunnerTest, EveryCallHasADeadline) {
  fake_.hold = std::chrono::milliseconds(600);
  options_.skip_get = true;
  options_.timeout_seconds = 0.1;
  SimSummary s = Run(Tokens(4));
  EXPECT_EQ(s.status_counts[grpc::DEADLINE_EXCEEDED], 4);
  EXPECT_LT(s.elapsed_seconds, 0.5);
  EXPECT_FALSE(s.ok());
}

TEST(RunnerSeedTest, AnswersDependOnSeedNotOnConcurrency) {
  auto run = [](int concurrency, uint64_t seed) {
    FakeRespond fake;
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&fake);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    SimOptions o;
    o.fraction = 0.5;
    o.concurrency = concurrency;
    o.seed = seed;
    RunSimulation(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                      grpc::InsecureChannelCredentials()),
                  {"A", "B", "C", "D", "E", "F", "G", "H"}, o);
    server->Shutdown();
    return fake.accepted;
  };
  const auto first = run(1, 11);
  EXPECT_EQ(first.size(), 4u);
  EXPECT_EQ(run(8, 11), first);
  EXPECT_NE(run(8, 12), first);
}

}  // namespace
}  // namespace survey::sim
