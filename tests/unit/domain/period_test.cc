#include "domain/period.h"

#include <algorithm>
#include <climits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace survey::domain {
namespace {

Period P(std::string_view text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.ok() ? *p : Period();
}

class ParseValidTest : public testing::TestWithParam<const char*> {};

TEST_P(ParseValidTest, RoundTrips) {
  EXPECT_EQ(P(GetParam()).ToString(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, ParseValidTest,
                         testing::Values("2026-01", "2026-12", "2000-01",
                                         "2999-12", "2100-07"));

TEST(PeriodTest, ParseGivesYearAndMonth) {
  const Period p = P("2026-09");
  EXPECT_EQ(p.Year(), 2026);
  EXPECT_EQ(p.Month(), 9);
}

class ParseInvalidTest : public testing::TestWithParam<std::string> {};

TEST_P(ParseInvalidTest, Rejects) {
  absl::StatusOr<Period> p = Period::Parse(GetParam());
  ASSERT_FALSE(p.ok()) << GetParam() << " parsed as " << *p;
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseInvalidTest,
    testing::Values("2026-13", "2026-00", "26-01", "2026-1", "2026-001",
                    "2026/01", "202601", " 2026-01", "2026-01 ", "2026-01\n",
                    "1999-12", "3000-01", "+026-01", "2026-+1", "2026--1", "",
                    "abcd-ef", "2026-1a",
                    // ':' follows '9' in ASCII: naive digit arithmetic would
                    // read these as 2026-10 and 2020-01.
                    "2026-0:", "201:-01",
                    // Full-width digits: not ASCII, must not pass.
                    "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x96-01",
                    std::string("2026-0\0", 7)));

TEST(PeriodTest, ParseErrorMessages) {
  EXPECT_EQ(std::string(Period::Parse("2026-13").status().message()),
            "period \"2026-13\": month 13 is outside 1..12");
  EXPECT_EQ(std::string(Period::Parse("1999-12").status().message()),
            "period \"1999-12\": year 1999 is outside 2000..2999");
  EXPECT_EQ(std::string(Period::Parse("2026-1").status().message()),
            "period \"2026-1\" is not of the form YYYY-MM");
}

TEST(PeriodTest, FromYearMonth) {
  absl::StatusOr<Period> p = Period::FromYearMonth(2026, 3);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ToString(), "2026-03");
  EXPECT_EQ(*p, P("2026-03"));
  for (auto [year, month] : std::vector<std::pair<int, int>>{
           {2026, 0}, {2026, 13}, {1999, 1}, {3000, 1}, {-1, -1}}) {
    absl::StatusOr<Period> bad = Period::FromYearMonth(year, month);
    EXPECT_FALSE(bad.ok()) << year << "-" << month;
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(PeriodTest, DefaultIsEarliest) {
  EXPECT_EQ(Period().ToString(), "2000-01");
  EXPECT_FALSE(Period().Previous().ok());
}

struct QuarterCase {
  const char* month;
  const char* quarter;
  int number;
};

class QuarterTest : public testing::TestWithParam<QuarterCase> {};

TEST_P(QuarterTest, Labels) {
  const Period p = P(GetParam().month);
  EXPECT_EQ(p.Quarter(), GetParam().quarter);
  EXPECT_EQ(p.QuarterNumber(), GetParam().number);
}

INSTANTIATE_TEST_SUITE_P(Table, QuarterTest,
                         testing::Values(QuarterCase{"2026-01", "2026-Q1", 1},
                                         QuarterCase{"2026-03", "2026-Q1", 1},
                                         QuarterCase{"2026-04", "2026-Q2", 2},
                                         QuarterCase{"2026-06", "2026-Q2", 2},
                                         QuarterCase{"2026-07", "2026-Q3", 3},
                                         QuarterCase{"2026-09", "2026-Q3", 3},
                                         QuarterCase{"2026-10", "2026-Q4", 4},
                                         QuarterCase{"2026-12", "2026-Q4", 4},
                                         QuarterCase{"2000-11", "2000-Q4", 4}));

struct StepCase {
  const char* from;
  int n;
  const char* previous;  // nullptr: out of range.
  const char* next;      // nullptr: out of range.
};

class StepTest : public testing::TestWithParam<StepCase> {};

TEST_P(StepTest, Steps) {
  const StepCase& c = GetParam();
  const Period from = P(c.from);
  absl::StatusOr<Period> prev = from.Previous(c.n);
  absl::StatusOr<Period> next = from.Next(c.n);
  if (c.previous == nullptr) {
    EXPECT_EQ(prev.status().code(), absl::StatusCode::kOutOfRange) << c.from;
  } else {
    ASSERT_TRUE(prev.ok()) << prev.status();
    EXPECT_EQ(prev->ToString(), c.previous);
    EXPECT_EQ(from.MonthsSince(*prev), c.n);
  }
  if (c.next == nullptr) {
    EXPECT_EQ(next.status().code(), absl::StatusCode::kOutOfRange) << c.from;
  } else {
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->ToString(), c.next);
    EXPECT_EQ(next->MonthsSince(from), c.n);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, StepTest,
    testing::Values(StepCase{"2026-05", 0, "2026-05", "2026-05"},
                    StepCase{"2026-05", 1, "2026-04", "2026-06"},
                    StepCase{"2026-01", 1, "2025-12", "2026-02"},
                    StepCase{"2025-12", 1, "2025-11", "2026-01"},
                    StepCase{"2026-02", 3, "2025-11", "2026-05"},
                    StepCase{"2026-06", 12, "2025-06", "2027-06"},
                    StepCase{"2026-06", 25, "2024-05", "2028-07"},
                    StepCase{"2000-01", 1, nullptr, "2000-02"},
                    StepCase{"2999-12", 1, "2999-11", nullptr},
                    StepCase{"2000-03", 3, nullptr, "2000-06"},
                    StepCase{"2000-03", 2, "2000-01", "2000-05"},
                    StepCase{"2500-01", INT_MAX, nullptr, nullptr}));

TEST(PeriodTest, DefaultStepIsOneMonth) {
  EXPECT_EQ(P("2026-01").Previous().value(), P("2025-12"));
  EXPECT_EQ(P("2026-12").Next().value(), P("2027-01"));
}

TEST(PeriodTest, NegativeStepIsInvalid) {
  EXPECT_EQ(P("2026-01").Previous(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(P("2026-01").Next(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(P("2026-01").Next(INT_MIN).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PeriodTest, OrderingIsChronological) {
  EXPECT_LT(P("2025-12"), P("2026-01"));
  EXPECT_LT(P("2026-01"), P("2026-02"));
  EXPECT_GT(P("2026-10"), P("2026-09"));
  EXPECT_EQ(P("2026-07"), P("2026-07"));
  EXPECT_NE(P("2026-07"), P("2027-07"));
  EXPECT_LE(P("2026-07"), P("2026-07"));
  std::vector<Period> periods = {P("2026-10"), P("2025-12"), P("2026-02"),
                                 P("2026-01")};
  std::sort(periods.begin(), periods.end());
  std::vector<std::string> sorted;
  for (const Period& p : periods) sorted.push_back(p.ToString());
  EXPECT_EQ(sorted, (std::vector<std::string>{"2025-12", "2026-01", "2026-02",
                                              "2026-10"}));
}

TEST(PeriodTest, MonthsSince) {
  EXPECT_EQ(P("2026-03").MonthsSince(P("2025-12")), 3);
  EXPECT_EQ(P("2025-12").MonthsSince(P("2026-03")), -3);
  EXPECT_EQ(P("2026-03").MonthsSince(P("2026-03")), 0);
  EXPECT_EQ(P("2999-12").MonthsSince(P("2000-01")), 1000 * 12 - 1);
}

TEST(PeriodTest, StreamsAsText) {
  std::ostringstream os;
  os << P("2026-04");
  EXPECT_EQ(os.str(), "2026-04");
}

}  // namespace
}  // namespace survey::domain
