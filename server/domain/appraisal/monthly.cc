#include "domain/appraisal/monthly.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/appraisal/money.h"

namespace survey::domain::appraisal {

absl::StatusOr<int64_t> CoefficientBp(double sheet_score, double max_score) {
  if (!(max_score > 0) || !std::isfinite(max_score)) {
    return absl::InvalidArgumentError("maximum score must be > 0");
  }
  if (!(sheet_score >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sheet score ", sheet_score, " must be >= 0"));
  }
  absl::StatusOr<int64_t> score = RecordScore(sheet_score);
  if (!score.ok()) return score.status();
  absl::StatusOr<int64_t> max = RecordScore(max_score);
  if (!max.ok()) return max.status();
  if (*max == 0) {
    return absl::InvalidArgumentError("maximum score rounds to 0");
  }
  return DivRoundHalfUp(static_cast<__int128>(*score) * kOneBp, *max);
}

absl::StatusOr<PayCaps> PayCaps::FromYuan(
    const std::map<std::string, double>& yuan_by_key) {
  PayCaps caps;
  for (const auto& [key, yuan] : yuan_by_key) {
    const size_t colon = key.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == key.size() ||
        key.find(':', colon + 1) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "performance cap key \"", key, "\" is not \"post:grade\""));
    }
    absl::StatusOr<int64_t> cents = YuanToCents(yuan);
    if (!cents.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "performance cap \"", key, "\": ", cents.status().message()));
    }
    caps.cents_[key] = *cents;
  }
  return caps;
}

absl::StatusOr<int64_t> PayCaps::Find(std::string_view post,
                                      std::string_view grade) const {
  const std::string key = absl::StrCat(std::string(post), ":",
                                       std::string(grade));
  auto it = cents_.find(key);
  if (it == cents_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no performance cap for ", key));
  }
  return it->second;
}

absl::StatusOr<MonthlyPay> ComputeMonthlyPay(int64_t cap_cents,
                                             int64_t coefficient_bp,
                                             int64_t post_pay_cents) {
  if (cap_cents < 0 || coefficient_bp < 0 || post_pay_cents < 0) {
    return absl::InvalidArgumentError(
        "cap, coefficient and post pay must be >= 0");
  }
  absl::StatusOr<int64_t> pay = DivRoundHalfUp(
      static_cast<__int128>(cap_cents) * std::min(coefficient_bp, kOneBp),
      kOneBp);
  if (!pay.ok()) return pay.status();
  MonthlyPay out;
  out.performance_pay_cents = *pay;
  out.base_pay_cents = post_pay_cents + *pay;
  return out;
}

std::string_view MonthlyFlagName(MonthlyFlag flag) {
  switch (flag) {
    case MonthlyFlag::kWarning: return "warning_two_below_50";
    case MonthlyFlag::kDismissalReview: return "dismissal_review_three_below_50";
    case MonthlyFlag::kCapUp: return "cap_up_three_above_90";
    case MonthlyFlag::kCapDown: return "cap_down_three_below_60";
  }
  return "unknown";
}

absl::StatusOr<std::vector<MonthlyFlag>> MonthlyFlags(
    std::span<const MonthCoefficient> history, Period month) {
  std::set<Period> seen;
  const MonthCoefficient* current = nullptr;
  const MonthCoefficient* previous = nullptr;
  for (const MonthCoefficient& m : history) {
    if (m.coefficient_bp < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "coefficient of ", m.period.ToString(), " is negative"));
    }
    if (!seen.insert(m.period).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(m.period.ToString(), " appears twice"));
    }
    if (m.period == month) current = &m;
    if (month.MonthsSince(m.period) == 1) previous = &m;
  }
  if (current == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no coefficient for ", month.ToString()));
  }
  // Months of this year up to and including `month` meeting a condition.
  auto count_this_year = [&](auto condition) {
    int n = 0;
    for (const MonthCoefficient& m : history) {
      if (m.period.Year() == month.Year() && m.period <= month &&
          condition(m.coefficient_bp)) {
        ++n;
      }
    }
    return n;
  };
  auto below50 = [](int64_t bp) { return bp < 5000; };
  auto below60 = [](int64_t bp) { return bp < 6000; };
  auto above90 = [](int64_t bp) { return bp > 9000; };
  const int64_t c = current->coefficient_bp;
  std::vector<MonthlyFlag> flags;
  if (below50(c) && previous != nullptr && below50(previous->coefficient_bp)) {
    flags.push_back(MonthlyFlag::kWarning);
  }
  if (below50(c) && count_this_year(below50) >= 3) {
    flags.push_back(MonthlyFlag::kDismissalReview);
  }
  if (above90(c) && count_this_year(above90) >= 3) {
    flags.push_back(MonthlyFlag::kCapUp);
  }
  if (below60(c) && count_this_year(below60) >= 3) {
    flags.push_back(MonthlyFlag::kCapDown);
  }
  return flags;
}

}  // namespace survey::domain::appraisal
