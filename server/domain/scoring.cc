#include "domain/scoring.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/form.h"
#include "domain/submission.h"

namespace survey::domain {
namespace {

// Checked int64 arithmetic: stored sums must never wrap silently.
bool AddTo(int64_t* sum, int64_t x) {
  return !__builtin_add_overflow(*sum, x, sum);
}

absl::Status Overflow(const char* field) {
  return absl::OutOfRangeError(
      absl::StrCat("aggregate: ", field, " would overflow 64 bits"));
}

size_t Shape(const Aggregate& a) { return a.sub_sum.size(); }

bool WellShaped(const Aggregate& a) {
  return a.sub_sum_sq.size() == a.sub_sum.size() &&
         a.histogram.size() == a.sub_sum.size();
}

absl::Status CheckShape(const Template& t, const Aggregate& a) {
  const size_t subs = static_cast<size_t>(t.SubIndicatorCount());
  if (!WellShaped(a) || Shape(a) != subs) {
    return absl::InvalidArgumentError(
        absl::StrCat("aggregate: shaped for ", Shape(a),
                     " sub-indicators, template has ", subs));
  }
  return absl::OkStatus();
}

// L / c_i for every indicator: the factor that puts S_i over the common
// denominator (see scoring.h).
std::vector<int64_t> UnitFactors(const Template& t) {
  const int64_t lcm = TotalDenominator(t) / 10;
  std::vector<int64_t> factors;
  factors.reserve(t.indicators.size());
  for (const Indicator& ind : t.indicators) {
    factors.push_back(lcm / static_cast<int64_t>(ind.subs.size()));
  }
  return factors;
}

// Sample variance numerator n·Σx² − (Σx)², exact: both products fit 126 bits.
absl::int128 SpreadNumerator(int64_t n, int64_t sum, int64_t sum_sq) {
  return absl::int128(n) * sum_sq - absl::int128(sum) * sum;
}

double SampleStddev(int64_t n, int64_t sum, int64_t sum_sq) {
  if (n < 2) return 0.0;
  const double numerator = static_cast<double>(SpreadNumerator(n, sum, sum_sq));
  return std::sqrt(numerator /
                   (static_cast<double>(n) * static_cast<double>(n - 1)));
}

}  // namespace

int64_t TotalDenominator(const Template& t) {
  int64_t lcm = 1;
  for (const Indicator& ind : t.indicators) {
    lcm = std::lcm(lcm, static_cast<int64_t>(ind.subs.size()));
  }
  return 10 * lcm;
}

absl::StatusOr<int64_t> ResponseTotalUnits(const Template& t,
                                           std::span<const int> scores) {
  if (auto s = ValidateScores(t, scores); !s.ok()) return s;
  const std::vector<int64_t> factors = UnitFactors(t);
  int64_t units = 0;
  size_t next = 0;
  for (size_t i = 0; i < t.indicators.size(); ++i) {
    int64_t indicator_sum = 0;
    for (size_t j = 0; j < t.indicators[i].subs.size(); ++j) {
      indicator_sum += scores[next++];
    }
    units += t.indicators[i].weight_percent * indicator_sum * factors[i];
  }
  return units;
}

absl::StatusOr<ResponseScore> ScoreResponse(const Template& t,
                                            std::span<const int> scores) {
  absl::StatusOr<int64_t> units = ResponseTotalUnits(t, scores);
  if (!units.ok()) return units.status();
  ResponseScore result;
  size_t next = 0;
  for (const Indicator& ind : t.indicators) {
    int64_t sum = 0;
    for (size_t j = 0; j < ind.subs.size(); ++j) sum += scores[next++];
    const double count = static_cast<double>(ind.subs.size());
    result.indicator_mean.push_back(static_cast<double>(sum) / count);
    result.indicator_weighted.push_back(
        static_cast<double>(sum * ind.weight_percent) / (100.0 * count));
  }
  const double denominator = static_cast<double>(TotalDenominator(t));
  result.total_100 = static_cast<double>(*units) / denominator;
  result.total = static_cast<double>(*units) / (10.0 * denominator);
  return result;
}

bool Equal(const Aggregate& a, const Aggregate& b) { return a == b; }

Aggregate NewAggregate(const Template& t) {
  const size_t subs = static_cast<size_t>(t.SubIndicatorCount());
  Aggregate agg;
  agg.sub_sum.assign(subs, 0);
  agg.sub_sum_sq.assign(subs, 0);
  agg.histogram.assign(subs, std::array<int64_t, 10>{});
  return agg;
}

absl::Status AddResponse(const Template& t, std::span<const int> scores,
                         Aggregate* agg) {
  if (auto s = CheckShape(t, *agg); !s.ok()) return s;
  absl::StatusOr<int64_t> units = ResponseTotalUnits(t, scores);
  if (!units.ok()) return units.status();
  // A one-response aggregate merged in keeps all overflow checks in Merge.
  Aggregate one = NewAggregate(t);
  one.n = 1;
  for (size_t j = 0; j < scores.size(); ++j) {
    // Guards the histogram index should a template break the 1..10 rule.
    if (scores[j] < 1 || scores[j] > 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("scores[", j, "]: histogram holds 1..10 only"));
    }
    one.sub_sum[j] = scores[j];
    one.sub_sum_sq[j] = int64_t{scores[j]} * scores[j];
    one.histogram[j][scores[j] - 1] = 1;
  }
  one.total_sum = *units;
  if (__builtin_mul_overflow(*units, *units, &one.total_sum_sq)) {
    return Overflow("total_sum_sq");
  }
  absl::StatusOr<Aggregate> merged = Merge(*agg, one);
  if (!merged.ok()) return merged.status();
  *agg = *std::move(merged);
  return absl::OkStatus();
}

