#include "domain/retention.h"

#include "absl/strings/str_cat.h"

namespace survey::domain {
namespace {

constexpr int kMaxMonths = 1200;

absl::Status CheckMonths(const char* field, int months) {
  if (months < 0 || months > kMaxMonths) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": months must be 0 (keep forever) to ", kMaxMonths));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRetentionPolicy(const RetentionPolicy& policy) {
  if (absl::Status s = CheckMonths("retention_customer_months", policy.customer_months);
      !s.ok()) {
    return s;
  }
  return CheckMonths("retention_cross_evaluation_months", policy.cross_evaluation_months);
}

int RetentionMonths(const RetentionPolicy& policy, CampaignKind kind) {
  return kind == CampaignKind::kCrossEvaluation ? policy.cross_evaluation_months
                                                : policy.customer_months;
}

bool PastRetention(const RetentionPolicy& policy, CampaignKind kind,
                   const Period& period, const Period& today) {
  const int months = RetentionMonths(policy, kind);
  return months > 0 && today.MonthsSince(period) > months;
}

absl::StatusOr<Period> RemovableFrom(const RetentionPolicy& policy,
                                     CampaignKind kind, const Period& period) {
  const int months = RetentionMonths(policy, kind);
  if (months == 0) return absl::FailedPreconditionError("kept forever");
  return period.Next(months + 1);
}

}  // namespace survey::domain
