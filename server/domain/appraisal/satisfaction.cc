#include "domain/appraisal/satisfaction.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace survey::domain::appraisal {
namespace {

// Bounds that keep every intermediate below 2^127: Σ squares per response
// ≤ (100 × L)² ≤ 1e16, times n ≤ 1e9 responses, times n again ≤ 1e34.
constexpr int64_t kMaxDenominatorLcm = 1'000'000;
constexpr int64_t kMaxResponses = 1'000'000'000;

absl::Status CheckFigures(const MonthFigures& f) {
  const std::string where = absl::StrCat("figures for ", f.period.ToString());
  if (f.n < 0 || f.n > kMaxResponses) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": n is ", f.n, ", must be 0..", kMaxResponses));
  }
  if (f.denominator < 1 || f.denominator > kMaxDenominatorLcm) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": denominator is ", f.denominator, ", must be 1..",
        kMaxDenominatorLcm));
  }
  const __int128 max_sum = static_cast<__int128>(100) * f.n * f.denominator;
  if (f.total_sum < 0 || f.total_sum > max_sum) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": total_sum is outside 0..100 points per response"));
  }
  if (f.total_sum_sq && (*f.total_sum_sq < 0 || (f.n == 0 && *f.total_sum_sq))) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": total_sum_sq is inconsistent"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MonthFigures> MonthFigures::FromMean(Period period, int64_t n,
                                                    double mean_100) {
  if (n < 0 || n > kMaxResponses) {
    return absl::InvalidArgumentError(
        absl::StrCat("n is ", n, ", must be 0..", kMaxResponses));
  }
  if (n > 0 && (!std::isfinite(mean_100) || mean_100 < 0 || mean_100 > 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("mean ", mean_100, " is outside 0..100"));
  }
  MonthFigures f;
  f.period = period;
  f.n = n;
  f.denominator = 10000;
  // Round the mean to 4 decimals first, so n × mean is an exact integer.
  f.total_sum = n == 0 ? 0 : n * std::llround(mean_100 * 10000);
  return f;
}

absl::StatusOr<SatisfactionResult> ComputeSatisfaction(
    Period period, std::span<const MonthFigures> figures, int64_t k,
    int max_window) {
  if (k < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("k is ", k, ", must be at least 3"));
  }
  if (max_window < 0 || max_window > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_window is ", max_window, ", must be 0..3"));
  }
  for (const MonthFigures& f : figures) {
    if (absl::Status s = CheckFigures(f); !s.ok()) return s;
  }

  SatisfactionResult out;
  out.period = period;
  auto n_of = [&](Period p) {
    int64_t n = 0;
    for (const MonthFigures& f : figures) {
      if (f.period == p) n += f.n;
    }
    return n;
  };
  // Newest first while widening; reversed below.
  std::vector<Period> window = {period};
  out.n = n_of(period);
  while (out.n < k && static_cast<int>(window.size()) <= max_window) {
    absl::StatusOr<Period> earlier = window.back().Previous();
    if (!earlier.ok()) break;  // before 2000-01: nothing to widen into
    window.push_back(*earlier);
    out.n += n_of(*earlier);
  }
  if (out.n > kMaxResponses) {
    return absl::OutOfRangeError("more than 1e9 responses in the window");
  }
  std::reverse(window.begin(), window.end());
  out.window = window;

  int64_t lcm = 1;
  bool have_squares = true;
  for (const MonthFigures& f : figures) {
    if (!std::count(window.begin(), window.end(), f.period)) continue;
    out.campaign_ids.insert(out.campaign_ids.end(), f.campaign_ids.begin(),
                            f.campaign_ids.end());
    if (f.n == 0) continue;
    lcm = std::lcm(lcm, f.denominator);
    if (lcm > kMaxDenominatorLcm) {
      return absl::OutOfRangeError(
          "the window's templates have incompatible denominators");
    }
    if (!f.total_sum_sq) have_squares = false;
  }
  if (out.n < k) {
    out.insufficient_responses = true;
    return out;
  }

  __int128 sum = 0, sum_sq = 0;
  for (const MonthFigures& f : figures) {
    if (f.n == 0 ||
        !std::count(window.begin(), window.end(), f.period)) {
      continue;
    }
    const int64_t scale = lcm / f.denominator;
    sum += static_cast<__int128>(f.total_sum) * scale;
    if (have_squares) {
      sum_sq += static_cast<__int128>(*f.total_sum_sq) * scale * scale;
    }
  }
  const long double units = static_cast<long double>(lcm);
  out.mean_100 = static_cast<double>(static_cast<long double>(sum) /
                                     (static_cast<long double>(out.n) * units));
  if (have_squares) {
    // Sample variance × n(n-1), exact: n Σx² - (Σx)².
    __int128 num = static_cast<__int128>(out.n) * sum_sq - sum * sum;
    if (num < 0) num = 0;  // damaged sums; never negative for real data
    const long double var =
        static_cast<long double>(num) /
        (static_cast<long double>(out.n) * (out.n - 1)) / (units * units);
    out.stddev_100 = static_cast<double>(std::sqrt(var));
    const double half = StudentT975(out.n - 1) * *out.stddev_100 /
                        std::sqrt(static_cast<double>(out.n));
    out.ci95 = Interval{std::max(10.0, *out.mean_100 - half),
                        std::min(100.0, *out.mean_100 + half)};
  }
  return out;
}

SheetLine SatisfactionLine(const SatisfactionResult& result,
                           SheetTemplate sheet_template, int weight) {
  SheetLine line;
  line.id = "satisfaction";
  line.section = sheet_template == SheetTemplate::kStandard
                     ? Section::kKpi
                     : Section::kPerformance;
  line.weight = weight;
  line.satisfaction = true;
  line.insufficient_responses = result.insufficient_responses;
  if (result.mean_100) line.reviewer_score = *result.mean_100;
  return line;
}

}  // namespace survey::domain::appraisal
