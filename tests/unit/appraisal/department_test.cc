#include "domain/appraisal/department.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::HasSubstr;

constexpr double kDepartmentEps = 1e-9;

AuditedItem Item(std::string name, double weight, double self,
                 std::optional<double> audited) {
  return {std::move(name), weight, self, audited};
}

// Seed 003, table 1 (duties): four duties weighted 40 / 20 / 20 / 20, all
// fully met: score = 100 × 40 % + 100 × 20 % × 3 = 40 + 20 + 20 + 20 = 100.
const std::vector<AuditedItem> kSeedDuties = {
    Item("pre-, in- and after-sales service", 40, 100, 100),
    Item("quality feedback", 20, 100, 100),
    Item("customer staff training", 20, 100, 100),
    Item("customer records", 20, 100, 100)};

// Seed 003, table 2 (work plan): battery inspections 50 %, Liaoning Unicom
// final acceptance 30 %, Nanjing training talks 20 % rated 80 (done a week
// late): 100 × 50 % + 100 × 30 % + 80 × 20 % = 50 + 30 + 16 = 96.
const std::vector<AuditedItem> kSeedPlan = {
    Item("battery inspections", 50, 50, 100),
    Item("final acceptance", 30, 30, 100),
    Item("training talks", 20, 16, 80)};

TEST(DepartmentTest, SeedTablesScore) {
  EXPECT_NEAR(*ScoreAuditedTable("duties", kSeedDuties), 100, kDepartmentEps);
  EXPECT_NEAR(*ScoreAuditedTable("plan", kSeedPlan), 96, kDepartmentEps);
}

TEST(DepartmentTest, SeedExample) {
  // (duties 100 × 30 % + plan 96 × 30 % + customer 90 × 20 %) × 100 / 100
  //   = (30 + 28.8 + 18) × 1.0 = 76.8; normalised 76.8 / 0.8 = 96.0
  DepartmentInput in;
  in.duties = *ScoreAuditedTable("duties", kSeedDuties);
  in.plan = *ScoreAuditedTable("plan", kSeedPlan);
  in.customer = 90;
  in.key_indicator = 100;
  absl::StatusOr<DepartmentTotal> t = ComputeDepartmentTotal(in, {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_NEAR(t->factor, 1.0, kDepartmentEps);
  EXPECT_NEAR(t->total, 76.8, kDepartmentEps);
  EXPECT_NEAR(t->normalised, 96.0, kDepartmentEps);
  EXPECT_TRUE(t->customer_counted);
}

TEST(DepartmentTest, KeyIndicatorFactorScalesBoth) {
  // Key indicator 90 -> factor 0.9: 76.8 × 0.9 = 69.12; 96 × 0.9 = 86.4.
  DepartmentInput in{100, 96, 90, 90};
  absl::StatusOr<DepartmentTotal> t = ComputeDepartmentTotal(in, {});
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->factor, 0.9, kDepartmentEps);
  EXPECT_NEAR(t->total, 69.12, kDepartmentEps);
  EXPECT_NEAR(t->normalised, 86.4, kDepartmentEps);
}

TEST(DepartmentTest, MissingCustomerEvaluationRenormalises) {
  // Fewer than k cross-evaluations: customer left out.
  // normalised = (30 × 100 + 30 × 96) / 60 = (3000 + 2880) / 60 = 98
  // total = 98 × 80 / 100 = 78.4 (still on the literal 0..80 range)
  DepartmentInput in{100, 96, std::nullopt, 100};
  absl::StatusOr<DepartmentTotal> t = ComputeDepartmentTotal(in, {});
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->customer_counted);
  EXPECT_NEAR(t->normalised, 98, kDepartmentEps);
  EXPECT_NEAR(t->total, 78.4, kDepartmentEps);
}

TEST(DepartmentTest, WeightsAreConfiguration) {
  // 40 / 40 / 20 = 100: total and normalised coincide.
  // (40 × 100 + 40 × 96 + 20 × 90) / 100 = (4000 + 3840 + 1800) / 100 = 96.4
  DepartmentInput in{100, 96, 90, 100};
  absl::StatusOr<DepartmentTotal> t = ComputeDepartmentTotal(in, {40, 40, 20});
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->total, 96.4, kDepartmentEps);
  EXPECT_NEAR(t->normalised, 96.4, kDepartmentEps);
}

TEST(DepartmentTest, SelfRatingNeverCounts) {
  const std::vector<AuditedItem> items = {Item("a", 100, 100, 60)};
  EXPECT_NEAR(*ScoreAuditedTable("duties", items), 60, kDepartmentEps);
}

TEST(DepartmentTest, TableErrors) {
  std::vector<AuditedItem> items = kSeedPlan;
  items[2].audited_rating.reset();
  absl::StatusOr<double> s = ScoreAuditedTable("plan", items);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "plan: not yet audited: \"training talks\"");
  items = kSeedPlan;
  items[2].weight = 10;
  EXPECT_EQ(ScoreAuditedTable("plan", items).status().message(),
            "plan: weights sum to 90, must be 100");
  items = kSeedPlan;
  items[0].audited_rating = 120;
  EXPECT_THAT(ScoreAuditedTable("plan", items).status().message(),
              HasSubstr("ratings must be 0..100"));
  EXPECT_EQ(ScoreAuditedTable("plan", {}).status().message(),
            "plan: no items");
}

TEST(DepartmentTest, InputErrors) {
  EXPECT_EQ(ComputeDepartmentTotal({100, 96, 90, 101}, {}).status().message(),
            "key_indicator is 101, must be 0..100");
  EXPECT_EQ(ComputeDepartmentTotal({-1, 96, 90, 100}, {}).status().message(),
            "duties is -1, must be 0..100");
  EXPECT_EQ(
      ComputeDepartmentTotal({100, 96, std::nullopt, 100}, {0, 0, 20})
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST(DepartmentTest, QuarterlyCarry) {
  // Department 96 (normalised), own monthly scores 85, 90, 80 -> own 85.
  const std::vector<double> months = {85, 90, 80};
  const double own = *MeanScore(months);
  EXPECT_NEAR(own, 85, kDepartmentEps);
  // Manager: 96 × 80 % + 85 × 20 % = 76.8 + 17 = 93.8
  EXPECT_NEAR(*QuarterlyScore(DepartmentRole::kManager, 96, own, {}), 93.8,
              kDepartmentEps);
  // Member:  96 × 20 % + 85 × 80 % = 19.2 + 68 = 87.2
  EXPECT_NEAR(*QuarterlyScore(DepartmentRole::kMember, 96, own, {}), 87.2,
              kDepartmentEps);
  // Configurable: manager 70 % -> 96 × 0.7 + 85 × 0.3 = 67.2 + 25.5 = 92.7
  EXPECT_NEAR(*QuarterlyScore(DepartmentRole::kManager, 96, own, {70, 20}),
              92.7, kDepartmentEps);
  EXPECT_FALSE(QuarterlyScore(DepartmentRole::kMember, -1, own, {}).ok());
  EXPECT_EQ(MeanScore({}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace survey::domain::appraisal
