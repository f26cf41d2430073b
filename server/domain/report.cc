#include "domain/report.h"

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace survey::domain {
namespace {

absl::Status BadRange(std::string_view field, std::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(field), ": \"", std::string(text),
      "\" is not a month (2026-11), quarter (2026-Q4) or year (2026)"));
}

bool SameForm(const Template& a, const Template& b) {
  return a.key == b.key && a.version == b.version;
}

}  // namespace

absl::StatusOr<PeriodRange> PeriodRange::Parse(std::string_view text,
                                               std::string_view field) {
  PeriodRange r;
  int year = 0;
  if (text.size() == 4) {
    if (!absl::SimpleAtoi(std::string(text), &year)) return BadRange(field, text);
    r.unit = Unit::kYear;
    r.months = 12;
    absl::StatusOr<Period> p = Period::FromYearMonth(year, 1);
    if (!p.ok() || !absl::ascii_isdigit(text[0])) return BadRange(field, text);
    r.first = *p;
    return r;
  }
  if (text.size() == 7 && text[4] == '-' && text[5] == 'Q') {
    int q = text[6] - '0';
    if (!absl::SimpleAtoi(std::string(text.substr(0, 4)), &year) || q < 1 || q > 4 ||
        !absl::ascii_isdigit(text[0])) {
      return BadRange(field, text);
    }
    absl::StatusOr<Period> p = Period::FromYearMonth(year, 3 * q - 2);
    if (!p.ok()) return BadRange(field, text);
    r.unit = Unit::kQuarter;
    r.months = 3;
    r.first = *p;
    return r;
  }
  absl::StatusOr<Period> p = Period::Parse(text);
  if (!p.ok()) return BadRange(field, text);
  r.first = *p;
  return r;
}

std::vector<Period> PeriodRange::Months() const {
  std::vector<Period> out;
  for (int i = 0; i < months; ++i) {
    absl::StatusOr<Period> p = first.Next(i);
    if (p.ok()) out.push_back(*p);
  }
  return out;
}

bool PeriodRange::Contains(const Period& p) const {
  int since = p.MonthsSince(first);
  return since >= 0 && since < months;
}

absl::StatusOr<PeriodRange> PeriodRange::Previous() const {
  absl::StatusOr<Period> p = first.Previous(months);
  if (!p.ok()) return p.status();
  PeriodRange r = *this;
  r.first = *p;
  return r;
}

std::string PeriodRange::ToString() const {
  switch (unit) {
    case Unit::kMonth: return first.ToString();
    case Unit::kQuarter: return first.Quarter();
    case Unit::kYear: return absl::StrCat(first.Year());
  }
  return "";
}

absl::StatusOr<CellFigures> ComputeCell(const std::vector<CampaignPart>& parts) {
  CellFigures f;
  std::vector<Withheld> decisions;
  for (const CampaignPart& p : parts) {
    f.responses += p.responses;
    f.issued += p.issued;
    f.k = std::max(f.k, p.k);
    decisions.push_back(p.responses == 0 ? Withheld::kNoData
                        : p.closed       ? p.decision
                                         : Withheld::kCampaignOpen);
  }
  if (f.issued > 0) {
    f.response_rate = static_cast<double>(f.responses) / static_cast<double>(f.issued);
  }
  f.scores = CombineParts(decisions, f.responses, f.k);
  if (f.scores != Withheld::kNone) return f;

  // Released: every part with answers is closed and released.
  const Template* form = nullptr;
  bool one_form = true;
  for (const CampaignPart& p : parts) {
    if (p.responses > 0 && p.aggregate.histogram.empty()) f.detailed = false;
  }
  std::optional<Aggregate> merged;
  double sum = 0, sum_sq = 0;  // of per-response 100-point totals
  int64_t high = 0, low = 0, scores = 0;
  for (const CampaignPart& p : parts) {
    if (p.responses == 0) continue;
    const Aggregate& a = p.aggregate;
    const double d = static_cast<double>(TotalDenominator(*p.form));
    sum += static_cast<double>(a.total_sum) / d;
    sum_sq += static_cast<double>(a.total_sum_sq) / (d * d);
    for (const auto& h : a.histogram) {
      for (int s = 1; s <= 10; ++s) {
        scores += h[s - 1];
        if (s >= 9) high += h[s - 1];
        if (s <= 5) low += h[s - 1];
      }
    }
    if (form == nullptr) {
      form = p.form.get();
      merged = a;
    } else if (!SameForm(*form, *p.form)) {
      one_form = false;
    } else if (one_form) {
      absl::StatusOr<Aggregate> m = Merge(*merged, a);
      if (!m.ok()) return m.status();
      merged = *std::move(m);
    }
  }
  const double n = static_cast<double>(f.responses);
  f.share_9_10 = scores == 0 ? 0 : static_cast<double>(high) / static_cast<double>(scores);
  f.share_1_5 = scores == 0 ? 0 : static_cast<double>(low) / static_cast<double>(scores);
  if (one_form && f.detailed) {
    absl::StatusOr<Summary> s = Summarize(*form, *merged);
    if (!s.ok()) return s.status();
    f.total_100 = s->total_100;
    f.stddev_100 = s->total_stddev_100;
    f.ci_100 = s->ci_100;
    size_t sub = 0;
    for (size_t i = 0; i < form->indicators.size(); ++i) {
      const Indicator& ind = form->indicators[i];
      IndicatorFigures out;
      out.key = ind.key;
      out.mean = s->indicator_mean[i];
      out.weighted = out.mean * ind.weight_percent / 100.0;
      for (size_t j = 0; j < ind.subs.size(); ++j, ++sub) {
        out.sub_key.push_back(ind.subs[j].key);
        out.sub_mean.push_back(s->sub_mean[sub]);
        out.sub_histogram.push_back(merged->histogram[sub]);
      }
      f.indicators.push_back(std::move(out));
    }
    return f;
  }
  // Mixed templates or totals only: the 100-point totals still add up.
  f.total_100 = sum / n;
  if (f.responses >= 2) {
    double var = std::max(0.0, (sum_sq - n * f.total_100 * f.total_100) / (n - 1));
    f.stddev_100 = std::sqrt(var);
    double half = StudentT975(f.responses - 1) * f.stddev_100 / std::sqrt(n);
    f.ci_100 = Interval{std::max(10.0, f.total_100 - half),
                        std::min(100.0, f.total_100 + half)};
  }
  return f;
}

double RankKey(const CellFigures& f) {
  if (f.scores != Withheld::kNone || !f.ci_100) {
    return -std::numeric_limits<double>::infinity();
  }
  return f.ci_100->low;
}

}  // namespace survey::domain
