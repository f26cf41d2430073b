// Working days and the appraisal deadlines (DOMAIN.md §4, seed 002 §6.3):
// a month's data is due within the first 3 working days of the next month;
// an appeal is allowed within 5 working days of receiving the result.
//
// A working day is a Monday..Friday that is not a holiday, or a weekend day
// HR lists as worked (调休, the make-up working days of Chinese public
// holidays). HR maintains both lists (SetHolidaysRequest); nothing here
// knows any country's holidays.
//
// Deadlines are whole days, inclusive: the data of 2026-09 is on time if it
// arrives on or before DataDueDate(2026-09). Days are civil days in the
// company's time zone: the service converts timestamps before calling.
//
// Decisions (DOMAIN.md is silent):
//   - The day the result is received does not count: the appeal deadline is
//     the 5th working day after it, whatever kind of day it was.
//   - A date may not be both a holiday and a make-up working day, and a
//     make-up working day must fall on a weekend (InvalidArgument).
#ifndef SURVEY_DOMAIN_APPRAISAL_CALENDAR_H_
#define SURVEY_DOMAIN_APPRAISAL_CALENDAR_H_

#include <set>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "domain/period.h"

namespace survey::domain::appraisal {

inline constexpr int kDataDueWorkingDays = 3;
inline constexpr int kAppealWorkingDays = 5;

// Parses exactly "YYYY-MM-DD" (a real date, year 2000..2999).
// InvalidArgument otherwise.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text);
std::string FormatDate(absl::CivilDay day);  // "YYYY-MM-DD"

class WorkCalendar {
 public:
  // Weekends only, no holidays.
  WorkCalendar() = default;

  // InvalidArgument on an overlap or a make-up day that is not a weekend
  // day (naming the date).
  static absl::StatusOr<WorkCalendar> Create(
      std::set<absl::CivilDay> holidays,
      std::set<absl::CivilDay> extra_working_days);

  // From SetHolidaysRequest's "YYYY-MM-DD" strings (duplicates allowed).
  static absl::StatusOr<WorkCalendar> FromStrings(
      std::span<const std::string> holidays,
      std::span<const std::string> extra_working_days);

  bool IsWorkingDay(absl::CivilDay day) const;

  // The n-th working day strictly after `day` (n >= 1).
  absl::CivilDay AddWorkingDays(absl::CivilDay day, int n) const;

 private:
  std::set<absl::CivilDay> holidays_;
  std::set<absl::CivilDay> extra_working_days_;
};

// The last day on which `month`'s data is on time: the 3rd working day of
// the following month. OutOfRange for 2999-12.
absl::StatusOr<absl::CivilDay> DataDueDate(const WorkCalendar& calendar,
                                           Period month);

// The last day an appeal may be filed: the 5th working day after
// `result_received`.
absl::CivilDay AppealDeadline(const WorkCalendar& calendar,
                              absl::CivilDay result_received);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_CALENDAR_H_
