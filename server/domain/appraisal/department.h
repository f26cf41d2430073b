// Department appraisal (DOMAIN.md §3, seed 003) and how it reaches the
// department's people in their quarterly score.
//
//   table score  = Σ audited rating × weight / 100   (duties, work plan)
//   factor       = key-indicator score / 100
//   total        = (duties × 30 + plan × 30 + customer × 20) / 100 × factor
//   normalised   = (duties × 30 + plan × 30 + customer × 20) / 80 × factor
// Seed 003's example: duties 100 = 40 + 20 + 20 + 20, plan 96 = 50 + 30 + 16,
// key indicator 100 (factor 1.0), customer 90:
//   total = (30 + 28.8 + 18) × 1.0 = 76.8, normalised 76.8 / 0.8 = 96.0.
//
// Quarterly carry (seed 003, note 3):
//   manager: quarterly = department × 80 % + own × 20 %
//   member:  quarterly = department × 20 % + own × 80 %
//
// Decisions (DOMAIN.md is silent):
//   - The quarter carries the normalised total (0..100), not the literal one
//     (0..80): carrying the literal one would cap a perfect manager at 84.
//   - "own" is the mean of the employee's recorded monthly sheet scores of
//     the quarter (months without a sheet are left out); the department
//     figure is whatever HR audits for the quarter (e.g. the mean of its
//     monthly normalised totals, MeanScore).
//   - No customer evaluation (fewer than k cross-evaluations even after
//     widening): the customer part is left out and the rest renormalised,
//     as on the sheet: normalised = (d × 30 + p × 30) / 60 × factor, and
//     total = normalised × 80 / 100 keeps its 0..80 range.
//   - Ratings, scores and the key-indicator score are 0..100: the factor
//     can only reduce the total.
//   - A table item without an audited rating is not yet scorable
//     (FailedPrecondition): the self rating never counts.
#ifndef SURVEY_DOMAIN_APPRAISAL_DEPARTMENT_H_
#define SURVEY_DOMAIN_APPRAISAL_DEPARTMENT_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/appraisal/config.h"

namespace survey::domain::appraisal {

// One item of the duties table or one task of the work-plan table.
struct AuditedItem {
  std::string name;
  double weight = 0;  // percent; a table's weights sum to 100
  std::optional<double> self_rating;     // 0..100, never counts
  std::optional<double> audited_rating;  // 0..100, counts
};

// Returns Σ audited_rating × weight / 100. InvalidArgument (naming `table`)
// if there are no items, a weight is not > 0, the weights do not sum to 100
// or a rating is outside 0..100; FailedPrecondition naming the items not
// yet audited.
absl::StatusOr<double> ScoreAuditedTable(std::string_view table,
                                         std::span<const AuditedItem> items);

struct DepartmentInput {
  double duties = 0;  // audited, 0..100
  double plan = 0;    // audited, 0..100
  std::optional<double> customer;  // cross-evaluation; absent: insufficient
  double key_indicator = 0;        // 0..100
};

struct DepartmentTotal {
  double factor = 0;       // key_indicator / 100
  double total = 0;        // the literal formula, 0..Σ weights
  double normalised = 0;   // on the 100-point scale
  bool customer_counted = false;
};

// InvalidArgument if a figure is outside 0..100 or not finite.
// REQUIRES: ValidateConfig passed for `weights` (sum 1..100).
absl::StatusOr<DepartmentTotal> ComputeDepartmentTotal(
    const DepartmentInput& input, const DepartmentWeights& weights);

enum class DepartmentRole { kManager, kMember };

// The quarterly score: department_normalised × share + own × (100 - share)
// / 100, share = carry.manager or carry.member. InvalidArgument if a score
// is negative or not finite (own may exceed 100 through bonus points).
absl::StatusOr<double> QuarterlyScore(DepartmentRole role,
                                      double department_normalised,
                                      double own, const QuarterCarry& carry);

// The plain mean of `scores`; FailedPrecondition if empty.
absl::StatusOr<double> MeanScore(std::span<const double> scores);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_DEPARTMENT_H_
