#include "domain/appraisal/sheet.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::HasSubstr;

constexpr double kSheetEps = 1e-9;

// A weighted line whose reviewer_score counts.
SheetLine Reviewed(std::string id, Section section, double weight,
                   double reviewer, std::optional<double> self = {}) {
  SheetLine l;
  l.id = std::move(id);
  l.section = section;
  l.weight = weight;
  l.reviewer_score = reviewer;
  l.self_score = self;
  return l;
}

SheetLine Satisfaction(double score, Section section = Section::kKpi) {
  SheetLine l = Reviewed("satisfaction", section, 20, score);
  l.satisfaction = true;
  return l;
}

SheetLine Insufficient(Section section = Section::kKpi, double weight = 20) {
  SheetLine l;
  l.id = "satisfaction";
  l.section = section;
  l.weight = weight;
  l.satisfaction = true;
  l.insufficient_responses = true;
  return l;
}

SheetLine Points(std::string id, Section section, double points,
                 bool confirmed) {
  SheetLine l;
  l.id = std::move(id);
  l.section = section;
  l.points = points;
  l.confirmed = confirmed;
  return l;
}

SheetLine Management(std::string id, double weight, double self,
                     std::optional<double> subordinates, double superior) {
  SheetLine l;
  l.id = std::move(id);
  l.section = Section::kManagement;
  l.weight = weight;
  l.self_score = self;
  l.subordinates_score = subordinates;
  l.superior_score = superior;
  return l;
}

// The engineer of the fixtures: an "other" post, KPI 60 % + goals 20 % of
// the 80 %, behaviour 20 %.
SheetInput EngineerSheet() {
  SheetInput s;
  s.post_type = PostType::kOther;
  s.kpi_weight = 60;
  s.lines = {
      Satisfaction(85.5),
      Reviewed("first_time_fix", Section::kKpi, 50, 90),
      Reviewed("punctuality", Section::kKpi, 30, 80),
      Reviewed("documentation", Section::kWorkGoals, 60, 85, 95),
      Reviewed("training", Section::kWorkGoals, 40, 70, 100),
      Reviewed("discipline", Section::kBehaviour, 50, 100, 90),
      Reviewed("teamwork", Section::kBehaviour, 50, 90, 80),
      Points("commendation", Section::kBonus, 2, true),
      Points("proposal", Section::kBonus, 5, false),
      Points("late_report", Section::kIncidents, -3, true),
      Points("alleged_complaint", Section::kIncidents, -10, false),
  };
  return s;
}

const SectionScore& SectionOf(const SheetScore& s, Section section) {
  for (const SectionScore& ss : s.sections) {
    if (ss.section == section) return ss;
  }
  ADD_FAILURE() << "no section " << SectionName(section);
  return s.sections.front();
}

TEST(SheetTest, StandardSheetOtherPost) {
  absl::StatusOr<SheetScore> r = ScoreSheet(EngineerSheet(), AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  // KPI (60 %):   (20 × 85.5 + 50 × 90 + 30 × 80) / 100
  //             = (1710 + 4500 + 2400) / 100 = 86.1
  // Goals (20 %): reviewer scores count, self scores (95, 100) do not:
  //               (60 × 85 + 40 × 70) / 100 = (5100 + 2800) / 100 = 79
  // Behaviour (20 %): (50 × 100 + 50 × 90) / 100 = 95
  // weighted = 60 × 86.1 / 100 + 20 × 79 / 100 + 20 × 95 / 100
  //          = 51.66 + 15.8 + 19 = 86.46
  // score = 86.46 + 2 (confirmed bonus) - 3 (confirmed incident) = 85.46;
  // the unconfirmed +5 and -10 do not count.
  EXPECT_NEAR(SectionOf(*r, Section::kKpi).score, 86.1, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kWorkGoals).score, 79, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kBehaviour).score, 95, kSheetEps);
  EXPECT_EQ(r->sections.size(), 3u);  // management weighs 0 %: not listed
  EXPECT_NEAR(SectionOf(*r, Section::kKpi).points, 51.66, kSheetEps);
  EXPECT_NEAR(r->weighted, 86.46, kSheetEps);
  EXPECT_NEAR(r->bonus, 2, kSheetEps);
  EXPECT_NEAR(r->deductions, 3, kSheetEps);
  EXPECT_NEAR(r->score, 85.46, kSheetEps);
  EXPECT_EQ(r->max_score, 100);
  EXPECT_FALSE(r->renormalised);
  // The satisfaction line adds 85.5 × 20 % × 60 % = 10.26 points.
  EXPECT_NEAR(r->lines[0].contribution, 10.26, kSheetEps);
  EXPECT_NEAR(r->lines[0].effective_weight, 20, kSheetEps);
  EXPECT_FALSE(r->lines[8].counted);  // unconfirmed bonus
  EXPECT_TRUE(r->lines[9].counted);
  EXPECT_NEAR(r->lines[9].contribution, -3, kSheetEps);
}

