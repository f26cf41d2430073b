#include "domain/scoring.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "domain/form.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

// Default template order: info ×3, attitude ×2, support ×4.
const std::vector<int> kAllTens = {10, 10, 10, 10, 10, 10, 10, 10, 10};
const std::vector<int> kFixture = {8, 6, 7, 9, 9, 5, 6, 7, 8};
const std::vector<int> kOneToNine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
const std::vector<int> kAllOnes(9, 1);

Aggregate AggregateOf(const Template& t,
                      const std::vector<std::vector<int>>& responses) {
  Aggregate agg = NewAggregate(t);
  for (const std::vector<int>& r : responses) {
    absl::Status s = AddResponse(t, r, &agg);
    EXPECT_TRUE(s.ok()) << s;
  }
  return agg;
}

struct ResponseCase {
  std::string name;
  std::vector<int> scores;
  std::vector<double> mean;
  std::vector<double> weighted;
  double total;
  double total_100;
  int64_t units;  // total_100 × 120
};

class ScoreResponseTest : public testing::TestWithParam<ResponseCase> {};

TEST_P(ScoreResponseTest, HandComputed) {
  const ResponseCase& c = GetParam();
  const Template t = DefaultTemplate();
  absl::StatusOr<ResponseScore> score = ScoreResponse(t, c.scores);
  ASSERT_TRUE(score.ok()) << score.status();
  ASSERT_EQ(score->indicator_mean.size(), 3u);
  ASSERT_EQ(score->indicator_weighted.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(score->indicator_mean[i], c.mean[i]) << i;
    EXPECT_DOUBLE_EQ(score->indicator_weighted[i], c.weighted[i]) << i;
  }
  // Exact equality: both come from one division of an exact integer.
  EXPECT_EQ(score->total, c.total);
  EXPECT_EQ(score->total_100, c.total_100);
  EXPECT_EQ(TotalDenominator(t), 10 * 12);  // 10 × lcm(3, 2, 4)
  absl::StatusOr<int64_t> units = ResponseTotalUnits(t, c.scores);
  ASSERT_TRUE(units.ok()) << units.status();
  EXPECT_EQ(*units, c.units);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScoreResponseTest,
    testing::ValuesIn(std::vector<ResponseCase>{
        // 10 × 0.3 + 10 × 0.3 + 10 × 0.4 = 10 -> 100.
        {"AllTens", kAllTens, {10, 10, 10}, {3, 3, 4}, 10, 100, 12000},
        // 1 × 0.3 + 1 × 0.3 + 1 × 0.4 = 1 -> 10.
        {"AllOnes", kAllOnes, {1, 1, 1}, {0.3, 0.3, 0.4}, 1, 10, 1200},
        // info (8+6+7)/3 = 7 × 0.30 = 2.1; attitude (9+9)/2 = 9 × 0.30 = 2.7;
        // support (5+6+7+8)/4 = 6.5 × 0.40 = 2.6; 2.1 + 2.7 + 2.6 = 7.4 -> 74.
        // Units: 30×21×4 + 30×18×6 + 40×26×3 = 2520 + 3240 + 3120 = 8880.
        {"Fixture", kFixture, {7, 9, 6.5}, {2.1, 2.7, 2.6}, 7.4, 74, 8880},
        // info 6/3 = 2 × 0.3 = 0.6; attitude 9/2 = 4.5 × 0.3 = 1.35;
        // support 30/4 = 7.5 × 0.4 = 3.0; total 4.95 -> 49.5 (× 120 = 5940).
        {"Rising", kOneToNine, {2, 4.5, 7.5}, {0.6, 1.35, 3}, 4.95, 49.5, 5940},
    }),
    [](const testing::TestParamInfo<ResponseCase>& info) {
      return info.param.name;
    });

TEST(ScoreResponseErrorTest, RejectsInvalidScores) {
  const Template t = DefaultTemplate();
  absl::StatusOr<ResponseScore> short_list =
      ScoreResponse(t, std::vector<int>(8, 5));
  EXPECT_EQ(short_list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(short_list.status().message(), "scores: expected 9 scores, got 8");
  std::vector<int> eleven = kAllTens;
  eleven[4] = 11;
  EXPECT_EQ(ResponseTotalUnits(t, eleven).status().message(),
            "scores[4]: 11 is outside 1..10");
}

TEST(AggregateTest, CountsSumsSquaresAndHistogram) {
  const Template t = DefaultTemplate();
  const Aggregate agg = AggregateOf(t, {kFixture, kAllTens});
  EXPECT_EQ(agg.n, 2);
  EXPECT_EQ(agg.sub_sum[0], 8 + 10);
  EXPECT_EQ(agg.sub_sum_sq[0], 8 * 8 + 10 * 10);
  EXPECT_EQ(agg.sub_sum[5], 5 + 10);
  // histogram[sub][score - 1]: sub 0 got 8 and 10, sub 5 got 5 and 10.
  for (auto [sub, score] : {std::pair{0, 8}, {0, 10}, {5, 5}, {5, 10}}) {
    EXPECT_EQ(agg.histogram[sub][score - 1], 1) << sub << " " << score;
  }
  EXPECT_EQ(agg.histogram[5][6 - 1], 0);
  EXPECT_EQ(agg.total_sum, 8880 + 12000);
  EXPECT_EQ(agg.total_sum_sq, int64_t{8880} * 8880 + int64_t{12000} * 12000);
}

TEST(AggregateTest, BadResponseLeavesAggregateUnchanged) {
  const Template t = DefaultTemplate();
  Aggregate agg = AggregateOf(t, {kFixture});
  const Aggregate before = agg;
  std::vector<int> missing = kFixture;
  missing[2] = 0;
  absl::Status s = AddResponse(t, missing, &agg);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "scores[2]: missing");
  EXPECT_TRUE(Equal(agg, before));
}

