#include "domain/appraisal/satisfaction.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kSatisfactionEps = 1e-9;
constexpr int64_t kD = 120;  // the default template's total denominator

Period SatisfactionP(std::string_view text) { return *Period::Parse(text); }

// `n` responses whose totals add up to `points` on the 100-point scale.
MonthFigures Month(std::string_view period, int64_t n, int64_t points,
                   std::string campaign = "") {
  MonthFigures f;
  f.period = SatisfactionP(period);
  f.n = n;
  f.total_sum = points * kD;
  f.denominator = kD;
  if (!campaign.empty()) f.campaign_ids = {campaign};
  return f;
}

std::vector<std::string> Texts(const std::vector<Period>& ps) {
  std::vector<std::string> out;
  for (const Period& p : ps) out.push_back(p.ToString());
  return out;
}

TEST(SatisfactionTest, PeriodAloneWhenItHasK) {
  // June: 6 responses totalling 510 points -> mean 85.
  const std::vector<MonthFigures> f = {Month("2026-06", 6, 510, "c-jun"),
                                       Month("2026-05", 9, 900, "c-may")};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Texts(r->window), ElementsAre("2026-06"));
  EXPECT_EQ(r->n, 6);
  EXPECT_FALSE(r->insufficient_responses);
  EXPECT_NEAR(*r->mean_100, 85, kSatisfactionEps);
  EXPECT_THAT(r->campaign_ids, ElementsAre("c-jun"));
  EXPECT_FALSE(r->stddev_100.has_value());  // no sums of squares given
}

TEST(SatisfactionTest, WidensUntilKAndCombinesSumsNotMeans) {
  // June: 2 responses, 190 points (95 each); May: 1, 70; April: 3, 240.
  // k = 5: June 2 < 5 -> + May = 3 < 5 -> + April = 6 >= 5, stop.
  // mean = (190 + 70 + 240) / 6 = 500 / 6 = 83.333...
  // (the mean of the monthly means would be (95 + 70 + 80) / 3 = 81.667)
  const std::vector<MonthFigures> f = {
      Month("2026-06", 2, 190), Month("2026-05", 1, 70),
      Month("2026-04", 3, 240), Month("2026-03", 50, 4000)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Texts(r->window), ElementsAre("2026-04", "2026-05", "2026-06"));
  EXPECT_EQ(r->n, 6);
  EXPECT_NEAR(*r->mean_100, 500.0 / 6, kSatisfactionEps);
}

TEST(SatisfactionTest, InsufficientAfterThreeEarlierPeriodsShowsNoMean) {
  // One response in each of June, May, April, March: 4 < 5. February's 10
  // are beyond the 3 earlier periods and are not used.
  const std::vector<MonthFigures> f = {
      Month("2026-06", 1, 90, "a"), Month("2026-05", 1, 80, "b"),
      Month("2026-04", 1, 70, "c"), Month("2026-03", 1, 60, "d"),
      Month("2026-02", 10, 900, "e")};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->insufficient_responses);
  EXPECT_EQ(r->n, 4);
  EXPECT_THAT(Texts(r->window),
              ElementsAre("2026-03", "2026-04", "2026-05", "2026-06"));
  EXPECT_FALSE(r->mean_100.has_value());  // never shown below k
  EXPECT_FALSE(r->stddev_100.has_value());
  EXPECT_THAT(r->campaign_ids, ElementsAre("a", "b", "c", "d"));
}

TEST(SatisfactionTest, EmptyMonthsCountAsWindowPeriods) {
  // Nothing in May or April: the window still stops at March.
  const std::vector<MonthFigures> f = {Month("2026-06", 2, 180),
                                       Month("2026-03", 2, 160),
                                       Month("2026-02", 5, 400)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->insufficient_responses);
  EXPECT_EQ(r->n, 4);
  EXPECT_EQ(r->window.front(), SatisfactionP("2026-03"));
}

TEST(SatisfactionTest, WindowIsConfigurable) {
  const std::vector<MonthFigures> f = {Month("2026-06", 4, 360),
                                       Month("2026-05", 4, 320)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->insufficient_responses);
  EXPECT_THAT(Texts(r->window), ElementsAre("2026-06"));
  // k = 3 is met by June alone: 360 / 4 = 90.
  r = ComputeSatisfaction(SatisfactionP("2026-06"), f, 3, 0);
  EXPECT_NEAR(*r->mean_100, 90, kSatisfactionEps);
  // One earlier period: (360 + 320) / 8 = 85.
  r = ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 1);
  EXPECT_NEAR(*r->mean_100, 85, kSatisfactionEps);
}

TEST(SatisfactionTest, IgnoresLaterMonthsAndSumsCampaignsOfOneMonth) {
  // June has two campaigns: 3 answers / 270 points and 2 / 160 -> n = 5,
  // mean 430 / 5 = 86. July's figures must not leak into June.
  const std::vector<MonthFigures> f = {Month("2026-07", 20, 2000, "jul"),
                                       Month("2026-06", 3, 270, "a"),
                                       Month("2026-06", 2, 160, "b")};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->n, 5);
  EXPECT_NEAR(*r->mean_100, 86, kSatisfactionEps);
  EXPECT_THAT(r->campaign_ids, ElementsAre("a", "b"));
}

