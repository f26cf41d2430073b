// Exact units for what is paid or filed: money in integer cents (分), ratios
// (coefficients, completion rates, bonus factors) in integer basis points of
// one (1 bp = 0.01 %, 10000 bp = 100 %), recorded scores in centipoints
// (1/100 point).
//
// Rounding, everywhere money or a filed figure is made: halves away from
// zero, once, at the end of an exact integer computation (DivRoundHalfUp).
// Sheet scores are computed as doubles (like scoring.h) and rounded once, to
// 2 decimals, when recorded (RecordScore); everything after that is integer.
#ifndef SURVEY_DOMAIN_APPRAISAL_MONEY_H_
#define SURVEY_DOMAIN_APPRAISAL_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace survey::domain::appraisal {

inline constexpr int64_t kOneBp = 10000;  // 100 % in basis points

// Returns num / den rounded to the nearest integer, halves away from zero.
// OutOfRange if the result does not fit int64.
// REQUIRES: den > 0.
absl::StatusOr<int64_t> DivRoundHalfUp(__int128 num, __int128 den);

// Returns `yuan` in cents. InvalidArgument if it is negative, not finite,
// above 1e11 yuan, or has more than 2 decimals (within 1e-6 of a cent).
absl::StatusOr<int64_t> YuanToCents(double yuan);

// Returns `score` rounded to 2 decimals (halves away from zero, as
// RoundTo in scoring.h) in centipoints: 87.345 -> 8735. InvalidArgument if
// not finite or beyond ±1e9 points.
absl::StatusOr<int64_t> RecordScore(double score);

// "1234.50", "-0.05": cents as yuan for exports and messages.
std::string FormatCents(int64_t cents);

// "87.35 %": basis points as a percentage with 2 decimals.
std::string FormatBp(int64_t bp);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_MONEY_H_
