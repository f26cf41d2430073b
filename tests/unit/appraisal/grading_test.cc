#include "domain/appraisal/grading.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

using G = Grade;

GradeCounts Q(int64_t n) { return *Quotas(n, Distribution()); }

// n distinct coefficients, best first: 10000, 9990, 9980, ...
std::vector<int64_t> Descending(int n) {
  std::vector<int64_t> bp;
  for (int i = 0; i < n; ++i) bp.push_back(10000 - 10 * i);
  return bp;
}

GradeCounts CountOf(const std::vector<Grade>& grades) {
  GradeCounts c{};
  for (Grade g : grades) ++c[static_cast<int>(g)];
  return c;
}

TEST(QuotasTest, RoundingRule) {
  // 7:   A floor(0.35) = 0, B round(1.4) = 1, D 1, E floor(0.35) = 0,
  //      C = 7 - 2 = 5
  EXPECT_THAT(Q(7), ElementsAre(0, 1, 5, 1, 0));
  // 20:  exact: 1, 4, 10, 4, 1
  EXPECT_THAT(Q(20), ElementsAre(1, 4, 10, 4, 1));
  // 101: A floor(5.05) = 5, B round(20.2) = 20, D 20, E 5, C = 101 - 50 = 51
  EXPECT_THAT(Q(101), ElementsAre(5, 20, 51, 20, 5));
  // 8:   B round(1.6) = 2, D 2, C 4
  EXPECT_THAT(Q(8), ElementsAre(0, 2, 4, 2, 0));
  // 10:  A floor(0.5) = 0: nobody pushed into A or E by rounding
  EXPECT_THAT(Q(10), ElementsAre(0, 2, 6, 2, 0));
  EXPECT_THAT(Q(3), ElementsAre(0, 1, 1, 1, 0));  // B, D round(0.6) = 1
  EXPECT_THAT(Q(1), ElementsAre(0, 0, 1, 0, 0));
  EXPECT_THAT(Q(0), ElementsAre(0, 0, 0, 0, 0));
  // 25: A floor(1.25) = 1, B round(5) = 5, D 5, E 1, C 13
  EXPECT_THAT(Q(25), ElementsAre(1, 5, 13, 5, 1));
}

TEST(QuotasTest, CustomDistributionAndErrors) {
  // 10 / 20 / 40 / 20 / 10 of 30: A 3, B 6, D 6, E 3, C 12
  EXPECT_THAT(*Quotas(30, {10, 20, 40, 20, 10}), ElementsAre(3, 6, 12, 6, 3));
  // C = 0 %: B, D round(0.5) = 1 each would leave C = -1 for n = 2 at
  // 0 / 25 / 0 / 25 / 50; D gives one back.
  EXPECT_THAT(*Quotas(2, {0, 25, 0, 25, 50}), ElementsAre(0, 1, 0, 0, 1));
  EXPECT_FALSE(Quotas(10, {5, 20, 50, 20, 4}).ok());
  EXPECT_FALSE(Quotas(-1, Distribution()).ok());
}

TEST(DistributeTest, SevenEmployees) {
  const std::vector<int64_t> bp = {9500, 9000, 8500, 8000, 7500, 7000, 6500};
  EXPECT_THAT(*DistributeUnit(bp, Distribution()),
              ElementsAre(G::kB, G::kC, G::kC, G::kC, G::kC, G::kC, G::kD));
}

TEST(DistributeTest, TwentyEmployees) {
  std::vector<Grade> want(20, G::kC);
  want[0] = G::kA;
  for (int i = 1; i <= 4; ++i) want[i] = G::kB;
  for (int i = 15; i <= 18; ++i) want[i] = G::kD;
  want[19] = G::kE;
  EXPECT_THAT(*DistributeUnit(Descending(20), Distribution()),
              ElementsAreArray(want));
}

