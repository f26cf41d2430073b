#include "domain/appraisal/department.h"

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace survey::domain::appraisal {
namespace {

bool In0To100(double x) { return std::isfinite(x) && x >= 0 && x <= 100; }

absl::Status Check0To100(std::string_view field, double x) {
  if (In0To100(x)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), " is ", x, ", must be 0..100"));
}

}  // namespace

absl::StatusOr<double> ScoreAuditedTable(std::string_view table,
                                         std::span<const AuditedItem> items) {
  const std::string t(table);
  if (items.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(t, ": no items"));
  }
  double weights = 0, score = 0;
  std::vector<std::string> pending;
  for (const AuditedItem& item : items) {
    if (!std::isfinite(item.weight) || item.weight <= 0 || item.weight > 100) {
      return absl::InvalidArgumentError(absl::StrCat(
          t, ": item \"", item.name, "\" weight must be > 0 and <= 100"));
    }
    if ((item.self_rating && !In0To100(*item.self_rating)) ||
        (item.audited_rating && !In0To100(*item.audited_rating))) {
      return absl::InvalidArgumentError(absl::StrCat(
          t, ": item \"", item.name, "\" ratings must be 0..100"));
    }
    weights += item.weight;
    if (!item.audited_rating) {
      pending.push_back(absl::StrCat("\"", item.name, "\""));
      continue;
    }
    score += *item.audited_rating * item.weight / 100;
  }
  if (std::abs(weights - 100) > 1e-6) {
    return absl::InvalidArgumentError(
        absl::StrCat(t, ": weights sum to ", weights, ", must be 100"));
  }
  if (!pending.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        t, ": not yet audited: ", absl::StrJoin(pending, ", ")));
  }
  return score;
}

absl::StatusOr<DepartmentTotal> ComputeDepartmentTotal(
    const DepartmentInput& in, const DepartmentWeights& w) {
  if (absl::Status s = Check0To100("duties", in.duties); !s.ok()) return s;
  if (absl::Status s = Check0To100("plan", in.plan); !s.ok()) return s;
  if (in.customer) {
    if (absl::Status s = Check0To100("customer", *in.customer); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = Check0To100("key_indicator", in.key_indicator);
      !s.ok()) {
    return s;
  }
  const int all = w.duties + w.plan + w.customer;
  double sum = w.duties * in.duties + w.plan * in.plan;
  int counted = w.duties + w.plan;
  if (in.customer) {
    sum += w.customer * *in.customer;
    counted += w.customer;
  }
  DepartmentTotal out;
  out.customer_counted = in.customer.has_value();
  out.factor = in.key_indicator / 100;
  if (counted == 0) {
    return absl::FailedPreconditionError(
        "department total: the only weighted part (customer) is missing");
  }
  out.normalised = sum / counted * out.factor;
  out.total = out.normalised * all / 100;
  return out;
}

absl::StatusOr<double> QuarterlyScore(DepartmentRole role,
                                      double department_normalised,
                                      double own, const QuarterCarry& carry) {
  if (!std::isfinite(department_normalised) || department_normalised < 0 ||
      !std::isfinite(own) || own < 0) {
    return absl::InvalidArgumentError(
        "quarterly score: scores must be finite and >= 0");
  }
  const int share = role == DepartmentRole::kManager ? carry.manager
                                                     : carry.member;
  return (department_normalised * share + own * (100 - share)) / 100;
}

absl::StatusOr<double> MeanScore(std::span<const double> scores) {
  if (scores.empty()) {
    return absl::FailedPreconditionError("no scores to average");
  }
  double sum = 0;
  for (double s : scores) sum += s;
  return sum / static_cast<double>(scores.size());
}

}  // namespace survey::domain::appraisal
