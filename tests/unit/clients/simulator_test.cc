// The pure parts of survey-sim: answers, token choice, statistics,
// summaries, token files.
#include "simulator/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "domain/text.h"

namespace survey::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::Each;
using ::testing::AllOf;
using ::testing::Ge;
using ::testing::Le;

TEST(ParseAnswerModeTest, AcceptsRandomAndFixedOneToTen) {
  SimOptions o;
  ASSERT_TRUE(ParseAnswerMode("fixed:10", &o).ok());
  EXPECT_EQ(o.answer_mode, AnswerMode::kFixed);
  EXPECT_EQ(o.fixed_score, 10);
  ASSERT_TRUE(ParseAnswerMode("random", &o).ok());
  EXPECT_EQ(o.answer_mode, AnswerMode::kRandom);
  for (const char* bad : {"fixed:0", "fixed:11", "fixed:", "fixed:8x", "Random",
                          "8", ""}) {
    EXPECT_FALSE(ParseAnswerMode(bad, &o).ok()) << bad;
  }
}

TEST(GenerateAnswerTest, RandomScoresFitTheFormAndTheScale) {
  SimOptions options;
  FormShape shape;  // 3 indicators, 3 + 2 + 4 sub-indicators
  std::mt19937_64 rng(7);
  std::set<int> seen;
  int with_reason = 0, with_comment = 0;
  const std::regex uuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 2000; ++i) {
    Answer a = GenerateAnswer(shape, options, rng);
    ASSERT_EQ(a.scores.size(), 9u);
    ASSERT_EQ(a.reasons.size(), 3u);
    ASSERT_THAT(a.scores, Each(AllOf(Ge(1), Le(10))));
    ASSERT_TRUE(std::regex_match(a.submission_id, uuid)) << a.submission_id;
    seen.insert(a.scores.begin(), a.scores.end());
    for (const std::string& r : a.reasons) with_reason += !r.empty();
    with_comment += !a.comment.empty();
  }
  // Noise reaches both ends of the scale, so clipping is exercised.
  EXPECT_TRUE(seen.count(10));
  EXPECT_TRUE(seen.count(2) || seen.count(1));
  // Mostly blank, sometimes text.
  EXPECT_GT(with_reason, 0);
  EXPECT_LT(with_reason, 2000 * 3 / 2);
  EXPECT_GT(with_comment, 0);
  EXPECT_LT(with_comment, 2000 / 2);
}

TEST(GenerateAnswerTest, FollowsTheShapeGetSurveyReturned) {
  SimOptions options;
  FormShape shape;
  shape.subs_per_indicator = {4, 4};
  shape.reason_max_chars = 3;  // shorter than every canned reason
  shape.comment_max_chars = 3;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 500; ++i) {
    Answer a = GenerateAnswer(shape, options, rng);
    ASSERT_EQ(a.scores.size(), 8u);
    ASSERT_EQ(a.reasons.size(), 2u);
    for (const std::string& r : a.reasons) {
      ASSERT_LE(domain::CountCodePoints(r), 3u);
    }
    ASSERT_LE(domain::CountCodePoints(a.comment), 3u);
  }
}

TEST(GenerateAnswerTest, FixedGivesThatScoreEverywhereAndNoText) {
  SimOptions options;
  ASSERT_TRUE(ParseAnswerMode("fixed:8", &options).ok());
  std::mt19937_64 rng(3);
  Answer a = GenerateAnswer(FormShape(), options, rng);
  EXPECT_THAT(a.scores, ElementsAre(8, 8, 8, 8, 8, 8, 8, 8, 8));
  EXPECT_THAT(a.reasons, ElementsAre("", "", ""));
  EXPECT_EQ(a.comment, "");
}

TEST(GenerateAnswerTest, SameGeneratorStateSameAnswer) {
  SimOptions options;
  std::mt19937_64 a(42), b(42);
  Answer x = GenerateAnswer(FormShape(), options, a);
  Answer y = GenerateAnswer(FormShape(), options, b);
  EXPECT_EQ(x.scores, y.scores);
  EXPECT_EQ(x.submission_id, y.submission_id);
}

TEST(ChooseTokensTest, ChoosesTheShareAsDistinctSortedIndices) {
  std::vector<size_t> c = ChooseTokens(10, 0.6, 5);
  ASSERT_EQ(c.size(), 6u);
  EXPECT_TRUE(std::is_sorted(c.begin(), c.end()));
  EXPECT_EQ(std::set<size_t>(c.begin(), c.end()).size(), 6u);
  EXPECT_LT(c.back(), 10u);
  EXPECT_EQ(ChooseTokens(10, 0.6, 5), c);
  EXPECT_EQ(ChooseTokens(7, 1.0, 1).size(), 7u);
  EXPECT_TRUE(ChooseTokens(7, 0.0, 1).empty());
  EXPECT_TRUE(ChooseTokens(0, 0.5, 1).empty());
  EXPECT_EQ(ChooseTokens(3, 0.5, 1).size(), 2u);  // rounds 1.5 up
}

