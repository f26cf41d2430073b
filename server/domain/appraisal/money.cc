#include "domain/appraisal/money.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/scoring.h"

namespace survey::domain::appraisal {

absl::StatusOr<int64_t> DivRoundHalfUp(__int128 num, __int128 den) {
  const bool negative = num < 0;
  const __int128 a = negative ? -num : num;
  __int128 q = a / den;
  if ((a % den) * 2 >= den) ++q;
  if (negative) q = -q;
  if (q > std::numeric_limits<int64_t>::max() ||
      q < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("amount does not fit in 64 bits");
  }
  return static_cast<int64_t>(q);
}

absl::StatusOr<int64_t> YuanToCents(double yuan) {
  if (!std::isfinite(yuan) || yuan < 0 || yuan > 1e11) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount ", yuan, " must be a number of yuan 0..1e11"));
  }
  const double cents = yuan * 100;
  const double rounded = std::round(cents);
  if (std::abs(cents - rounded) > 1e-6 * std::max(1.0, std::abs(cents))) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount ", yuan, " has more than 2 decimals"));
  }
  return static_cast<int64_t>(rounded);
}

absl::StatusOr<int64_t> RecordScore(double score) {
  if (!std::isfinite(score) || std::abs(score) > 1e9) {
    return absl::InvalidArgumentError(
        absl::StrCat("score ", score, " is not a finite number of points"));
  }
  // RoundTo treats 87.345 (stored as 87.34499999...) as the decimal half
  // the reader sees; the product is then within 1e-6 of an integer.
  return static_cast<int64_t>(std::llround(RoundTo(score, 2) * 100));
}

std::string FormatCents(int64_t cents) {
  const uint64_t a = cents < 0 ? 0 - static_cast<uint64_t>(cents)
                               : static_cast<uint64_t>(cents);
  return absl::StrFormat("%s%d.%02d", cents < 0 ? "-" : "", a / 100, a % 100);
}

std::string FormatBp(int64_t bp) {
  return absl::StrCat(FormatCents(bp), " %");
}

}  // namespace survey::domain::appraisal
