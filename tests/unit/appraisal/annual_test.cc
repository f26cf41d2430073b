#include "domain/appraisal/annual.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using F = AnnualFlag;

Period AnnualP(std::string_view text) { return *Period::Parse(text); }

TEST(AnnualCoefficientTest, MeanOfTheYearsMonths) {
  // 2026: 8000 + 8500 + 9001 = 25501; / 3 = 8500.33 -> 8500 bp.
  // December 2025 belongs to another year.
  const std::vector<MonthCoefficient> m = {{AnnualP("2025-12"), 1000},
                                           {AnnualP("2026-01"), 8000},
                                           {AnnualP("2026-02"), 8500},
                                           {AnnualP("2026-04"), 9001}};
  EXPECT_EQ(*AnnualCoefficientBp(m, 2026), 8500);
  // (8000 + 8001) / 2 = 8000.5 -> 8001 (half up).
  const std::vector<MonthCoefficient> half = {{AnnualP("2026-01"), 8000},
                                              {AnnualP("2026-02"), 8001}};
  EXPECT_EQ(*AnnualCoefficientBp(half, 2026), 8001);
  EXPECT_EQ(AnnualCoefficientBp(m, 2027).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::vector<MonthCoefficient> dup = {{AnnualP("2026-01"), 8000},
                                             {AnnualP("2026-01"), 8001}};
  EXPECT_EQ(AnnualCoefficientBp(dup, 2026).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CustomerServiceYearTest, TwentyThirtyFifty) {
  // checks (90 + 80 + 100) / 3 = 90; monthly (84 + 88 + 92) / 3 = 88;
  // year-end 95.
  // (90 × 20 + 88 × 30 + 95 × 50) / 100 = (1800 + 2640 + 4750) / 100 = 91.9
  CustomerServiceYear y{{90, 80, 100}, {84, 88, 92}, 95};
  absl::StatusOr<CustomerServiceAnnual> a =
      ScoreCustomerServiceYear(y, YearEndComposition());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NEAR(a->score, 91.9, 1e-9);
  EXPECT_EQ(a->coefficient_bp, 9190);
  EXPECT_FALSE(a->outstanding);
}

TEST(CustomerServiceYearTest, AboveHundredAfterWeightingIsOutstanding) {
  // Commendations carried scores over 100 (seed 001, 4.9):
  // checks 105; monthly (102 + 104) / 2 = 103; year-end 101.
  // (105 × 20 + 103 × 30 + 101 × 50) / 100 = (2100 + 3090 + 5050) / 100
  //   = 102.4 -> outstanding, coefficient 102.40 %.
  CustomerServiceYear y{{105}, {102, 104}, 101};
  absl::StatusOr<CustomerServiceAnnual> a =
      ScoreCustomerServiceYear(y, YearEndComposition());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NEAR(a->score, 102.4, 1e-9);
  EXPECT_EQ(a->coefficient_bp, 10240);
  EXPECT_TRUE(a->outstanding);
  // Exactly 100 is not "above 100".
  y = {{100}, {100}, 100};
  EXPECT_FALSE(ScoreCustomerServiceYear(y, YearEndComposition())->outstanding);
}

TEST(CustomerServiceYearTest, Errors) {
  EXPECT_EQ(ScoreCustomerServiceYear({{}, {90}, 90}, YearEndComposition())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ScoreCustomerServiceYear({{90}, {111}, 90}, YearEndComposition())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AnnualFlagsTest, Table) {
  EXPECT_THAT(AnnualFlags(Grade::kE, std::nullopt, false),
              ElementsAre(F::kNoAnnualBonus));
  EXPECT_THAT(AnnualFlags(Grade::kE, Grade::kE, false),
              ElementsAre(F::kNoAnnualBonus, F::kDemotionOrDismissalReview));
  EXPECT_THAT(AnnualFlags(Grade::kE, Grade::kD, false),
              ElementsAre(F::kNoAnnualBonus));
  EXPECT_THAT(AnnualFlags(Grade::kA, Grade::kB, false),
              ElementsAre(F::kPromotionReview, F::kExcellentEmployeeAward));
  EXPECT_THAT(AnnualFlags(Grade::kB, Grade::kA, false),
              ElementsAre(F::kPromotionReview));
  EXPECT_THAT(AnnualFlags(Grade::kB, Grade::kC, false), IsEmpty());
  EXPECT_THAT(AnnualFlags(Grade::kA, std::nullopt, false),
              ElementsAre(F::kExcellentEmployeeAward));
  EXPECT_THAT(AnnualFlags(Grade::kC, std::nullopt, true),
              ElementsAre(F::kOutstandingEmployee));
  EXPECT_EQ(AnnualFlagName(F::kNoAnnualBonus), "no_annual_bonus");
  EXPECT_EQ(AnnualFlagName(F::kDemotionOrDismissalReview),
            "demotion_or_dismissal_review");
  EXPECT_EQ(AnnualFlagName(F::kExcellentEmployeeAward),
            "excellent_employee_award");
}

TEST(YearEndBonusTest, Formula) {
  // completion 98 % × coefficient 91.90 % × factor 2 × base 8000.00 yuan
  //   = 800000 cents × 0.98 × 0.919 × 2 = 800000 × 1.80124 = 1440992 cents
  EXPECT_EQ(*YearEndBonusCents({9800, 9190, 20000, 800000}), 1440992);
  // 3333.33 yuan × 100 % × 100 % × 0.5 = 166666.5 cents -> 166667 (half up)
  EXPECT_EQ(*YearEndBonusCents({10000, 10000, 5000, 333333}), 166667);
  // 1234.56 × 103.5 % × 87.65 % × 1.5
  //   = 123456 × 10350 × 8765 × 15000 / 10^12
  //   = 167994.75816 cents -> 167995 (one rounding, at the end)
  EXPECT_EQ(*YearEndBonusCents({10350, 8765, 15000, 123456}), 167995);
  EXPECT_EQ(*YearEndBonusCents({0, 8765, 15000, 123456}), 0);
  EXPECT_EQ(YearEndBonusCents({-1, 8765, 15000, 123456}).status().message(),
            "completion_bp is -1, must be 0..100000");
}

}  // namespace
}  // namespace survey::domain::appraisal