TEST(ChooseTokensTest, SeedChangesTheSample) {
  EXPECT_NE(ChooseTokens(100, 0.5, 1), ChooseTokens(100, 0.5, 2));
}

TEST(PercentileTest, UsesNearestRank) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  EXPECT_EQ(Percentile(v, 50), 50);
  EXPECT_EQ(Percentile(v, 90), 90);
  EXPECT_EQ(Percentile(v, 99), 99);
  EXPECT_EQ(Percentile(v, 100), 100);
  EXPECT_EQ(Percentile(v, 0), 1);
  EXPECT_EQ(Percentile({4, 1, 3, 2}, 50), 2);
  EXPECT_EQ(Percentile({4, 1, 3, 2}, 51), 3);
  EXPECT_EQ(Percentile({7.5}, 99), 7.5);
  EXPECT_EQ(Percentile({}, 50), 0);
}

TEST(PercentileTest, ComputeLatencySummarises) {
  LatencyStats s = ComputeLatency({5, 1, 9, 3, 7, 2, 8, 4, 6, 10});
  EXPECT_EQ(s.count, 10u);
  EXPECT_EQ(s.p50_ms, 5);
  EXPECT_EQ(s.p90_ms, 9);
  EXPECT_EQ(s.p99_ms, 10);
  EXPECT_EQ(s.max_ms, 10);
}

TEST(SimSummaryTest, OnlyOkAndAlreadyExistsAreExpected) {
  SimSummary s;
  s.status_counts[grpc::OK] = 5;
  s.status_counts[grpc::ALREADY_EXISTS] = 2;
  EXPECT_TRUE(s.ok());
  s.status_counts[grpc::DEADLINE_EXCEEDED] = 1;
  EXPECT_FALSE(s.ok());
}

TEST(SimSummaryTest, JsonHasEveryFieldTheBenchmarkReads) {
  SimSummary s;
  s.seed = 9;
  s.tokens = 10;
  s.selected = 6;
  s.answered = 4;
  s.status_counts[grpc::OK] = 4;
  s.status_counts[grpc::UNAVAILABLE] = 1;
  s.status_counts[grpc::DEADLINE_EXCEEDED] = 1;
  s.elapsed_seconds = 2;
  s.answers_per_second = 2;
  s.submit_latency = ComputeLatency({1, 2, 3});
  nlohmann::json j = nlohmann::json::parse(SummaryJson(s));
  EXPECT_EQ(j["seed"], 9);
  EXPECT_EQ(j["tokens"], 10);
  EXPECT_EQ(j["selected"], 6);
  EXPECT_EQ(j["answered"], 4);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["statuses"]["OK"], 4);
  EXPECT_EQ(j["statuses"]["ALREADY_EXISTS"], 0);
  EXPECT_EQ(j["statuses"]["NOT_FOUND"], 0);
  EXPECT_EQ(j["statuses"]["FAILED_PRECONDITION"], 0);
  EXPECT_EQ(j["statuses"]["INVALID_ARGUMENT"], 0);
  EXPECT_EQ(j["statuses"]["UNAVAILABLE"], 1);
  EXPECT_EQ(j["statuses"]["other"], 1);
  EXPECT_EQ(j["other_statuses"]["DEADLINE_EXCEEDED"], 1);
  EXPECT_DOUBLE_EQ(j["answers_per_second"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(j["submit_latency_ms"]["p50"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(j["submit_latency_ms"]["max"].get<double>(), 3);
  EXPECT_EQ(j["submit_latency_ms"]["count"], 3);
  EXPECT_THAT(SummaryText(s), ::testing::HasSubstr("DEADLINE_EXCEEDED=1"));
}

TEST(LoadTokensTest, ReadsFilesAndReportsMissingOnes) {
  const std::string path = ::testing::TempDir() + "sim_tokens.csv";
  {
    std::ofstream out(path);
    out << "subject,token\nE1,AAA\nE2,BBB\n";
  }
  absl::StatusOr<std::vector<std::string>> tokens = LoadTokens(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_THAT(*tokens, ElementsAre("AAA", "BBB"));
  EXPECT_EQ(LoadTokens(path).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace survey::sim
