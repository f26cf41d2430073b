#include "domain/period.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace survey::domain {
namespace {

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

}  // namespace

absl::StatusOr<Period> Period::Parse(std::string_view text) {
  // Hand-rolled rather than absl::SimpleAtoi, which accepts signs and
  // whitespace that must not occur in a period.
  if (text.size() != 7 || text[4] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2))) {
    return absl::InvalidArgumentError(
        absl::StrCat("period \"", absl::CHexEscape(std::string(text)),
                     "\" is not of the form YYYY-MM"));
  }
  absl::StatusOr<Period> period =
      FromYearMonth(ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)));
  if (!period.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period \"", std::string(text), "\": ", period.status().message()));
  }
  return period;
}

absl::StatusOr<Period> Period::FromYearMonth(int year, int month) {
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", year, " is outside ", kMinYear, "..", kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("month ", month, " is outside 1..12"));
  }
  return Period(year, month);
}

std::string Period::ToString() const {
  return absl::StrFormat("%04d-%02d", year_, month_);
}

std::string Period::Quarter() const {
  return absl::StrFormat("%04d-Q%d", year_, QuarterNumber());
}

absl::StatusOr<Period> Period::FromIndex(int64_t index) {
  constexpr int64_t kCount = (kMaxYear - kMinYear + 1) * 12;
  if (index < 0 || index >= kCount) {
    return absl::OutOfRangeError(
        absl::StrCat("period is outside ", kMinYear, "-01..", kMaxYear, "-12"));
  }
  return Period(kMinYear + static_cast<int>(index / 12),
                1 + static_cast<int>(index % 12));
}

absl::StatusOr<Period> Period::Previous(int n) const {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Previous(", n, "): n must not be negative"));
  }
  return FromIndex(static_cast<int64_t>(Index()) - n);
}

absl::StatusOr<Period> Period::Next(int n) const {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Next(", n, "): n must not be negative"));
  }
  // 64-bit: Index() + INT_MAX must not overflow.
  return FromIndex(static_cast<int64_t>(Index()) + n);
}

int Period::MonthsSince(const Period& earlier) const {
  return Index() - earlier.Index();
}

}  // namespace survey::domain
