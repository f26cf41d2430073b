#include "domain/appraisal/annual.h"

#include <cmath>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/appraisal/money.h"

namespace survey::domain::appraisal {
namespace {

absl::StatusOr<double> MeanOf(std::string_view what,
                              const std::vector<double>& scores) {
  if (scores.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no ", std::string(what), " for the year"));
  }
  double sum = 0;
  for (double s : scores) {
    if (!std::isfinite(s) || s < 0 || s > 110) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(what), " score ", s, " is outside 0..110"));
    }
    sum += s;
  }
  return sum / static_cast<double>(scores.size());
}

}  // namespace

absl::StatusOr<int64_t> AnnualCoefficientBp(
    std::span<const MonthCoefficient> months, int year) {
  std::set<Period> seen;
  __int128 sum = 0;
  int64_t count = 0;
  for (const MonthCoefficient& m : months) {
    if (m.coefficient_bp < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "coefficient of ", m.period.ToString(), " is negative"));
    }
    if (!seen.insert(m.period).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(m.period.ToString(), " appears twice"));
    }
    if (m.period.Year() != year) continue;
    sum += m.coefficient_bp;
    ++count;
  }
  if (count == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("no monthly coefficient in ", year));
  }
  return DivRoundHalfUp(sum, count);
}

absl::StatusOr<CustomerServiceAnnual> ScoreCustomerServiceYear(
    const CustomerServiceYear& year, const YearEndComposition& c) {
  absl::StatusOr<double> checks = MeanOf("checks", year.checks);
  if (!checks.ok()) return checks.status();
  absl::StatusOr<double> monthly = MeanOf("monthly", year.monthly_scores);
  if (!monthly.ok()) return monthly.status();
  absl::StatusOr<double> year_end = MeanOf("year-end", {year.year_end_score});
  if (!year_end.ok()) return year_end.status();
  CustomerServiceAnnual out;
  out.score = (*checks * c.checks + *monthly * c.monthly +
               *year_end * c.year_end) / 100;
  absl::StatusOr<int64_t> recorded = RecordScore(out.score);
  if (!recorded.ok()) return recorded.status();
  out.coefficient_bp = *recorded;  // centipoints / 100 points = bp of one
  out.outstanding = *recorded > 100 * 100;
  return out;
}

std::string_view AnnualFlagName(AnnualFlag flag) {
  switch (flag) {
    case AnnualFlag::kNoAnnualBonus: return "no_annual_bonus";
    case AnnualFlag::kDemotionOrDismissalReview:
      return "demotion_or_dismissal_review";
    case AnnualFlag::kPromotionReview: return "promotion_review";
    case AnnualFlag::kExcellentEmployeeAward: return "excellent_employee_award";
    case AnnualFlag::kOutstandingEmployee: return "outstanding_employee";
  }
  return "unknown";
}

std::vector<AnnualFlag> AnnualFlags(Grade grade,
                                    std::optional<Grade> last_year,
                                    bool outstanding) {
  auto b_or_better = [](Grade g) { return g == Grade::kA || g == Grade::kB; };
  std::vector<AnnualFlag> flags;
  if (grade == Grade::kE) flags.push_back(AnnualFlag::kNoAnnualBonus);
  if (grade == Grade::kE && last_year == Grade::kE) {
    flags.push_back(AnnualFlag::kDemotionOrDismissalReview);
  }
  if (b_or_better(grade) && last_year && b_or_better(*last_year)) {
    flags.push_back(AnnualFlag::kPromotionReview);
  }
  if (grade == Grade::kA) flags.push_back(AnnualFlag::kExcellentEmployeeAward);
  if (outstanding) flags.push_back(AnnualFlag::kOutstandingEmployee);
  return flags;
}

absl::StatusOr<int64_t> YearEndBonusCents(const YearEndBonusInput& in) {
  struct Field {
    const char* name;
    int64_t value;
    int64_t max;
  };
  for (const Field& f : {Field{"completion_bp", in.completion_bp, 10 * kOneBp},
                         Field{"annual_coefficient_bp",
                               in.annual_coefficient_bp, 10 * kOneBp},
                         Field{"bonus_factor_bp", in.bonus_factor_bp,
                               100 * kOneBp},
                         Field{"base_salary_cents", in.base_salary_cents,
                               1'000'000'000'000}}) {
    if (f.value < 0 || f.value > f.max) {
      return absl::InvalidArgumentError(absl::StrCat(
          f.name, " is ", f.value, ", must be 0..", f.max));
    }
  }
  // At most 1e12 × 1e5 × 1e5 × 1e6 = 1e28 < 2^127: exact.
  const __int128 num = static_cast<__int128>(in.base_salary_cents) *
                       in.completion_bp * in.annual_coefficient_bp *
                       in.bonus_factor_bp;
  const __int128 den =
      static_cast<__int128>(kOneBp) * kOneBp * kOneBp;
  return DivRoundHalfUp(num, den);
}

}  // namespace survey::domain::appraisal
