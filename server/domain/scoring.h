// Scoring of survey responses (DOMAIN.md §2): per response, and in aggregate
// from the running sums the server keeps per subject and period.
//
// Per response, with indicator i having c_i sub-indicators whose scores sum
// to S_i and weight w_i percent:
//   score②_i = (S_i / c_i) × w_i / 100          (on the 1..10 scale)
//   total    = Σ_i score②_i                      (1..10)
//   total100 = total × 10 = Σ_i w_i × S_i / (10 × c_i)   (the reported figure)
//
// Exact totals. Let L = lcm(c_1, ..., c_k) and D = 10 × L, the template's
// "total denominator". Then
//   total100 × D = Σ_i w_i × S_i × (L / c_i)
// is an integer: the response total in "total units" of 1/D point on the
// 100-point scale. Aggregates sum these units and their squares as int64, so
// sums are exact and merging batches in any order gives identical results.
// Default template: c = 3, 2, 4, so L = 12 and D = 120; all 10s is
// 30×30×4 + 30×20×6 + 40×40×3 = 12000 units = 100.0 points.
// ValidateTemplate caps L at kMaxSubCountLcm (2520), so one response is at
// most 100 × 25200 units and its square at most 6.4e12: over a million
// responses fit in one aggregate even then, 6.4e10 with the default template.
// Arithmetic that would still overflow returns OutOfRange, never wraps.
//
// Rounding. Every function reports unrounded doubles; round only for
// display, with RoundTo(x, 2).
#ifndef SURVEY_DOMAIN_SCORING_H_
#define SURVEY_DOMAIN_SCORING_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/form.h"

namespace survey::domain {

// Returns D = 10 × lcm of the indicators' sub-indicator counts (120 for
// DefaultTemplate()).
// REQUIRES: ValidateTemplate(t).ok().
int64_t TotalDenominator(const Template& t);

// Returns the response's total in units of 1/TotalDenominator(t) point on
// the 100-point scale, or InvalidArgument as ValidateScores (submission.h)
// when `scores` is not one 1..10 score per sub-indicator.
// REQUIRES: ValidateTemplate(t).ok().
absl::StatusOr<int64_t> ResponseTotalUnits(const Template& t,
                                           std::span<const int> scores);

struct ResponseScore {
  std::vector<double> indicator_mean;      // per indicator, 1..10
  std::vector<double> indicator_weighted;  // score② per indicator
  double total = 0;                        // Σ score②, 1..10
  double total_100 = 0;                    // total × 10, 10..100
};

// Scores one response. Returns the scores, or InvalidArgument as
// ValidateScores when `scores` is not one 1..10 score per sub-indicator.
// Each field is computed from exact integers with a single division, so
// e.g. a total of exactly 74 is 74.0, not 73.99999999999999.
// REQUIRES: ValidateTemplate(t).ok().
absl::StatusOr<ResponseScore> ScoreResponse(const Template& t,
                                            std::span<const int> scores);

// Running sums over the responses to one template, e.g. for one subject in
// one period. Only sums are kept: who answered what is not recoverable.
// Every response answers every sub-indicator (ValidateScores), so one n
// serves all of them. Vectors are indexed by sub-indicator in template
// order.
struct Aggregate {
  int64_t n = 0;                    // responses
  std::vector<int64_t> sub_sum;     // Σ score
  std::vector<int64_t> sub_sum_sq;  // Σ score²
  // histogram[j][s - 1] = responses that gave sub-indicator j the score s.
  std::vector<std::array<int64_t, 10>> histogram;
  int64_t total_sum = 0;     // Σ response total, in total units (see top)
  int64_t total_sum_sq = 0;  // Σ (response total in total units)²

  bool operator==(const Aggregate&) const = default;
};

// A batch of responses aggregated on its own, to be merged into a stored
// aggregate with Merge; deltas also merge with each other first.
using AggregateDelta = Aggregate;

// Returns true if both aggregates hold identical sums (same as ==).
bool Equal(const Aggregate& a, const Aggregate& b);

// Returns an aggregate of zero responses shaped for `t`.
// REQUIRES: ValidateTemplate(t).ok().
Aggregate NewAggregate(const Template& t);

// Adds one response to `*agg`. Returns OK on success; InvalidArgument as
// ValidateScores for bad scores, or when `*agg` is not shaped for `t`;
// OutOfRange if a sum would overflow int64. On error `*agg` is unchanged.
// REQUIRES: ValidateTemplate(t).ok(); `*agg` came from NewAggregate(t), or
// from AddResponse / Merge on such aggregates.
absl::Status AddResponse(const Template& t, std::span<const int> scores,
                         Aggregate* agg);

// Returns the aggregate of the union of the responses of `a` and `b`.
// Merge is exact, commutative and associative. Returns InvalidArgument if
// the two have different shapes (sub-indicator counts), OutOfRange if a sum
// would overflow int64.
// REQUIRES: both aggregate responses to the same template version; only
// their shapes can be checked here.
absl::StatusOr<Aggregate> Merge(const Aggregate& a, const Aggregate& b);

struct Interval {
  double low = 0;
  double high = 0;
};

// Figures derived from an Aggregate. Standard deviations are sample
// standard deviations (divisor n - 1) and are 0 when n < 2.
struct Summary {
  int64_t n = 0;
  std::vector<double> sub_mean;        // per sub-indicator, 1..10
  std::vector<double> sub_stddev;      // per sub-indicator
  std::vector<double> indicator_mean;  // mean of its sub-indicator means
  // Weighted total on the 100-point scale: Σ_i w_i × indicator_mean_i / 10,
  // which equals the mean of the per-response totals.
  double total_100 = 0;
  double total_stddev_100 = 0;  // spread of the per-response totals
  // 95 % confidence interval of the mean total: total_100 ± t × sd / √n with
  // t = StudentT975(n - 1), clipped to the attainable 10..100. Absent when
  // n < 2.
  std::optional<Interval> ci_100;
};

// Returns the summary of `agg`. Returns FailedPrecondition if agg.n == 0;
// InvalidArgument if `agg` is not shaped for `t`, or its totals disagree with
// its sub-indicator sums under `t`'s weights (it was built with another
// template, or the stored sums are damaged).
// REQUIRES: ValidateTemplate(t).ok().
absl::StatusOr<Summary> Summarize(const Template& t, const Aggregate& agg);

// Returns the 0.975 quantile of Student's t distribution with `df` degrees of
// freedom, from a 4-decimal table for df 1..30 and the normal 1.96 above
// (the table's last entry, 2.0423, is within 4 % of it).
// REQUIRES: df >= 1.
double StudentT975(int64_t df);

// Returns `value` rounded to `digits` decimals, halves away from zero
// (74.125 -> 74.13, -0.125 -> -0.13). A double within a relative 1e-12 of a
// decimal half counts as that half, so 2.675 (stored as 2.67499999...)
// rounds to 2.68 as a reader of "2.675" expects. NaN and infinities are
// returned unchanged.
// REQUIRES: 0 <= digits <= 9.
double RoundTo(double value, int digits);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_SCORING_H_
