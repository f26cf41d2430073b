#include "domain/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

namespace survey::domain {
namespace {

std::shared_ptr<const Template> Default() {
  static auto t = std::make_shared<const Template>(DefaultTemplate());
  return t;
}

CampaignPart Part(const std::vector<std::vector<int>>& answers, int64_t issued,
                  bool closed, Withheld decision) {
  CampaignPart p;
  p.closed = closed;
  p.issued = issued;
  p.form = Default();
  p.aggregate = NewAggregate(*p.form);
  for (const auto& a : answers) {
    EXPECT_TRUE(AddResponse(*p.form, a, &p.aggregate).ok());
  }
  p.responses = p.aggregate.n;
  p.decision = decision;
  return p;
}

const std::vector<int> kR1 = {8, 9, 10, 7, 9, 10, 10, 9, 9};
const std::vector<int> kR2 = {6, 6, 6, 5, 5, 8, 8, 8, 8};
const std::vector<int> kTens = {10, 10, 10, 10, 10, 10, 10, 10, 10};

TEST(ReportTest, FiguresMatchTheHandArithmetic) {
  // Default form: info (3 subs, 30 %), attitude (2, 30 %), support (4, 40 %).
  // R1: info 27/3 = 9 -> 2.7; attitude 16/2 = 8 -> 2.4; support 38/4 = 9.5
  //     -> 3.8; total 8.9 -> 89 points.
  // R2: 6 -> 1.8; 5 -> 1.5; 8 -> 3.2; total 6.5 -> 65 points.
  // R3..R5: 100 points each.
  // mean = (89 + 65 + 300) / 5 = 90.8
  // squared deviations 3.24 + 665.64 + 3 x 84.64 = 922.8; / 4 = 230.7
  // sd = sqrt(230.7) = 15.18881; half CI = 2.7764 x sd / sqrt(5) = 18.8591
  std::vector<CampaignPart> parts = {
      Part({kR1, kR2, kTens, kTens, kTens}, 8, true, Withheld::kNone)};
  absl::StatusOr<CellFigures> f = ComputeCell(parts);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->scores, Withheld::kNone);
  EXPECT_EQ(f->responses, 5);
  EXPECT_EQ(f->issued, 8);
  EXPECT_DOUBLE_EQ(*f->response_rate, 5.0 / 8.0);
  EXPECT_NEAR(f->total_100, 90.8, 1e-9);
  EXPECT_NEAR(f->stddev_100, std::sqrt(230.7), 1e-9);
  ASSERT_TRUE(f->ci_100.has_value());
  EXPECT_NEAR(f->ci_100->low, 90.8 - 2.7764 * std::sqrt(230.7) / std::sqrt(5.0), 1e-6);
  EXPECT_DOUBLE_EQ(f->ci_100->high, 100.0);  // clipped
  // Scores of 9..10: R1 has 7, R3..R5 27, of 45 scores. 1..5: R2's two 5s.
  EXPECT_NEAR(f->share_9_10, 34.0 / 45.0, 1e-12);
  EXPECT_NEAR(f->share_1_5, 2.0 / 45.0, 1e-12);
  ASSERT_EQ(f->indicators.size(), 3u);
  // info sub means: (8+6+30)/5 = 8.8, (9+6+30)/5 = 9.0, (10+6+30)/5 = 9.2.
  EXPECT_NEAR(f->indicators[0].sub_mean[0], 8.8, 1e-12);
  EXPECT_NEAR(f->indicators[0].sub_mean[2], 9.2, 1e-12);
  EXPECT_NEAR(f->indicators[0].mean, 9.0, 1e-12);
  EXPECT_NEAR(f->indicators[0].weighted, 2.7, 1e-12);
  // attitude: (7+5+30)/5 = 8.4 and (9+5+30)/5 = 8.8 -> 8.6 -> x 0.3 = 2.58.
  EXPECT_NEAR(f->indicators[1].weighted, 2.58, 1e-12);
  // Sub-indicator 4 (attitude 1) histogram: one 5, one 7, three 10s.
  EXPECT_EQ(f->indicators[1].sub_histogram[0][4], 1);
  EXPECT_EQ(f->indicators[1].sub_histogram[0][6], 1);
  EXPECT_EQ(f->indicators[1].sub_histogram[0][9], 3);
  EXPECT_GT(RankKey(*f), 70.0);
}

TEST(ReportTest, OpenCampaignShowsCountsOnly) {
  std::vector<CampaignPart> parts = {
      Part({kR1, kR2, kTens, kTens, kTens, kTens}, 10, false, Withheld::kNone)};
  absl::StatusOr<CellFigures> f = ComputeCell(parts);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->scores, Withheld::kCampaignOpen);
  EXPECT_EQ(f->responses, 6);
  EXPECT_DOUBLE_EQ(*f->response_rate, 0.6);
  EXPECT_TRUE(f->indicators.empty());
  EXPECT_EQ(RankKey(*f), -std::numeric_limits<double>::infinity());
}

TEST(ReportTest, AQuarterWithAHiddenMonthIsWithheld) {
  std::vector<CampaignPart> parts = {
      Part({kR1, kR2, kTens, kTens, kTens}, 5, true, Withheld::kNone),
      Part({kR1, kR2}, 5, true, Withheld::kBelowThreshold)};
  absl::StatusOr<CellFigures> f = ComputeCell(parts);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->scores, Withheld::kComplementary);
  EXPECT_EQ(f->responses, 7);
}

TEST(ReportTest, QuarterOfReleasedMonthsAddsThemUp) {
  // Month 1: mean 90.8 over 5; month 2: five 100s. Quarter: (454 + 500) / 10.
  std::vector<CampaignPart> parts = {
      Part({kR1, kR2, kTens, kTens, kTens}, 5, true, Withheld::kNone),
      Part({kTens, kTens, kTens, kTens, kTens}, 6, true, Withheld::kNone),
      Part({}, 0, true, Withheld::kNoData)};
  absl::StatusOr<CellFigures> f = ComputeCell(parts);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->scores, Withheld::kNone);
  EXPECT_NEAR(f->total_100, 95.4, 1e-9);
  EXPECT_DOUBLE_EQ(*f->response_rate, 10.0 / 11.0);
}

TEST(ReportTest, PeriodRanges) {
  auto q = PeriodRange::Parse("2026-Q4", "range");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Months().size(), 3u);
  EXPECT_EQ(q->Months()[0].ToString(), "2026-10");
  EXPECT_EQ(q->Previous()->ToString(), "2026-Q3");
  auto y = PeriodRange::Parse("2026", "range");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->Previous()->ToString(), "2025");
  auto m = PeriodRange::Parse("2026-01", "range");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->Previous()->ToString(), "2025-12");
  EXPECT_TRUE(y->Contains(m->first));
  EXPECT_FALSE(q->Contains(m->first));
  for (const char* bad : {"2026-Q5", "26", "2026-13", "", "x026", "2026-Q0"}) {
    auto r = PeriodRange::Parse(bad, "range.quarter");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("range.quarter", 0), 0u);
  }
}

}  // namespace
}  // namespace survey::domain