TEST(SheetTest, InsufficientSatisfactionRenormalisesItsSection) {
  SheetInput s = EngineerSheet();
  s.lines[0] = Insufficient();
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  // KPI over the counted weights 50 + 30 = 80:
  //   (50 × 90 + 30 × 80) / 80 = 6900 / 80 = 86.25
  // effective weights 50 / 80 = 62.5 %, 30 / 80 = 37.5 %.
  // weighted = 60 × 86.25 / 100 + 15.8 + 19 = 51.75 + 34.8 = 86.55
  // score = 86.55 + 2 - 3 = 85.55
  EXPECT_FALSE(r->lines[0].counted);
  EXPECT_EQ(r->lines[0].contribution, 0);
  EXPECT_NEAR(r->lines[1].effective_weight, 62.5, kSheetEps);
  EXPECT_NEAR(r->lines[2].effective_weight, 37.5, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kKpi).score, 86.25, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kKpi).effective_weight, 60, kSheetEps);
  EXPECT_NEAR(r->weighted, 86.55, kSheetEps);
  EXPECT_NEAR(r->score, 85.55, kSheetEps);
  EXPECT_TRUE(r->renormalised);
}

TEST(SheetTest, EmptiedSectionRenormalisesTheSheet) {
  // Satisfaction is the whole of section 1 in this period (weight 100).
  AppraisalConfig c;
  c.satisfaction_weight = 100;
  SheetInput s;
  s.kpi_weight = 40;  // goals get 80 - 40 = 40, behaviour 20
  s.lines = {Insufficient(Section::kKpi, 100),
             Reviewed("goal", Section::kWorkGoals, 100, 80),
             Reviewed("conduct", Section::kBehaviour, 100, 90)};
  absl::StatusOr<SheetScore> r = ScoreSheet(s, c);
  ASSERT_TRUE(r.ok()) << r.status();
  // KPI has no counted line, so it is left out; the sheet renormalises
  // over goals 40 + behaviour 20 = 60:
  //   weighted = (40 × 80 + 20 × 90) / 60 = (3200 + 1800) / 60 = 83.333...
  //   goals' effective weight 40 / 60 = 66.67 %, behaviour's 33.33 %.
  EXPECT_FALSE(SectionOf(*r, Section::kKpi).counted);
  EXPECT_EQ(SectionOf(*r, Section::kKpi).points, 0);
  EXPECT_NEAR(SectionOf(*r, Section::kWorkGoals).effective_weight,
              200.0 / 3, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kBehaviour).effective_weight,
              100.0 / 3, kSheetEps);
  EXPECT_NEAR(r->weighted, 250.0 / 3, kSheetEps);
  EXPECT_NEAR(r->score, 250.0 / 3, kSheetEps);
  EXPECT_TRUE(r->renormalised);
  EXPECT_NEAR(r->lines[1].contribution + r->lines[2].contribution,
              250.0 / 3, kSheetEps);
}

TEST(SheetTest, ManagementPost) {
  SheetInput s;
  s.post_type = PostType::kManagement;
  // No work-goal lines and no kpi_weight: KPI takes the whole 80 %.
  s.lines = {
      Satisfaction(90),
      Reviewed("team_resolution", Section::kKpi, 80, 75),
      Reviewed("conduct", Section::kBehaviour, 100, 88, 95),
      Management("leadership", 60, 90, 70, 80),
      Management("coaching", 40, 100, std::nullopt, 70),
  };
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  // KPI (80 %): (20 × 90 + 80 × 75) / 100 = (1800 + 6000) / 100 = 78
  // Behaviour (10 %): 88
  // leadership: (20 × 90 + 20 × 70 + 60 × 80) / 100
  //           = (1800 + 1400 + 4800) / 100 = 80
  // coaching, no subordinates' score: (20 × 100 + 60 × 70) / 80
  //           = (2000 + 4200) / 80 = 77.5
  // Management (10 %): (60 × 80 + 40 × 77.5) / 100 = (4800 + 3100) / 100
  //           = 79
  // weighted = 80 × 78 / 100 + 10 × 88 / 100 + 10 × 79 / 100
  //          = 62.4 + 8.8 + 7.9 = 79.1
  EXPECT_NEAR(r->lines[3].score, 80, kSheetEps);
  EXPECT_NEAR(r->lines[4].score, 77.5, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kManagement).score, 79, kSheetEps);
  EXPECT_EQ(SectionOf(*r, Section::kKpi).weight, 80);
  EXPECT_EQ(r->sections.size(), 3u);  // work goals weigh 0 %
  EXPECT_NEAR(r->score, 79.1, kSheetEps);
}

