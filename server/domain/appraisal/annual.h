// Annual results (DOMAIN.md §4, seed 002 §7.2, seed 001 §4.6, §4.9): the
// annual coefficient, the annual flags and the year-end bonus. Grades come
// from grading.h. The system flags; people decide.
//
// Standard sheet: annual coefficient = mean of the year's monthly
// coefficients, in basis points, rounded half up once:
//   round(Σ coefficient_bp / months).
// Customer-service sheet: year-end score = checks × 20 % + monthly × 30 %
// + year-end appraisal × 50 %, each part the plain mean of its scores; the
// annual coefficient is that score / 100, and a score above 100 (after
// recording to 2 decimals) marks an "outstanding employee".
//
// Annual flags: E -> no annual bonus; E this year and last -> demotion or
// dismissal review; B or better this year and last -> promotion review;
// A -> excellent-employee award.
//
// Year-end bonus = company completion rate × annual coefficient × annual
// bonus factor × base salary, all ratios in basis points, computed exactly
// and rounded half up to the cent once:
//   round(salary_cents × completion_bp × coefficient_bp × factor_bp / 10^12)
//
// Decisions (DOMAIN.md is silent):
//   - Months without a sheet are left out of the mean (joiners, leave);
//     a year without any sheet has no annual coefficient.
//   - The bonus here is the formula's amount for every grade; the payable
//     amount of an E is 0 (002: 年度考核不称职者 免年度奖), applied where the
//     result leaves the server (api/appraisal_grading.cc), the formula's
//     amount kept beside it for information.
//   - The annual coefficient is not clipped at 100 % for the bonus (001 lets
//     scores above 100 carry into the annual weighting).
//   - Base salary is the monthly base salary (post pay + performance cap),
//     as HR enters it; the factor says how many of them are paid.
#ifndef SURVEY_DOMAIN_APPRAISAL_ANNUAL_H_
#define SURVEY_DOMAIN_APPRAISAL_ANNUAL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/appraisal/config.h"
#include "domain/appraisal/grading.h"
#include "domain/appraisal/monthly.h"

namespace survey::domain::appraisal {

// The mean of `months` falling in `year`. FailedPrecondition if none does;
// InvalidArgument for a repeated month or a negative coefficient.
absl::StatusOr<int64_t> AnnualCoefficientBp(
    std::span<const MonthCoefficient> months, int year);

struct CustomerServiceYear {
  std::vector<double> checks;          // weekly and monthly checks, 0..110
  std::vector<double> monthly_scores;  // monthly appraisal scores, 0..110
  double year_end_score = 0;           // the year-end appraisal, 0..110
};

struct CustomerServiceAnnual {
  double score = 0;            // 20/30/50 composition, unrounded
  int64_t coefficient_bp = 0;  // recorded score / 100
  bool outstanding = false;    // recorded score > 100.00
};

// FailedPrecondition if checks or monthly scores are empty; InvalidArgument
// for a score outside 0..110 (100 + at most 10 commendation points).
absl::StatusOr<CustomerServiceAnnual> ScoreCustomerServiceYear(
    const CustomerServiceYear& year, const YearEndComposition& composition);

enum class AnnualFlag {
  kNoAnnualBonus,              // "no_annual_bonus"
  kDemotionOrDismissalReview,  // "demotion_or_dismissal_review"
  kPromotionReview,            // "promotion_review"
  kExcellentEmployeeAward,     // "excellent_employee_award"
  kOutstandingEmployee,        // "outstanding_employee" (customer service)
};
std::string_view AnnualFlagName(AnnualFlag flag);

// The flags in enum order. `last_year` is absent when the employee was not
// graded last year (then no two-year flag is raised).
std::vector<AnnualFlag> AnnualFlags(Grade grade,
                                    std::optional<Grade> last_year,
                                    bool outstanding);

struct YearEndBonusInput {
  int64_t completion_bp = 0;          // company completion rate, 0..1000 %
  int64_t annual_coefficient_bp = 0;  // 0..1000 %
  int64_t bonus_factor_bp = 0;        // annual bonus factor, 0..100
  int64_t base_salary_cents = 0;      // 0..1e12 cents
};

// InvalidArgument naming the first input outside its range.
absl::StatusOr<int64_t> YearEndBonusCents(const YearEndBonusInput& input);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_ANNUAL_H_
