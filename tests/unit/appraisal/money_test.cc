#include "domain/appraisal/money.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

TEST(MoneyTest, DivRoundHalfUpRoundsHalvesAwayFromZero) {
  EXPECT_EQ(*DivRoundHalfUp(5, 2), 3);    // 2.5 -> 3
  EXPECT_EQ(*DivRoundHalfUp(-5, 2), -3);  // -2.5 -> -3
  EXPECT_EQ(*DivRoundHalfUp(7, 3), 2);    // 2.33 -> 2
  EXPECT_EQ(*DivRoundHalfUp(8, 3), 3);    // 2.67 -> 3
  EXPECT_EQ(*DivRoundHalfUp(0, 7), 0);
  EXPECT_EQ(*DivRoundHalfUp(1, 3), 0);
  const __int128 huge = static_cast<__int128>(1) << 100;
  EXPECT_EQ(DivRoundHalfUp(huge, 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(MoneyTest, YuanToCents) {
  EXPECT_EQ(*YuanToCents(1234.5), 123450);
  EXPECT_EQ(*YuanToCents(0.01), 1);
  EXPECT_EQ(*YuanToCents(0.07), 7);  // 0.07 × 100 = 7.000000000000001
  EXPECT_EQ(*YuanToCents(0), 0);
  EXPECT_FALSE(YuanToCents(1.005).ok());  // a tenth of a cent
  EXPECT_FALSE(YuanToCents(-1).ok());
  EXPECT_FALSE(YuanToCents(std::nan("")).ok());
  EXPECT_FALSE(YuanToCents(std::numeric_limits<double>::infinity()).ok());
}

TEST(MoneyTest, RecordScoreRoundsTo2DecimalsAsWritten) {
  EXPECT_EQ(*RecordScore(87.345), 8735);  // a decimal half: up
  EXPECT_EQ(*RecordScore(87.344), 8734);
  EXPECT_EQ(*RecordScore(2.675), 268);    // stored as 2.67499999...
  EXPECT_EQ(*RecordScore(100), 10000);
  EXPECT_EQ(*RecordScore(200.0 / 3), 6667);  // 66.666... -> 66.67
  EXPECT_FALSE(RecordScore(std::nan("")).ok());
}

TEST(MoneyTest, Format) {
  EXPECT_EQ(FormatCents(123450), "1234.50");
  EXPECT_EQ(FormatCents(-5), "-0.05");
  EXPECT_EQ(FormatCents(0), "0.00");
  EXPECT_EQ(FormatBp(8735), "87.35 %");
  EXPECT_EQ(FormatBp(10500), "105.00 %");
}

}  // namespace
}  // namespace survey::domain::appraisal