TEST(SheetTest, ManagementPartsAreConfigurable) {
  AppraisalConfig c;
  c.management_parts = {10, 30, 60};
  SheetInput s;
  s.post_type = PostType::kManagement;
  s.lines = {Reviewed("k", Section::kKpi, 100, 100),
             Reviewed("b", Section::kBehaviour, 100, 100),
             Management("m", 100, 100, 50, 80)};
  absl::StatusOr<SheetScore> r = ScoreSheet(s, c);
  ASSERT_TRUE(r.ok()) << r.status();
  // (10 × 100 + 30 × 50 + 60 × 80) / 100 = (1000 + 1500 + 4800) / 100 = 73
  EXPECT_NEAR(r->lines[2].score, 73, kSheetEps);
  // 80 × 100 / 100 + 10 × 100 / 100 + 10 × 73 / 100 = 80 + 10 + 7.3
  EXPECT_NEAR(r->score, 97.3, kSheetEps);
}

TEST(SheetTest, CustomerServiceSheet) {
  SheetInput s;
  s.sheet_template = SheetTemplate::kCustomerService;
  s.lines = {
      Reviewed("service_attitude", Section::kMorality, 50, 90),
      Reviewed("discipline", Section::kMorality, 50, 100),
      Reviewed("attendance", Section::kDiligence, 100, 85),
      Reviewed("business_ability", Section::kAbility, 100, 80),
      Satisfaction(92, Section::kPerformance),
      Reviewed("efficiency", Section::kPerformance, 80, 85),
      Points("commendation", Section::kBonus, 5, true),
      Points("pending_commendation", Section::kBonus, 8, false),
  };
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  // morality 20:    (50 × 90 + 50 × 100) / 100 = 95  -> 19 points
  // diligence 20:   85                            -> 17
  // ability 30:     80                            -> 24
  // performance 30: (20 × 92 + 80 × 85) / 100 = (1840 + 6800) / 100 = 86.4
  //                                               -> 25.92
  // weighted = 19 + 17 + 24 + 25.92 = 85.92; + 5 (confirmed) = 90.92
  EXPECT_NEAR(SectionOf(*r, Section::kMorality).points, 19, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kPerformance).score, 86.4, kSheetEps);
  EXPECT_NEAR(SectionOf(*r, Section::kPerformance).points, 25.92, kSheetEps);
  EXPECT_NEAR(r->weighted, 85.92, kSheetEps);
  EXPECT_NEAR(r->score, 90.92, kSheetEps);
}

TEST(SheetTest, BonusPointsMayExceedTheMaximumButTheScoreNotGoBelowZero) {
  SheetInput s;
  s.lines = {Reviewed("k", Section::kKpi, 100, 100),
             Reviewed("b", Section::kBehaviour, 100, 100),
             Points("award", Section::kBonus, 5, true)};
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->score, 105, kSheetEps);  // 80 + 20 + 5
  EXPECT_EQ(r->max_score, 100);

  s.lines = {Reviewed("k", Section::kKpi, 100, 10),
             Reviewed("b", Section::kBehaviour, 100, 10),
             Points("breach", Section::kIncidents, -30, true)};
  r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  // 8 + 2 - 30 = -20, floored at 0.
  EXPECT_NEAR(r->weighted, 10, kSheetEps);
  EXPECT_NEAR(r->deductions, 30, kSheetEps);
  EXPECT_EQ(r->score, 0);
}

TEST(SheetTest, KpiWeightSplitsTheSharedEightyPercent) {
  SheetInput s = EngineerSheet();
  s.kpi_weight = 80;  // all to KPI: work goals now weigh 0 % but have lines
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("section work_goals weighs 0 % on this sheet but "
                        "has 2 lines"));
  s.kpi_weight = 81;
  r = ScoreSheet(s, AppraisalConfig());
  EXPECT_EQ(r.status().message(), "kpi_weight is 81, must be 0..80");
  s.kpi_weight.reset();
  r = ScoreSheet(s, AppraisalConfig());
  EXPECT_THAT(r.status().message(), HasSubstr("kpi_weight is required"));
}

TEST(SheetTest, ReportsEveryShapeProblemAtOnce) {
  SheetInput s = EngineerSheet();
  s.lines[1].weight = 40;             // KPI sums to 90
  s.lines[3].reviewer_score = 101;    // out of range
  s.lines[7].points = -2;             // negative bonus
  s.lines[9].points = 3;              // positive incident
  s.lines.push_back(Management("m", 100, 90, 90, 90));  // other post
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(r.status().message());
  EXPECT_THAT(m, HasSubstr("section kpi line weights sum to 90, must be 100"));
  EXPECT_THAT(m, HasSubstr("line 3 \"documentation\" (work_goals): scores "
                           "must be 0..100"));
  EXPECT_THAT(m, HasSubstr("bonus points must be >= 0"));
  EXPECT_THAT(m, HasSubstr("an incident deducts"));
  EXPECT_THAT(m, HasSubstr("section management weighs 0 %"));
}

