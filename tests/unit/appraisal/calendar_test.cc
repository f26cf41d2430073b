#include "domain/appraisal/calendar.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::HasSubstr;

absl::CivilDay D(std::string_view text) {
  absl::StatusOr<absl::CivilDay> d = ParseDate(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : absl::CivilDay();
}

Period CalendarP(std::string_view text) { return *Period::Parse(text); }

// National Day 2026: Thu 1 .. Wed 7 October off; Saturday 10 October worked
// in exchange (a make-up working day); New Year's Day Fri 1 January 2027.
WorkCalendar NationalDay() {
  const std::vector<std::string> holidays = {
      "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
      "2026-10-05", "2026-10-06", "2026-10-07", "2027-01-01"};
  const std::vector<std::string> extra = {"2026-10-10"};
  absl::StatusOr<WorkCalendar> c = WorkCalendar::FromStrings(holidays, extra);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

TEST(DateTest, ParseAndFormat) {
  EXPECT_EQ(FormatDate(D("2026-10-01")), "2026-10-01");
  EXPECT_EQ(D("2028-02-29"), absl::CivilDay(2028, 2, 29));
  for (const char* bad : {"2026-02-30", "2026-2-01", "2026/02/01",
                          "1999-12-31", "2026-13-01", "", " 2026-01-01",
                          "2027-02-29"}) {
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
  }
}

TEST(CalendarTest, WeekendsHolidaysAndMakeUpDays) {
  const WorkCalendar c = NationalDay();
  EXPECT_TRUE(c.IsWorkingDay(D("2026-09-30")));   // Wednesday
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-01")));  // Thursday, holiday
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-03")));  // Saturday and holiday
  EXPECT_TRUE(c.IsWorkingDay(D("2026-10-08")));   // Thursday
  EXPECT_TRUE(c.IsWorkingDay(D("2026-10-10")));   // Saturday, worked
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-11")));  // Sunday
  const WorkCalendar plain;
  EXPECT_TRUE(plain.IsWorkingDay(D("2026-10-01")));
  EXPECT_FALSE(plain.IsWorkingDay(D("2026-10-10")));
}

TEST(CalendarTest, DataDueOnTheThirdWorkingDayOfTheNextMonth) {
  // Weekends only: Thu 1 Oct (1), Fri 2 (2), Mon 5 (3).
  EXPECT_EQ(*DataDueDate(WorkCalendar(), CalendarP("2026-09")), D("2026-10-05"));
  // With National Day: 1-7 off; Thu 8 (1), Fri 9 (2), Sat 10 worked (3).
  EXPECT_EQ(*DataDueDate(NationalDay(), CalendarP("2026-09")), D("2026-10-10"));
  // Without the make-up Saturday: Mon 12 (3).
  absl::StatusOr<WorkCalendar> no_makeup = WorkCalendar::FromStrings(
      std::vector<std::string>{"2026-10-01", "2026-10-02", "2026-10-05",
                               "2026-10-06", "2026-10-07"},
      {});
  ASSERT_TRUE(no_makeup.ok());
  EXPECT_EQ(*DataDueDate(*no_makeup, CalendarP("2026-09")), D("2026-10-12"));
  // Across the year: Fri 1 Jan 2027 off; Mon 4 (1), Tue 5 (2), Wed 6 (3).
  EXPECT_EQ(*DataDueDate(NationalDay(), CalendarP("2026-12")), D("2027-01-06"));
  // May 2026 data: Mon 1 June (1), Tue 2 (2), Wed 3 (3).
  EXPECT_EQ(*DataDueDate(WorkCalendar(), CalendarP("2026-05")), D("2026-06-03"));
  // July 2026 data, August starts on a Saturday: Mon 3 (1), Tue 4 (2),
  // Wed 5 (3).
  EXPECT_EQ(*DataDueDate(WorkCalendar(), CalendarP("2026-07")), D("2026-08-05"));
  EXPECT_EQ(DataDueDate(WorkCalendar(), CalendarP("2999-12")).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(CalendarTest, AppealWithinFiveWorkingDays) {
  const WorkCalendar c = NationalDay();
  // Result on Friday 13 Nov: Mon 16 (1) .. Fri 20 (5).
  EXPECT_EQ(AppealDeadline(c, D("2026-11-13")), D("2026-11-20"));
  // Received on a Saturday: the same five days.
  EXPECT_EQ(AppealDeadline(c, D("2026-11-14")), D("2026-11-20"));
  // Result on Tue 29 Sep: Wed 30 (1), [1-7 Oct off], Thu 8 (2), Fri 9 (3),
  // Sat 10 worked (4), Mon 12 (5).
  EXPECT_EQ(AppealDeadline(c, D("2026-09-29")), D("2026-10-12"));
  // Weekends only, same result day: Wed 30 (1), Thu 1 (2), Fri 2 (3),
  // Mon 5 (4), Tue 6 (5).
  EXPECT_EQ(AppealDeadline(WorkCalendar(), D("2026-09-29")), D("2026-10-06"));
}

TEST(CalendarTest, RejectsInconsistentLists) {
  absl::StatusOr<WorkCalendar> c = WorkCalendar::Create(
      {D("2026-10-10")}, {D("2026-10-10")});
  EXPECT_THAT(c.status().message(),
              HasSubstr("2026-10-10 is both a holiday and a make-up"));
  c = WorkCalendar::Create({}, {D("2026-10-09")});  // a Friday
  EXPECT_THAT(c.status().message(), HasSubstr("not a weekend day"));
  c = WorkCalendar::FromStrings(std::vector<std::string>{"2026-10-32"}, {});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace survey::domain::appraisal
