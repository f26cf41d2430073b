// The satisfaction line of an appraisal (DOMAIN.md §5): an employee's (or a
// department's) satisfaction score for a period, widened over earlier
// periods when the period alone has fewer than k responses.
//
// The window. Start with the period P. While the window holds fewer than k
// responses and fewer than max_window earlier periods, add the month before
// the window's first (P-1, then P-2, ...). Months without responses still
// count as one of the max_window. The window's figures are exact sums over
// its months' responses (Σ totals / Σ n), never a mean of monthly means. If
// even the widest window has fewer than k responses the result is
// "insufficient responses" and carries no mean: an aggregate over fewer
// than k people is never shown (the count is).
//
// Decisions (DOMAIN.md is silent):
//   - Several figures for one month (several campaigns) are summed.
//   - Figures for months after P are ignored: a result never looks forward.
//   - Months with different templates (denominators) are combined exactly
//     by scaling to the least common multiple of their denominators.
//   - The 95 % interval is clipped to 10..100, the survey's attainable range
//     (as report.h), and needs sums of squares for every month of the window.
#ifndef SURVEY_DOMAIN_APPRAISAL_SATISFACTION_H_
#define SURVEY_DOMAIN_APPRAISAL_SATISFACTION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/appraisal/sheet.h"
#include "domain/period.h"
#include "domain/scoring.h"

namespace survey::domain::appraisal {

// One subject's responses in one month (one campaign or several), as the
// report store keeps them: sums, never individual answers.
struct MonthFigures {
  Period period;
  int64_t n = 0;
  // Σ of the n response totals on the 100-point scale, in units of
  // 1/denominator point (scoring.h: Aggregate::total_sum with denominator
  // TotalDenominator(template)).
  int64_t total_sum = 0;
  std::optional<int64_t> total_sum_sq;  // Σ squares, same units; optional
  int64_t denominator = 1;
  std::vector<std::string> campaign_ids;

  // Figures from a count and a mean when sums are not at hand: total_sum =
  // round(n × mean × 10000) in units of 1/10000 point, exact for means with
  // up to 4 decimals. InvalidArgument if n < 0, or the mean is not in
  // 0..100 when n > 0.
  static absl::StatusOr<MonthFigures> FromMean(Period period, int64_t n,
                                               double mean_100);
};

struct SatisfactionResult {
  Period period;               // the period appraised
  std::vector<Period> window;  // the months used, oldest first
  int64_t n = 0;               // responses in the window
  bool insufficient_responses = false;
  std::optional<double> mean_100;    // absent when insufficient
  std::optional<double> stddev_100;  // sample spread; needs sums of squares
  std::optional<Interval> ci95;      // mean ± t × sd / √n, clipped to 10..100
  std::vector<std::string> campaign_ids;  // of the window, in input order
};

// Computes the satisfaction of `period` from `figures` (any months, any
// order). InvalidArgument if k < 3, max_window is outside 0..3, or a figure
// has n < 0, denominator < 1, a total outside 0..100 × n points, or n == 0
// with nonzero sums; OutOfRange if the sums overflow.
absl::StatusOr<SatisfactionResult> ComputeSatisfaction(
    Period period, std::span<const MonthFigures> figures, int64_t k,
    int max_window);

// The sheet line for `result`: section kKpi (standard sheet) or
// kPerformance (customer service), the given weight, reviewer_score = the
// mean, or insufficient_responses.
SheetLine SatisfactionLine(const SatisfactionResult& result,
                           SheetTemplate sheet_template, int weight);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_SATISFACTION_H_