TEST(SheetTest, SatisfactionLineRules) {
  AppraisalConfig c;
  SheetInput s = EngineerSheet();
  s.lines[0].weight = 25;
  s.lines[1].weight = 45;
  absl::StatusOr<SheetScore> r = ScoreSheet(s, c);
  EXPECT_THAT(r.status().message(),
              HasSubstr("the satisfaction line weighs 20 % (configuration), "
                        "not 25"));
  // With the configured weight at 25 the same sheet is fine.
  c.satisfaction_weight = 25;
  EXPECT_TRUE(ScoreSheet(s, c).ok());

  s = EngineerSheet();
  s.lines[5].satisfaction = true;  // in behaviour
  EXPECT_THAT(ScoreSheet(s, AppraisalConfig()).status().message(),
              HasSubstr("the satisfaction line belongs in section kpi"));

  s = EngineerSheet();
  s.lines[1].insufficient_responses = true;  // not a satisfaction line
  EXPECT_THAT(ScoreSheet(s, AppraisalConfig()).status().message(),
              HasSubstr("only the satisfaction line can lack responses"));

  s = EngineerSheet();
  s.lines[1] = Satisfaction(80);
  s.lines[1].weight = 50;
  EXPECT_THAT(ScoreSheet(s, AppraisalConfig()).status().message(),
              HasSubstr("2 satisfaction lines; at most one"));
}

TEST(SheetTest, CustomerServiceRules) {
  SheetInput s;
  s.sheet_template = SheetTemplate::kCustomerService;
  s.lines = {Reviewed("a", Section::kMorality, 100, 90),
             Reviewed("b", Section::kDiligence, 100, 90),
             Reviewed("c", Section::kAbility, 100, 90),
             Reviewed("d", Section::kPerformance, 100, 90),
             Points("x", Section::kIncidents, -1, true),
             Points("big", Section::kBonus, 11, true)};
  std::string m(ScoreSheet(s, AppraisalConfig()).status().message());
  EXPECT_THAT(m, HasSubstr("(incidents): section is not on this sheet"));
  EXPECT_THAT(m, HasSubstr("a commendation adds 1..10 points"));

  s.lines.resize(4);
  s.lines.push_back(Points("c1", Section::kBonus, 6, true));
  s.lines.push_back(Points("c2", Section::kBonus, 5, true));
  m = std::string(ScoreSheet(s, AppraisalConfig()).status().message());
  EXPECT_THAT(m, HasSubstr("confirmed commendations add 11 points; at most"));
  s.lines.back().confirmed = false;
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->score, 96, kSheetEps);  // 90 + 6

  s.kpi_weight = 50;
  EXPECT_EQ(ScoreSheet(s, AppraisalConfig()).status().message(),
            "kpi_weight applies to the standard sheet only");
}

TEST(SheetTest, MissingCountingScoresAreFailedPrecondition) {
  SheetInput s = EngineerSheet();
  s.lines[3].reviewer_score.reset();  // self score 95 alone never counts
  s.lines[0].reviewer_score.reset();  // pushed line without a score
  absl::StatusOr<SheetScore> r = ScoreSheet(s, AppraisalConfig());
  ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "waiting for the score that counts: line 0 \"satisfaction\" "
            "(kpi), line 3 \"documentation\" (work_goals)");

  s = SheetInput();
  s.post_type = PostType::kManagement;
  s.lines = {Reviewed("k", Section::kKpi, 100, 100),
             Reviewed("b", Section::kBehaviour, 100, 100),
             Management("m", 100, 90, 90, 90)};
  s.lines[2].superior_score.reset();
  r = ScoreSheet(s, AppraisalConfig());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("\"m\" (management)"));
}

TEST(SheetTest, WeightedSectionWithoutLinesIsInvalid) {
  SheetInput s;
  s.lines = {Reviewed("k", Section::kKpi, 100, 100)};
  EXPECT_EQ(ScoreSheet(s, AppraisalConfig()).status().message(),
            "section behaviour weighs 20 % but has no lines");
}

TEST(SheetTest, SectionNames) {
  EXPECT_EQ(SectionName(Section::kKpi), "kpi");
  EXPECT_EQ(SectionName(Section::kWorkGoals), "work_goals");
  EXPECT_EQ(SectionName(Section::kPerformance), "performance");
}

}  // namespace
}  // namespace survey::domain::appraisal
