// Monthly results of a sheet (DOMAIN.md §4, seed 002 §7.1): coefficient,
// performance pay and the consequence flags. The system flags; people
// decide: a flag is data for HR, never an action.
//
//   coefficient      = sheet score / maximum score × 100 %
//   performance pay  = performance cap (post, grade) × coefficient
//   base pay         = post pay + performance pay
// Flags, per month, from the coefficients of the employee's months:
//   warning            this and the previous calendar month both < 50 %
//   dismissal review   3rd (or later) month of the year < 50 %
//   cap up             3rd (or later) month of the year > 90 %
//   cap down           3rd (or later) month of the year < 60 %
//
// Units and rounding (money.h): the sheet score is recorded to 2 decimals;
// the coefficient is that recorded score / maximum in basis points, halves
// up; pay is cap_cents × coefficient_bp / 10000 rounded half up to the cent.
// So the coefficient printed on the sheet (87.35 %) is exactly the one paid.
//
// Decisions (DOMAIN.md is silent):
//   - Pay uses min(coefficient, 100 %): the cap (上限额) is a ceiling. The
//     coefficient itself is not clipped (bonus points may lift it above
//     100 %) and the flags see the unclipped value.
//   - "Consecutive" means calendar-consecutive months (December then
//     January counts); a month without a sheet breaks the run.
//   - "Cumulative" counts months of the same calendar year, the appraisal
//     year; the count restarts each January. A flag is raised in the month
//     the count reaches 3 and in every later qualifying month of that year.
//   - Thresholds are strict as written: exactly 50 % is not "below 50 %",
//     exactly 90 % is not "above 90 %".
//   - Caps are keyed "post:grade" (PeriodConfig.performance_caps) in yuan
//     with at most 2 decimals.
#ifndef SURVEY_DOMAIN_APPRAISAL_MONTHLY_H_
#define SURVEY_DOMAIN_APPRAISAL_MONTHLY_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/period.h"

namespace survey::domain::appraisal {

// Returns round(recorded score / recorded max × 10000) in basis points, both
// recorded to 2 decimals first (RecordScore). InvalidArgument if the score
// is negative or max_score is not > 0.
absl::StatusOr<int64_t> CoefficientBp(double sheet_score,
                                      double max_score = 100);

// Performance caps by post and grade, in cents.
class PayCaps {
 public:
  // From PeriodConfig.performance_caps: keys "post:grade" (both non-empty,
  // one ':'), values in yuan. InvalidArgument naming the first bad entry.
  static absl::StatusOr<PayCaps> FromYuan(
      const std::map<std::string, double>& yuan_by_key);

  // NotFound "no performance cap for post:grade" when not configured.
  absl::StatusOr<int64_t> Find(std::string_view post,
                               std::string_view grade) const;

 private:
  std::map<std::string, int64_t, std::less<>> cents_;
};

struct MonthlyPay {
  int64_t performance_pay_cents = 0;
  int64_t base_pay_cents = 0;  // post pay + performance pay
};

// InvalidArgument if an amount or the coefficient is negative.
absl::StatusOr<MonthlyPay> ComputeMonthlyPay(int64_t cap_cents,
                                             int64_t coefficient_bp,
                                             int64_t post_pay_cents);

enum class MonthlyFlag {
  kWarning,          // "warning_two_below_50"
  kDismissalReview,  // "dismissal_review_three_below_50"
  kCapUp,            // "cap_up_three_above_90"
  kCapDown,          // "cap_down_three_below_60"
};
std::string_view MonthlyFlagName(MonthlyFlag flag);

struct MonthCoefficient {
  Period period;
  int64_t coefficient_bp = 0;
};

// The flags of `month`, in enum order, from `history` (any order; months
// after `month` are ignored). InvalidArgument if a month appears twice or a
// coefficient is negative; NotFound if `month` is not in `history`.
absl::StatusOr<std::vector<MonthlyFlag>> MonthlyFlags(
    std::span<const MonthCoefficient> history, Period month);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_MONTHLY_H_
