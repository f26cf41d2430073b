#include "domain/appraisal/config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::HasSubstr;

std::string Error(const AppraisalConfig& c) {
  absl::Status s = ValidateConfig(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(ConfigTest, DefaultsAreTheSeedDocumentsAndValid) {
  const AppraisalConfig c;
  EXPECT_TRUE(ValidateConfig(c).ok());
  // Seed 002: management 80 / 10 / 10, other 80 / 20 / 0.
  EXPECT_EQ(WeightsFor(c, PostType::kManagement).kpi_goals, 80);
  EXPECT_EQ(WeightsFor(c, PostType::kManagement).behaviour, 10);
  EXPECT_EQ(WeightsFor(c, PostType::kManagement).management, 10);
  EXPECT_EQ(WeightsFor(c, PostType::kOther).behaviour, 20);
  EXPECT_EQ(WeightsFor(c, PostType::kOther).management, 0);
  EXPECT_EQ(c.satisfaction_weight, 20);
  EXPECT_EQ(c.anonymity_k, 5);
  EXPECT_EQ(c.max_window_periods, 3);
  EXPECT_EQ(c.department.duties + c.department.plan + c.department.customer,
            80);
}

TEST(ConfigTest, SectionWeightsMustSumTo100) {
  AppraisalConfig c;
  c.management_post = {80, 10, 5};
  EXPECT_EQ(Error(c), "management_post weights sum to 95, must be 100");
  c = AppraisalConfig();
  c.other_post = {70, 30, 0};  // a period may move weight: still 100
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.other_post = {70, 20, 10};
  EXPECT_THAT(Error(c), HasSubstr("other posts have no management section"));
  c.other_post = {110, -10, 0};
  EXPECT_EQ(Error(c), "other_post.kpi_goals is 110, must be 0..100");
}

TEST(ConfigTest, PartsAndCompositionsMustSumTo100) {
  AppraisalConfig c;
  c.management_parts = {20, 20, 50};
  EXPECT_THAT(Error(c), HasSubstr("management_parts weights sum to 90"));
  c = AppraisalConfig();
  c.customer_service = {20, 20, 30, 20};
  EXPECT_THAT(Error(c), HasSubstr("customer_service weights sum to 90"));
  c = AppraisalConfig();
  c.year_end = {20, 30, 40};
  EXPECT_THAT(Error(c), HasSubstr("year_end weights sum to 90"));
}

TEST(ConfigTest, DepartmentWeightsNeedNotReach100) {
  AppraisalConfig c;
  c.department = {40, 40, 20};
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.department = {0, 0, 0};
  EXPECT_EQ(Error(c), "department weights sum to 0, must be 1..100");
  c.department = {50, 50, 20};
  EXPECT_EQ(Error(c), "department weights sum to 120, must be 1..100");
}

TEST(ConfigTest, ThresholdAndWindow) {
  AppraisalConfig c;
  c.anonymity_k = 3;
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.anonymity_k = 2;  // DOMAIN §5: never below 3
  EXPECT_EQ(Error(c), "anonymity_k is 2, must be 3..1000");
  c = AppraisalConfig();
  c.max_window_periods = 0;
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.max_window_periods = 4;  // DOMAIN §5: at most 3
  EXPECT_EQ(Error(c), "max_window_periods is 4, must be 0..3");
  c = AppraisalConfig();
  c.satisfaction_weight = 0;
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.satisfaction_weight = 101;
  EXPECT_EQ(Error(c), "satisfaction_weight is 101, must be 0..100");
  c = AppraisalConfig();
  c.quarter = {80, 101};
  EXPECT_EQ(Error(c), "quarter.member is 101, must be 0..100");
}

}  // namespace
}  // namespace survey::domain::appraisal