TEST(SatisfactionTest, CombinesDifferentTemplatesExactly) {
  // June: 3 answers, 240 points, denominator 120 -> 28800 units.
  // May: 2 answers, 150 points, denominator 10 -> 1500 units.
  // lcm(120, 10) = 120; May scales by 12 to 18000 units.
  // mean = (28800 + 18000) / (5 × 120) = 46800 / 600 = 78 = (240 + 150) / 5
  MonthFigures may = Month("2026-05", 2, 0);
  may.denominator = 10;
  may.total_sum = 1500;
  const std::vector<MonthFigures> f = {Month("2026-06", 3, 240), may};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(*r->mean_100, 78, kSatisfactionEps);
}

TEST(SatisfactionTest, SpreadAndIntervalFromSumsOfSquares) {
  // Totals 80, 90, 70, 100, 60: mean 80; deviations 0, 10, -10, 20, -20;
  // Σ squares of deviations 1000; sample variance 1000 / 4 = 250.
  // In units of 1/120: Σx = 400 × 120 = 48000,
  // Σx² = 120² × (6400 + 8100 + 4900 + 10000 + 3600) = 14400 × 33000.
  MonthFigures f = Month("2026-06", 5, 400);
  f.total_sum_sq = int64_t{14400} * 33000;
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), std::vector<MonthFigures>{f}, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(*r->mean_100, 80, kSatisfactionEps);
  EXPECT_NEAR(*r->stddev_100, std::sqrt(250.0), 1e-9);
  // 80 ± t(4) × √250 / √5 = 80 ± 2.7764 × √50
  const double half = StudentT975(4) * std::sqrt(50.0);
  ASSERT_TRUE(r->ci95.has_value());
  EXPECT_NEAR(r->ci95->low, 80 - half, 1e-9);
  EXPECT_NEAR(r->ci95->high, std::min(100.0, 80 + half), 1e-9);
}

TEST(SatisfactionTest, FromMeanWhenOnlyMeansAreKnown) {
  // June: 4 answers, mean 87.25 -> 4 × 872500 = 3490000 units of 1/10000.
  // May:  2 answers, mean 90.
  // (4 × 87.25 + 2 × 90) / 6 = (349 + 180) / 6 = 88.1666...
  absl::StatusOr<MonthFigures> june =
      MonthFigures::FromMean(SatisfactionP("2026-06"), 4, 87.25);
  ASSERT_TRUE(june.ok());
  EXPECT_EQ(june->total_sum, 3490000);
  const std::vector<MonthFigures> f = {
      *june, *MonthFigures::FromMean(SatisfactionP("2026-05"), 2, 90)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(*r->mean_100, 529.0 / 6, kSatisfactionEps);
  EXPECT_FALSE(MonthFigures::FromMean(SatisfactionP("2026-06"), 4, 101).ok());
  EXPECT_FALSE(MonthFigures::FromMean(SatisfactionP("2026-06"), -1, 80).ok());
}

TEST(SatisfactionTest, StopsWideningAtTheFirstPeriod) {
  const std::vector<MonthFigures> f = {Month("2000-02", 2, 180),
                                       Month("2000-01", 2, 160)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2000-02"), f, 5, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Texts(r->window), ElementsAre("2000-01", "2000-02"));
  EXPECT_TRUE(r->insufficient_responses);
}

TEST(SatisfactionTest, RejectsBadInput) {
  const std::vector<MonthFigures> ok = {Month("2026-06", 5, 400)};
  EXPECT_EQ(ComputeSatisfaction(SatisfactionP("2026-06"), ok, 2, 3).status().message(),
            "k is 2, must be at least 3");
  EXPECT_EQ(ComputeSatisfaction(SatisfactionP("2026-06"), ok, 5, 4).status().message(),
            "max_window is 4, must be 0..3");
  std::vector<MonthFigures> bad = {Month("2026-06", 2, 201)};  // > 100 each
  EXPECT_THAT(ComputeSatisfaction(SatisfactionP("2026-06"), bad, 5, 3).status().message(),
              HasSubstr("total_sum is outside 0..100 points per response"));
  bad = {Month("2026-06", -1, 0)};
  EXPECT_EQ(ComputeSatisfaction(SatisfactionP("2026-06"), bad, 5, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = {Month("2026-06", 5, 400)};
  bad[0].denominator = 0;
  EXPECT_EQ(ComputeSatisfaction(SatisfactionP("2026-06"), bad, 5, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SatisfactionTest, SatisfactionLineFeedsTheSheet) {
  const std::vector<MonthFigures> f = {Month("2026-06", 6, 513)};
  absl::StatusOr<SatisfactionResult> r =
      ComputeSatisfaction(SatisfactionP("2026-06"), f, 5, 3);
  ASSERT_TRUE(r.ok());
  SheetLine line = SatisfactionLine(*r, SheetTemplate::kStandard, 20);
  EXPECT_EQ(line.section, Section::kKpi);
  EXPECT_TRUE(line.satisfaction);
  EXPECT_FALSE(line.insufficient_responses);
  EXPECT_NEAR(*line.reviewer_score, 85.5, kSatisfactionEps);  // 513 / 6
  EXPECT_EQ(line.weight, 20);

  r->insufficient_responses = true;
  r->mean_100.reset();
  line = SatisfactionLine(*r, SheetTemplate::kCustomerService, 20);
  EXPECT_EQ(line.section, Section::kPerformance);
  EXPECT_TRUE(line.insufficient_responses);
  EXPECT_FALSE(line.reviewer_score.has_value());
}

}  // namespace
}  // namespace survey::domain::appraisal
