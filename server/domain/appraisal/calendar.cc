#include "domain/appraisal/calendar.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace survey::domain::appraisal {
namespace {

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

absl::Status ParseAll(std::span<const std::string> texts,
                      std::set<absl::CivilDay>& out) {
  for (const std::string& t : texts) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(t);
    if (!day.ok()) return day.status();
    out.insert(*day);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text) {
  // Hand-rolled: absl::ParseCivilTime accepts signs and normalises
  // 2026-02-30 to March, neither of which may pass here.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "date \"", std::string(text), "\" is not of the form YYYY-MM-DD"));
  }
  const int y = ToInt(text.substr(0, 4)), m = ToInt(text.substr(5, 2)),
            d = ToInt(text.substr(8, 2));
  const absl::CivilDay day(y, m, d);
  if (y < Period::kMinYear || y > Period::kMaxYear || day.month() != m ||
      day.day() != d) {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", std::string(text), "\" does not exist"));
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::StatusOr<WorkCalendar> WorkCalendar::Create(
    std::set<absl::CivilDay> holidays,
    std::set<absl::CivilDay> extra_working_days) {
  for (absl::CivilDay day : extra_working_days) {
    if (holidays.count(day)) {
      return absl::InvalidArgumentError(absl::StrCat(
          FormatDate(day), " is both a holiday and a make-up working day"));
    }
    if (!IsWeekend(day)) {
      return absl::InvalidArgumentError(absl::StrCat(
          FormatDate(day), " is a make-up working day but not a weekend day"));
    }
  }
  WorkCalendar c;
  c.holidays_ = std::move(holidays);
  c.extra_working_days_ = std::move(extra_working_days);
  return c;
}

absl::StatusOr<WorkCalendar> WorkCalendar::FromStrings(
    std::span<const std::string> holidays,
    std::span<const std::string> extra_working_days) {
  std::set<absl::CivilDay> h, e;
  if (absl::Status s = ParseAll(holidays, h); !s.ok()) return s;
  if (absl::Status s = ParseAll(extra_working_days, e); !s.ok()) return s;
  return Create(std::move(h), std::move(e));
}

bool WorkCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (extra_working_days_.count(day)) return true;
  return !IsWeekend(day) && !holidays_.count(day);
}

absl::CivilDay WorkCalendar::AddWorkingDays(absl::CivilDay day, int n) const {
  // Terminates: the holiday list is finite, so working days recur.
  while (n > 0) {
    ++day;
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

absl::StatusOr<absl::CivilDay> DataDueDate(const WorkCalendar& calendar,
                                           Period month) {
  absl::StatusOr<Period> next = month.Next();
  if (!next.ok()) return next.status();
  // The day before the 1st, so that the 1st itself can be working day 1.
  const absl::CivilDay eve =
      absl::CivilDay(next->Year(), next->Month(), 1) - 1;
  return calendar.AddWorkingDays(eve, kDataDueWorkingDays);
}

absl::CivilDay AppealDeadline(const WorkCalendar& calendar,
                              absl::CivilDay result_received) {
  return calendar.AddWorkingDays(result_received, kAppealWorkingDays);
}

}  // namespace survey::domain::appraisal