absl::StatusOr<Aggregate> Merge(const Aggregate& a, const Aggregate& b) {
  if (!WellShaped(a) || !WellShaped(b) || Shape(a) != Shape(b)) {
    return absl::InvalidArgumentError(
        absl::StrCat("aggregate: cannot merge shapes of ", Shape(a), " and ",
                     Shape(b), " sub-indicators"));
  }
  Aggregate sum = a;
  if (!AddTo(&sum.n, b.n)) return Overflow("n");
  for (size_t j = 0; j < Shape(b); ++j) {
    if (!AddTo(&sum.sub_sum[j], b.sub_sum[j])) return Overflow("sub_sum");
    if (!AddTo(&sum.sub_sum_sq[j], b.sub_sum_sq[j])) {
      return Overflow("sub_sum_sq");
    }
    for (size_t s = 0; s < b.histogram[j].size(); ++s) {
      if (!AddTo(&sum.histogram[j][s], b.histogram[j][s])) {
        return Overflow("histogram");
      }
    }
  }
  if (!AddTo(&sum.total_sum, b.total_sum)) return Overflow("total_sum");
  if (!AddTo(&sum.total_sum_sq, b.total_sum_sq)) {
    return Overflow("total_sum_sq");
  }
  return sum;
}

absl::StatusOr<Summary> Summarize(const Template& t, const Aggregate& agg) {
  if (auto s = CheckShape(t, agg); !s.ok()) return s;
  if (agg.n <= 0) {
    return absl::FailedPreconditionError("aggregate: no responses");
  }
  const double n = static_cast<double>(agg.n);
  const std::vector<int64_t> factors = UnitFactors(t);
  Summary summary;
  summary.n = agg.n;
  // Totals are linear in the sub sums, so Σ totals is fixed by them; a
  // mismatch means the sums were not built together under this template.
  absl::int128 expected_total_sum = 0;
  size_t next = 0;
  for (size_t i = 0; i < t.indicators.size(); ++i) {
    const Indicator& ind = t.indicators[i];
    int64_t indicator_sum = 0;
    for (size_t j = 0; j < ind.subs.size(); ++j, ++next) {
      summary.sub_mean.push_back(static_cast<double>(agg.sub_sum[next]) / n);
      summary.sub_stddev.push_back(
          SampleStddev(agg.n, agg.sub_sum[next], agg.sub_sum_sq[next]));
      indicator_sum += agg.sub_sum[next];
    }
    summary.indicator_mean.push_back(
        static_cast<double>(indicator_sum) /
        (n * static_cast<double>(ind.subs.size())));
    expected_total_sum +=
        absl::int128(indicator_sum) * ind.weight_percent * factors[i];
  }
  if (expected_total_sum != agg.total_sum) {
    return absl::InvalidArgumentError(absl::StrCat(
        "aggregate: total_sum ", agg.total_sum,
        " disagrees with the sub-indicator sums under this template's "
        "weights; built with another template?"));
  }
  const double denominator = static_cast<double>(TotalDenominator(t));
  summary.total_100 = static_cast<double>(agg.total_sum) / (n * denominator);
  if (agg.n >= 2) {
    summary.total_stddev_100 =
        SampleStddev(agg.n, agg.total_sum, agg.total_sum_sq) / denominator;
    const double half =
        StudentT975(agg.n - 1) * summary.total_stddev_100 / std::sqrt(n);
    // The true mean lies in 10..100, so bounds beyond it carry no meaning.
    summary.ci_100 =
        Interval{std::max(summary.total_100 - half, 10.0 * t.scale_min),
                 std::min(summary.total_100 + half, 10.0 * t.scale_max)};
  }
  return summary;
}

double StudentT975(int64_t df) {
  static constexpr std::array<double, 30> kTable = {
      12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
      2.2622,  2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199,
      2.1098,  2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639,
      2.0595,  2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
  if (df < 1) df = 1;  // outside the contract; the widest interval is safest
  if (df <= static_cast<int64_t>(kTable.size())) return kTable[df - 1];
  return 1.96;
}

double RoundTo(double value, int digits) {
  if (!std::isfinite(value)) return value;
  const double scale = std::pow(10.0, digits);
  const double scaled = value * scale;
  const double whole = std::trunc(scaled);
  const double fraction = std::fabs(scaled - whole);
  // The scaled value of a decimal half such as 2.675 lands a few ulps off
  // .5; treat anything that close as the half it stands for.
  const double tolerance = 1e-12 * std::max(1.0, std::fabs(scaled));
  double rounded;
  if (std::fabs(fraction - 0.5) <= tolerance) {
    rounded = whole + std::copysign(1.0, scaled);
  } else {
    rounded = std::round(scaled);
  }
  return rounded / scale;
}

}  // namespace survey::domain
