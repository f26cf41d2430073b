#include "domain/appraisal/monthly.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Period MonthlyP(std::string_view text) { return *Period::Parse(text); }

TEST(CoefficientTest, RecordedScoreOverMaximum) {
  EXPECT_EQ(*CoefficientBp(85.46), 8546);    // 85.46 %
  EXPECT_EQ(*CoefficientBp(87.345), 8735);   // recorded 87.35 -> 87.35 %
  EXPECT_EQ(*CoefficientBp(105), 10500);     // bonus points: not clipped
  EXPECT_EQ(*CoefficientBp(0), 0);
  EXPECT_EQ(*CoefficientBp(100.0 / 3), 3333);  // 33.33 / 100
  // A maximum of 80: 76.8 / 80 = 7680 × 10000 / 8000 = 9600 bp = 96 %.
  EXPECT_EQ(*CoefficientBp(76.8, 80), 9600);
  // 50 / 60 = 0.83333 -> 8333 bp; 55 / 60 = 0.916666 -> 9167 bp.
  EXPECT_EQ(*CoefficientBp(50, 60), 8333);
  EXPECT_EQ(*CoefficientBp(55, 60), 9167);
  EXPECT_FALSE(CoefficientBp(-1).ok());
  EXPECT_FALSE(CoefficientBp(50, 0).ok());
}

TEST(PayTest, CapTimesCoefficientToTheCent) {
  // 3000.00 yuan × 87.35 % = 300000 × 8735 / 10000 = 262050 cents
  absl::StatusOr<MonthlyPay> pay = ComputeMonthlyPay(300000, 8735, 400000);
  ASSERT_TRUE(pay.ok());
  EXPECT_EQ(pay->performance_pay_cents, 262050);
  // base pay = post pay 4000.00 + 2620.50 = 6620.50
  EXPECT_EQ(pay->base_pay_cents, 662050);
  // 1234.57 × 87.35 % = 123457 × 8735 / 10000 = 107839.6895 -> 107840
  EXPECT_EQ(ComputeMonthlyPay(123457, 8735, 0)->performance_pay_cents,
            107840);
  // 1.01 × 50 % = 101 × 5000 / 10000 = 50.5 cents -> 51 (half up)
  EXPECT_EQ(ComputeMonthlyPay(101, 5000, 0)->performance_pay_cents, 51);
}

TEST(PayTest, CapIsACeiling) {
  // 105 % pays the cap, not 105 % of it.
  EXPECT_EQ(ComputeMonthlyPay(300000, 10500, 0)->performance_pay_cents,
            300000);
  EXPECT_FALSE(ComputeMonthlyPay(-1, 5000, 0).ok());
  EXPECT_FALSE(ComputeMonthlyPay(100, -1, 0).ok());
}

TEST(PayTest, CapsFromConfiguration) {
  absl::StatusOr<PayCaps> caps = PayCaps::FromYuan(
      {{"engineer:3", 3000.0}, {"agent:2", 2500.5}});
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_EQ(*caps->Find("engineer", "3"), 300000);
  EXPECT_EQ(*caps->Find("agent", "2"), 250050);
  EXPECT_EQ(caps->Find("engineer", "4").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(caps->Find("engineer", "4").status().message(),
            "no performance cap for engineer:4");
  EXPECT_FALSE(PayCaps::FromYuan({{"engineer", 1.0}}).ok());
  EXPECT_FALSE(PayCaps::FromYuan({{"a:b:c", 1.0}}).ok());
  EXPECT_FALSE(PayCaps::FromYuan({{":3", 1.0}}).ok());
  EXPECT_FALSE(PayCaps::FromYuan({{"engineer:3", 1.005}}).ok());
}

class FlagsTest : public testing::Test {
 protected:
  std::vector<MonthlyFlag> Flags(std::string_view month) {
    absl::StatusOr<std::vector<MonthlyFlag>> f = MonthlyFlags(history_, MonthlyP(month));
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : std::vector<MonthlyFlag>{};
  }
  void Add(std::string_view month, int64_t bp) {
    history_.push_back({MonthlyP(month), bp});
  }
  std::vector<MonthCoefficient> history_;
};

TEST_F(FlagsTest, BelowFiftyAndSixty) {
  Add("2026-01", 4900);
  Add("2026-02", 4800);
  Add("2026-03", 6000);
  Add("2026-04", 4500);
  Add("2026-06", 4000);  // May has no sheet
  EXPECT_THAT(Flags("2026-01"), IsEmpty());
  // Jan and Feb both < 50 %, consecutive: warning. Two < 60 %: not yet.
  EXPECT_THAT(Flags("2026-02"), ElementsAre(MonthlyFlag::kWarning));
  // 60.00 % is not below 60 %.
  EXPECT_THAT(Flags("2026-03"), IsEmpty());
  // April: March was not < 50 %, so no warning; but Jan, Feb, Apr make
  // three months < 50 % (and < 60 %) this year.
  EXPECT_THAT(Flags("2026-04"), ElementsAre(MonthlyFlag::kDismissalReview,
                                            MonthlyFlag::kCapDown));
  // June: May is missing, so not consecutive; the count (4) still flags.
  EXPECT_THAT(Flags("2026-06"), ElementsAre(MonthlyFlag::kDismissalReview,
                                            MonthlyFlag::kCapDown));
}

TEST_F(FlagsTest, LaterMonthsAreIgnored) {
  Add("2026-01", 4000);
  Add("2026-02", 4000);
  Add("2026-03", 4000);
  // In February only Jan and Feb are known to count.
  EXPECT_THAT(Flags("2026-02"), ElementsAre(MonthlyFlag::kWarning));
  EXPECT_THAT(Flags("2026-03"),
              ElementsAre(MonthlyFlag::kWarning, MonthlyFlag::kDismissalReview,
                          MonthlyFlag::kCapDown));
}

TEST_F(FlagsTest, AboveNinety) {
  Add("2026-01", 9100);
  Add("2026-02", 9500);
  Add("2026-03", 9000);  // exactly 90 % is not above it
  Add("2026-04", 9200);
  EXPECT_THAT(Flags("2026-03"), IsEmpty());
  EXPECT_THAT(Flags("2026-04"), ElementsAre(MonthlyFlag::kCapUp));
}

TEST_F(FlagsTest, ConsecutiveCrossesTheYearCumulativeDoesNot) {
  Add("2025-11", 4000);
  Add("2025-12", 4000);
  Add("2026-01", 4000);
  EXPECT_THAT(Flags("2026-01"), ElementsAre(MonthlyFlag::kWarning));
}

TEST_F(FlagsTest, Errors) {
  Add("2026-01", 4000);
  EXPECT_EQ(MonthlyFlags(history_, MonthlyP("2026-02")).status().code(),
            absl::StatusCode::kNotFound);
  Add("2026-01", 5000);
  EXPECT_EQ(MonthlyFlags(history_, MonthlyP("2026-01")).status().message(),
            "2026-01 appears twice");
}

TEST(FlagNamesTest, Stable) {
  EXPECT_EQ(MonthlyFlagName(MonthlyFlag::kWarning), "warning_two_below_50");
  EXPECT_EQ(MonthlyFlagName(MonthlyFlag::kDismissalReview),
            "dismissal_review_three_below_50");
  EXPECT_EQ(MonthlyFlagName(MonthlyFlag::kCapUp), "cap_up_three_above_90");
  EXPECT_EQ(MonthlyFlagName(MonthlyFlag::kCapDown), "cap_down_three_below_60");
}

}  // namespace
}  // namespace survey::domain::appraisal