TEST(AggregateTest, RejectsAggregateOfAnotherShape) {
  Template other = DefaultTemplate();
  other.indicators[2].subs.pop_back();  // 8 sub-indicators
  Aggregate agg = NewAggregate(other);
  absl::Status s = AddResponse(DefaultTemplate(), kFixture, &agg);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "aggregate: shaped for 8 sub-indicators, template has 9");
  EXPECT_EQ(Merge(NewAggregate(DefaultTemplate()), agg).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AggregateTest, OverflowIsReportedNotWrapped) {
  const Template t = DefaultTemplate();
  Aggregate agg = AggregateOf(t, {kAllTens});
  agg.total_sum_sq = std::numeric_limits<int64_t>::max() - 100;
  const Aggregate before = agg;
  absl::Status s = AddResponse(t, kAllTens, &agg);  // adds 12000² = 1.44e8
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(Equal(agg, before));
}

TEST(MergeTest, DeltasMergeToTheAggregateOfTheUnion) {
  const Template t = DefaultTemplate();
  const std::vector<int> r4 = {3, 3, 3, 7, 8, 2, 9, 10, 1};
  const Aggregate a = AggregateOf(t, {kFixture, kAllTens});
  const Aggregate b = AggregateOf(t, {kOneToNine, r4});
  const Aggregate c = AggregateOf(t, {kFixture});
  const Aggregate all =
      AggregateOf(t, {kFixture, kAllTens, kOneToNine, r4, kFixture});
  auto merge = [](const Aggregate& x, const Aggregate& y) {
    absl::StatusOr<Aggregate> merged = Merge(x, y);
    EXPECT_TRUE(merged.ok()) << merged.status();
    return merged.value_or(Aggregate{});
  };
  EXPECT_TRUE(Equal(merge(merge(a, b), c), all));
  // Another grouping and order gives the same sums.
  EXPECT_TRUE(Equal(merge(a, merge(c, b)), all));
  // The empty aggregate is the identity.
  EXPECT_TRUE(Equal(merge(all, NewAggregate(t)), all));
  EXPECT_FALSE(Equal(a, all));
}

TEST(SummarizeTest, MatchesPerResponseTotals) {
  const Template t = DefaultTemplate();
  // Totals 74, 100 and 49.5; mean (74 + 100 + 49.5) / 3 = 74.5.
  // Deviations -0.5, 25.5, -25 -> squares 0.25 + 650.25 + 625 = 1275.5;
  // variance 1275.5 / 2 = 637.75.
  const Aggregate agg = AggregateOf(t, {kFixture, kAllTens, kOneToNine});
  absl::StatusOr<Summary> s = Summarize(t, agg);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->n, 3);
  EXPECT_DOUBLE_EQ(s->total_100, 74.5);
  EXPECT_DOUBLE_EQ(s->total_stddev_100, std::sqrt(637.75));
  // info: sub sums 8+10+1, 6+10+2, 7+10+3 = 19, 18, 20 -> means 19/3, 6, 20/3;
  // indicator mean (19 + 18 + 20) / 9 = 57 / 9.
  EXPECT_DOUBLE_EQ(s->sub_mean[0], 19.0 / 3);
  EXPECT_DOUBLE_EQ(s->sub_mean[1], 6.0);
  EXPECT_DOUBLE_EQ(s->indicator_mean[0], 57.0 / 9);
  // Sub 0 scores 8, 10, 1: mean 19/3, Σx² = 64 + 100 + 1 = 165,
  // variance (165 - 19²/3) / 2 = (165 - 120.333...) / 2 = 22.333...
  EXPECT_DOUBLE_EQ(s->sub_stddev[0], std::sqrt((165 - 361.0 / 3) / 2));
  // Weighted indicator means equal the mean total: Σ w_i × mean_i / 10.
  double weighted = 0;
  for (size_t i = 0; i < 3; ++i) {
    weighted += t.indicators[i].weight_percent * s->indicator_mean[i] / 10;
  }
  EXPECT_NEAR(weighted, s->total_100, 1e-12);
  // Half-width 4.3027 (t, df 2) × √637.75 / √3 = 62.73...: 74.5 - 62.73 =
  // 11.77 stays, 74.5 + 62.73 = 137.2 is clipped to 100.
  ASSERT_TRUE(s->ci_100.has_value());
  EXPECT_DOUBLE_EQ(s->ci_100->low,
                   74.5 - 4.3027 * std::sqrt(637.75) / std::sqrt(3.0));
  EXPECT_EQ(s->ci_100->high, 100.0);
}

