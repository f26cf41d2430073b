// Appraisal periods. A period is a calendar month; quarters and years are
// derived from it (DOMAIN.md section 7), never stored separately, so a
// quarterly or annual figure is always the aggregate of its months.
#ifndef SURVEY_DOMAIN_PERIOD_H_
#define SURVEY_DOMAIN_PERIOD_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace survey::domain {

// A month between 2000-01 and 2999-12. The bounds keep "YYYY-MM" four digits
// wide, so the text form sorts like the value and fits fixed-width columns.
// Cheap to copy; compare with ==, <, etc. (chronological order).
class Period {
 public:
  static constexpr int kMinYear = 2000;
  static constexpr int kMaxYear = 2999;

  // 2000-01, the earliest period; exists so Period can live in containers
  // and structs. Real periods come from Parse or FromYearMonth.
  Period() = default;

  // Returns the period written as exactly "YYYY-MM" (zero-padded month, no
  // spaces or sign). Returns InvalidArgument if the text has another shape
  // ("2026-1", "26-01", "2026/01", " 2026-01"), the month is not 01..12
  // ("2026-13", "2026-00") or the year is outside 2000..2999.
  static absl::StatusOr<Period> Parse(std::string_view text);

  // Returns the period for `year` and `month` (1..12), or InvalidArgument if
  // either is out of range.
  static absl::StatusOr<Period> FromYearMonth(int year, int month);

  int Year() const { return year_; }
  int Month() const { return month_; }                    // 1..12.
  int QuarterNumber() const { return (month_ + 2) / 3; }  // 1..4.

  // "YYYY-MM"; Parse(p.ToString()) == p.
  std::string ToString() const;

  // The quarter label, "2026-Q4" for 2026-10..2026-12.
  std::string Quarter() const;

  // Returns the period `n` months earlier (Previous) or later (Next).
  // Returns InvalidArgument if n < 0, OutOfRange if the result would leave
  // 2000-01..2999-12.
  absl::StatusOr<Period> Previous(int n = 1) const;
  absl::StatusOr<Period> Next(int n = 1) const;

  // Months from `earlier` to this period: 0 for the same month, negative if
  // `earlier` is in fact later.
  int MonthsSince(const Period& earlier) const;

  friend auto operator<=>(const Period&, const Period&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Period& p) {
    return H::combine(std::move(h), p.year_, p.month_);
  }

  // For logs and test failure messages.
  friend std::ostream& operator<<(std::ostream& os, const Period& p) {
    return os << p.ToString();
  }

 private:
  Period(int year, int month) : year_(year), month_(month) {}

  // Returns the period `index` months after 2000-01, or OutOfRange.
  static absl::StatusOr<Period> FromIndex(int64_t index);
  int Index() const { return (year_ - kMinYear) * 12 + (month_ - 1); }

  // Declaration order makes the defaulted <=> chronological.
  int year_ = kMinYear;
  int month_ = 1;
};

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_PERIOD_H_
