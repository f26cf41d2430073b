// The figures of a report cell (DOMAIN.md §2, §5): a subject over a month,
// quarter or year, built from its per-campaign parts, with the disclosure
// decision of disclosure.h applied. Pure: the service loads, this computes.
#ifndef SURVEY_DOMAIN_REPORT_H_
#define SURVEY_DOMAIN_REPORT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/disclosure.h"
#include "domain/form.h"
#include "domain/period.h"
#include "domain/scoring.h"

namespace survey::domain {

// A month ("2026-11"), a quarter ("2026-Q4") or a year ("2026").
struct PeriodRange {
  enum class Unit { kMonth, kQuarter, kYear };
  Unit unit = Unit::kMonth;
  Period first;  // its first month
  int months = 1;

  // Parses the three forms above; InvalidArgument naming `field` otherwise.
  static absl::StatusOr<PeriodRange> Parse(std::string_view text,
                                           std::string_view field);
  std::vector<Period> Months() const;
  bool Contains(const Period& p) const;
  // The range just before: the previous month, quarter or year.
  // OutOfRange before 2000-01.
  absl::StatusOr<PeriodRange> Previous() const;
  std::string ToString() const;
};

// One subject's answers in one campaign.
struct CampaignPart {
  int64_t k = 5;             // the campaign's frozen anonymity threshold
  bool closed = false;       // scores are released only for closed campaigns
  int64_t issued = 0;        // invitations issued and not revoked
  int64_t responses = 0;     // answers, whether or not released
  std::shared_ptr<const Template> form;  // required when responses > 0
  Aggregate aggregate;       // empty when responses == 0
  Withheld decision = Withheld::kNoData;  // from SuppressSiblings et al.
};

struct IndicatorFigures {
  std::string key;
  double mean = 0;      // 1..10
  double weighted = 0;  // score② = mean × weight / 100, 1..10 scale
  std::vector<std::string> sub_key;
  std::vector<double> sub_mean;
  std::vector<std::array<int64_t, 10>> sub_histogram;  // counts of 1..10
};

struct CellFigures {
  int64_t responses = 0;
  int64_t issued = 0;
  std::optional<double> response_rate;  // absent when nothing was issued
  int64_t k = 0;                        // the largest k of the parts
  Withheld scores = Withheld::kNoData;  // kNone: the fields below are set
  double total_100 = 0;
  double stddev_100 = 0;
  std::optional<Interval> ci_100;
  // False when the parts carry totals only (no sub-indicator sums): then
  // the shares and indicators below are not computed.
  bool detailed = true;
  double share_9_10 = 0;  // of all sub-indicator scores
  double share_1_5 = 0;
  // Per indicator; empty when the parts used different templates (the
  // 100-point total is still comparable, the indicators are not).
  std::vector<IndicatorFigures> indicators;
};

// Adds up `parts` and applies CombineParts to their decisions. Errors only
// on damaged aggregates (InvalidArgument from Summarize) or overflow.
absl::StatusOr<CellFigures> ComputeCell(const std::vector<CampaignPart>& parts);

// The ranking key: the lower bound of the 95 % interval, so that two lucky
// answers do not top the list (a released cell with n = 1 ranks by -inf).
double RankKey(const CellFigures& f);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_REPORT_H_