TEST(SummarizeTest, ManyResponsesAgreeWithTwoPassStatistics) {
  const Template t = DefaultTemplate();
  // A deterministic LCG spreads scores over 1..10.
  uint32_t state = 12345;
  auto next_score = [&state] {
    state = state * 1103515245u + 12345u;
    return static_cast<int>((state >> 16) % 10) + 1;
  };
  std::vector<std::vector<int>> responses(40, std::vector<int>(9));
  std::vector<double> totals;
  for (std::vector<int>& r : responses) {
    for (int& score : r) score = next_score();
    absl::StatusOr<ResponseScore> one = ScoreResponse(t, r);
    ASSERT_TRUE(one.ok());
    totals.push_back(one->total_100);
  }
  const double mean =
      std::accumulate(totals.begin(), totals.end(), 0.0) / totals.size();
  double squares = 0;
  for (double x : totals) squares += (x - mean) * (x - mean);
  const double sd = std::sqrt(squares / (totals.size() - 1));
  absl::StatusOr<Summary> s = Summarize(t, AggregateOf(t, responses));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_NEAR(s->total_100, mean, 1e-9);
  EXPECT_NEAR(s->total_stddev_100, sd, 1e-9);
  ASSERT_TRUE(s->ci_100.has_value());
  // df 39 > 30 -> normal quantile 1.96; sd > 0 with 40 random responses.
  EXPECT_NEAR(s->ci_100->low, mean - 1.96 * sd / std::sqrt(40.0), 1e-9);
  EXPECT_NEAR(s->ci_100->high, mean + 1.96 * sd / std::sqrt(40.0), 1e-9);
  EXPECT_GT(sd, 0);
}

TEST(SummarizeTest, IdenticalResponsesHaveZeroSpread) {
  const Template t = DefaultTemplate();
  absl::StatusOr<Summary> s =
      Summarize(t, AggregateOf(t, {kFixture, kFixture, kFixture}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total_100, 74.0);
  EXPECT_EQ(s->total_stddev_100, 0.0);
  ASSERT_TRUE(s->ci_100.has_value());
  EXPECT_EQ(s->ci_100->low, 74.0);
  EXPECT_EQ(s->ci_100->high, 74.0);
}

TEST(SummarizeTest, FewerThanTwoResponses) {
  const Template t = DefaultTemplate();
  absl::StatusOr<Summary> s = Summarize(t, AggregateOf(t, {kFixture}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total_100, 74.0);
  EXPECT_EQ(s->total_stddev_100, 0.0);
  EXPECT_FALSE(s->ci_100.has_value());
  EXPECT_EQ(Summarize(t, NewAggregate(t)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SummarizeTest, DetectsAggregateOfAnotherTemplate) {
  const Template t = DefaultTemplate();
  Template reweighted = t;  // same shape, weights 40 / 30 / 30
  reweighted.indicators[0].weight_percent = 40;
  reweighted.indicators[2].weight_percent = 30;
  const Aggregate agg = AggregateOf(t, {kFixture, kOneToNine});
  absl::StatusOr<Summary> s = Summarize(reweighted, agg);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StudentT975Test, TableThenNormal) {
  EXPECT_EQ(StudentT975(1), 12.7062);
  EXPECT_EQ(StudentT975(2), 4.3027);
  EXPECT_EQ(StudentT975(10), 2.2281);
  EXPECT_EQ(StudentT975(30), 2.0423);
  EXPECT_EQ(StudentT975(31), 1.96);
  EXPECT_EQ(StudentT975(100000), 1.96);
}

TEST(RoundToTest, HalfAwayFromZero) {
  struct Case {
    double value;
    int digits;
    double want;
  };
  // 74.125 and -0.125 are exact binary halves; 2.675 and 1.005 are stored
  // just below the half (2.67499999..., 1.00499999...); 8945 / 120 is
  // 74.541666...
  const std::vector<Case> cases = {
      {74.125, 2, 74.13}, {74.124, 2, 74.12},       {-0.125, 2, -0.13},
      {2.675, 2, 2.68},   {1.005, 2, 1.01},         {-2.675, 2, -2.68},
      {0.5, 0, 1.0},      {-2.5, 0, -3.0},          {2.4999, 0, 2.0},
      {74.0, 2, 74.0},    {8945.0 / 120, 2, 74.54}, {1234.5675, 3, 1234.568},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RoundTo(c.value, c.digits), c.want)
        << c.value << " to " << c.digits;
  }
  EXPECT_TRUE(std::isnan(RoundTo(std::nan(""), 2)));
}

}  // namespace
}  // namespace survey::domain
