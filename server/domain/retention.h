// How long the answers of a closed campaign are kept (DOMAIN §5.6).
//
// The documents keep department cross-evaluation forms one year
// (003_e740f174e1ed524b.txt rule 6) and appraisal records two years
// (001_f06e9b379792f075.txt §4.12); a customer survey's answers are the
// evidence behind an appraisal's satisfaction line, so they follow the
// appraisal records. What is removed are the response rows (scores,
// reasons, comments); the campaign's figures, built at close, stay, so
// every report, sheet and push reads the same numbers before and after.
#ifndef SURVEY_DOMAIN_RETENTION_H_
#define SURVEY_DOMAIN_RETENTION_H_

#include "absl/status/status.h"
#include "domain/campaign.h"
#include "domain/period.h"

namespace survey::domain {

struct RetentionPolicy {
  // Full months kept after the end of the campaign's period; 0 = forever.
  int customer_months = 24;
  int cross_evaluation_months = 12;
};

// InvalidArgument naming the field if a value is negative or above 1200
// (a hundred years: a typo, not a policy).
absl::Status ValidateRetentionPolicy(const RetentionPolicy& policy);

// The months kept for campaigns of `kind` (0 = forever).
int RetentionMonths(const RetentionPolicy& policy, CampaignKind kind);

// True when the answers of a campaign of `kind` for `period` are past
// retention in the month `today` (the company's current month): more than
// the policy's full months have passed since the end of `period`. With 12
// months, 2025-11's answers are kept through 2026-11 and removable from
// 2026-12. Never true for a policy of 0 months.
bool PastRetention(const RetentionPolicy& policy, CampaignKind kind,
                   const Period& period, const Period& today);

// The first month in which PastRetention holds; OutOfRange beyond 2999-12,
// FailedPrecondition for a policy of 0 months (kept forever).
absl::StatusOr<Period> RemovableFrom(const RetentionPolicy& policy,
                                     CampaignKind kind, const Period& period);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_RETENTION_H_