TEST(DistributeTest, HundredAndOneEmployeesInAnyInputOrder) {
  std::vector<int64_t> bp = Descending(101);
  std::reverse(bp.begin(), bp.end());  // worst first: result follows input
  std::vector<Grade> grades = *DistributeUnit(bp, Distribution());
  EXPECT_THAT(CountOf(grades), ElementsAre(5, 20, 51, 20, 5));
  EXPECT_EQ(grades.back(), G::kA);   // 10000, the best
  EXPECT_EQ(grades.front(), G::kE);  // the worst
  // Positions (best first) 0-4 A, 5-24 B, 25-75 C, 76-95 D, 96-100 E.
  EXPECT_EQ(grades[100 - 4], G::kA);
  EXPECT_EQ(grades[100 - 5], G::kB);
  EXPECT_EQ(grades[100 - 75], G::kC);
  EXPECT_EQ(grades[100 - 76], G::kD);
  EXPECT_EQ(grades[100 - 96], G::kE);
}

TEST(DistributeTest, TiesGetTheBestGradeTheyReach) {
  // 20 employees; positions 0 and 1 tie: both A (A 2, B shrinks to 3).
  std::vector<int64_t> bp = Descending(20);
  bp[1] = bp[0];
  std::vector<Grade> g = *DistributeUnit(bp, Distribution());
  EXPECT_EQ(g[0], G::kA);
  EXPECT_EQ(g[1], G::kA);
  EXPECT_THAT(CountOf(g), ElementsAre(2, 3, 10, 4, 1));

  // Positions 4, 5, 6 tie across the B / C boundary: all B.
  bp = Descending(20);
  bp[5] = bp[6] = bp[4];
  g = *DistributeUnit(bp, Distribution());
  EXPECT_THAT(std::vector<Grade>(g.begin() + 4, g.begin() + 7),
              ElementsAre(G::kB, G::kB, G::kB));
  EXPECT_THAT(CountOf(g), ElementsAre(1, 6, 8, 4, 1));

  // Positions 18 and 19 tie across the D / E boundary: both D, no E.
  bp = Descending(20);
  bp[19] = bp[18];
  g = *DistributeUnit(bp, Distribution());
  EXPECT_EQ(g[19], G::kD);
  EXPECT_THAT(CountOf(g), ElementsAre(1, 4, 10, 5, 0));

  // Everyone equal: no one can be told apart, so all get the grade of
  // position 0 (documented): B for 7 people (A's quota is 0), A for 20.
  g = *DistributeUnit(std::vector<int64_t>(7, 8000), Distribution());
  EXPECT_THAT(CountOf(g), ElementsAre(0, 7, 0, 0, 0));
  g = *DistributeUnit(std::vector<int64_t>(20, 8000), Distribution());
  EXPECT_THAT(CountOf(g), ElementsAre(20, 0, 0, 0, 0));
}

