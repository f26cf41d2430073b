#include "domain/retention.h"

#include <gtest/gtest.h>

namespace survey::domain {
namespace {

Period P(const char* text) { return *Period::Parse(text); }

constexpr CampaignKind kCross = CampaignKind::kCrossEvaluation;
constexpr CampaignKind kCustomer = CampaignKind::kCustomerSatisfaction;

TEST(RetentionPolicyTest, DefaultsFollowTheDocuments) {
  RetentionPolicy policy;
  EXPECT_EQ(RetentionMonths(policy, kCross), 12);
  EXPECT_EQ(RetentionMonths(policy, kCustomer), 24);
  EXPECT_TRUE(ValidateRetentionPolicy(policy).ok());
}

TEST(RetentionPolicyTest, KeptForFullMonthsAfterThePeriodEnds) {
  struct Case {
    const char* period;
    const char* today;
    CampaignKind kind;
    bool past;
  } cases[] = {
      {"2025-11", "2026-11", kCross, false},    // 12 months after: still kept
      {"2025-11", "2026-12", kCross, true},     // the 13th month: removable
      {"2025-11", "2027-11", kCustomer, false},
      {"2025-11", "2027-12", kCustomer, true},
      {"2025-12", "2026-12", kCross, false},    // across a year boundary
      {"2025-12", "2027-01", kCross, true},
      {"2026-11", "2026-11", kCross, false},    // the campaign's own month
      {"2026-11", "2025-01", kCross, false},    // a clock set back
  };
  RetentionPolicy policy;
  for (const Case& c : cases) {
    EXPECT_EQ(PastRetention(policy, c.kind, P(c.period), P(c.today)), c.past)
        << c.period << " on " << c.today;
    if (c.past) {
      EXPECT_LE(*RemovableFrom(policy, c.kind, P(c.period)), P(c.today));
    } else {
      EXPECT_GT(*RemovableFrom(policy, c.kind, P(c.period)), P(c.period));
    }
  }
  EXPECT_EQ(*RemovableFrom(policy, kCross, P("2025-11")), P("2026-12"));
}

TEST(RetentionPolicyTest, ZeroMeansForever) {
  RetentionPolicy policy{.customer_months = 0, .cross_evaluation_months = 0};
  EXPECT_FALSE(PastRetention(policy, kCross, P("2000-01"), P("2999-12")));
  EXPECT_EQ(RemovableFrom(policy, kCustomer, P("2000-01")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RetentionPolicyTest, RejectsNonsense) {
  EXPECT_EQ(ValidateRetentionPolicy({.customer_months = -1}).code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status s = ValidateRetentionPolicy({.cross_evaluation_months = 1201});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("retention_cross_evaluation_months"), std::string::npos);
}

}  // namespace
}  // namespace survey::domain