TEST(GradeAnnualTest, SmallDepartmentsArePooled) {
  std::vector<Candidate> c;
  for (int i = 0; i < 25; ++i) {
    c.push_back({"S1-" + std::to_string(100 + i), "S1", 10000 - 10 * i});
  }
  for (int i = 0; i < 3; ++i) {
    c.push_back({"S2-" + std::to_string(i), "S2", 9000 - 100 * i});
  }
  for (int i = 0; i < 4; ++i) {
    c.push_back({"S3-" + std::to_string(i), "S3", 8950 - 100 * i});
  }
  absl::StatusOr<GradingResult> r = GradeAnnual(c, GradingOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->units.size(), 2u);
  EXPECT_EQ(r->units[0].name, "S1");
  EXPECT_EQ(r->units[0].size, 25);
  EXPECT_THAT(r->units[0].quotas, ElementsAre(1, 5, 13, 5, 1));
  EXPECT_FALSE(r->units[0].below_minimum);
  // S2 (3) and S3 (4) are below 20: pooled, 7 people, still below 20.
  EXPECT_EQ(r->units[1].name, "(pooled)");
  EXPECT_THAT(r->units[1].departments, ElementsAre("S2", "S3"));
  EXPECT_THAT(r->units[1].quotas, ElementsAre(0, 1, 5, 1, 0));
  EXPECT_TRUE(r->units[1].below_minimum);
  // Pool order: 9000 (S2-0) B, 8950 (S3-0) C, ..., 8650 (S3-3) D.
  const GradedEmployee& best = r->employees[25];
  EXPECT_EQ(best.employee_no, "S2-0");
  EXPECT_EQ(best.unit, "(pooled)");
  EXPECT_EQ(best.department_code, "S2");
  EXPECT_EQ(best.grade, G::kB);
  EXPECT_EQ(best.rank, 1);
  EXPECT_EQ(r->employees.back().employee_no, "S3-3");
  EXPECT_EQ(r->employees.back().grade, G::kD);

  GradingOptions company;
  company.pooling = Pooling::kCompany;
  r = GradeAnnual(c, company);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->units.size(), 1u);
  EXPECT_EQ(r->units[0].name, "(company)");
  // 32: A floor(1.6) = 1, B round(6.4) = 6, D 6, E floor(1.6) = 1, C 18
  EXPECT_THAT(r->units[0].quotas, ElementsAre(1, 6, 18, 6, 1));
  EXPECT_THAT(r->units[0].departments, ElementsAre("S1", "S2", "S3"));
}

TEST(GradeAnnualTest, RanksShareTiesAndOutputIsStable) {
  const std::vector<Candidate> c = {{"e3", "D", 8000},
                                    {"e1", "D", 9000},
                                    {"e2", "D", 9000},
                                    {"e4", "D", 7000}};
  absl::StatusOr<GradingResult> r = GradeAnnual(c, GradingOptions());
  ASSERT_TRUE(r.ok());
  std::vector<std::string> order;
  std::vector<int64_t> ranks;
  for (const GradedEmployee& e : r->employees) {
    order.push_back(e.employee_no);
    ranks.push_back(e.rank);
  }
  EXPECT_THAT(order, ElementsAre("e1", "e2", "e3", "e4"));
  EXPECT_THAT(ranks, ElementsAre(1, 1, 3, 4));
  // 4 people: B round(0.8) = 1, D 1, C 2. e1, e2 tie at position 0: both B.
  EXPECT_EQ(r->employees[0].grade, G::kB);
  EXPECT_EQ(r->employees[1].grade, G::kB);
  EXPECT_EQ(r->employees[2].grade, G::kC);
  EXPECT_EQ(r->employees[3].grade, G::kD);
  EXPECT_THAT(r->units[0].counts, ElementsAre(0, 2, 1, 1, 0));
}

TEST(GradeAnnualTest, Errors) {
  EXPECT_FALSE(GradeAnnual(std::vector<Candidate>{{"e1", "D", 1}, {"e1", "D", 2}},
                           GradingOptions())
                   .ok());
  EXPECT_FALSE(
      GradeAnnual(std::vector<Candidate>{{"", "D", 1}}, GradingOptions()).ok());
  EXPECT_FALSE(
      GradeAnnual(std::vector<Candidate>{{"e", "D", -1}}, GradingOptions())
          .ok());
  GradingOptions o;
  o.min_unit_size = 0;
  EXPECT_FALSE(GradeAnnual({}, o).ok());
}

TEST(GradeNamesTest, ParseAndName) {
  EXPECT_EQ(GradeName(G::kA), "A");
  EXPECT_EQ(GradeName(G::kE), "E");
  EXPECT_EQ(*ParseGrade("b"), G::kB);
  EXPECT_FALSE(ParseGrade("F").ok());
  EXPECT_FALSE(ParseGrade("").ok());
  EXPECT_EQ(*ParsePooling("Company"), Pooling::kCompany);
  EXPECT_EQ(*ParsePooling("department"), Pooling::kDepartment);
  EXPECT_FALSE(ParsePooling("team").ok());
}

}  // namespace
}  // namespace survey::domain::appraisal
