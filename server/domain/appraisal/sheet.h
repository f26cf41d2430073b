// Scoring of one employee's monthly appraisal sheet (DOMAIN.md §4, seeds
// 002 and 001). Pure: the service loads the lines, this computes.
//
// Standard sheet (seed 002). Every line is scored on the 100-point scale and
// carries a weight in percent of its section; a section's line weights sum
// to 100. Weighted sections and their share of the sheet (AppraisalConfig):
//   1 KPI + 2 work goals  kpi_goals (80 %), split by the appraiser per sheet
//   3 behaviour           management posts 10 %, other posts 20 %
//   4 management          management posts 10 %, other posts 0 %
// The score that counts: KPI -> reviewer_score (the collected data, "no
// subjective adjustment"); work goals and behaviour -> reviewer_score (the
// supervisor's review; self_score is kept but never counts); management ->
// (self × 20 + subordinates × 20 + superior × 60) / 100.
//   section score S = Σ w_i × s_i / Σ w_i              (0..100)
//   weighted      = Σ W_s × S_s / Σ W_s                 (0..100)
//   sheet score   = max(0, weighted + Σ confirmed bonus points
//                                   - Σ confirmed incident deductions)
//   maximum       = 100 (bonus points may take the score above it)
// Unconfirmed incidents and bonus points are shown but never count.
//
// Customer-service sheet (seed 001): parts morality 20, diligence 20,
// ability 30, performance 30 (AppraisalConfig::customer_service) are the
// weighted sections, each line scored by the manager (reviewer_score); the
// bonus section holds commendations of 1..10 points each, at most 10
// confirmed points a month ("加1~10分" on the total); there is no
// incidents section (001 deducts inside the parts' scores).
//
// "Insufficient responses" (DOMAIN §5). A satisfaction line so marked is
// left out and its section renormalised over the remaining lines: Σ w_i
// above runs over the counted lines only, so each remaining line's
// effective weight is w_i × 100 / Σ counted w. If that empties a section,
// the section is left out the same way one level up (Σ W_s over the counted
// sections), so the maximum stays 100.
//
// Decisions (DOMAIN.md is silent):
//   - Line scores are 0..100; over-achievement goes through bonus points.
//   - kpi_weight may be omitted only when section 1 or section 2 has no
//     lines (the other then takes the whole 80 %).
//   - A management line without a subordinates' score (e.g. too few
//     subordinates to rate anonymously) renormalises over self and
//     superior: (self × 20 + superior × 60) / 80.
//   - The satisfaction line sits in section 1 (standard) or the performance
//     part (customer service), at most one per sheet, with exactly the
//     configured weight; the other lines of its section share the rest.
//   - A sheet score below 0 (deductions beyond the weighted score) is 0.
#ifndef SURVEY_DOMAIN_APPRAISAL_SHEET_H_
#define SURVEY_DOMAIN_APPRAISAL_SHEET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/appraisal/config.h"
#include "domain/org.h"

namespace survey::domain::appraisal {

enum class Section {
  // Standard sheet.
  kKpi,
  kWorkGoals,
  kBehaviour,
  kManagement,
  kIncidents,
  kBonus,  // also the customer-service sheet's commendations
  // Customer-service sheet.
  kMorality,
  kDiligence,
  kAbility,
  kPerformance,
};

// "kpi", "work_goals", "behaviour", "management", "incidents", "bonus",
// "morality", "diligence", "ability", "performance".
std::string_view SectionName(Section section);

struct SheetLine {
  std::string id;
  Section section = Section::kKpi;
  double weight = 0;  // percent of its section; 0 for incidents and bonus
  std::optional<double> self_score;
  std::optional<double> reviewer_score;      // the score that counts
  std::optional<double> subordinates_score;  // management lines
  std::optional<double> superior_score;      // management lines
  double points = 0;  // incidents: <= 0 (a deduction); bonus: >= 0
  bool confirmed = false;  // incidents and bonus count once confirmed
  bool satisfaction = false;  // the pushed satisfaction line
  bool insufficient_responses = false;  // satisfaction lines only
};

struct SheetInput {
  SheetTemplate sheet_template = SheetTemplate::kStandard;
  PostType post_type = PostType::kOther;
  // Standard sheet: percent of the sheet given to section 1, 0..kpi_goals;
  // section 2 gets kpi_goals - kpi_weight. Unset: see the decisions above.
  std::optional<int> kpi_weight;
  std::vector<SheetLine> lines;
};

struct LineScore {
  std::string id;
  Section section = Section::kKpi;
  // False for an insufficient-responses line and for unconfirmed incidents
  // and bonus points.
  bool counted = false;
  double score = 0;             // the line's 0..100 score, or its points
  double effective_weight = 0;  // percent of its section, renormalised
  double contribution = 0;      // points it adds to the sheet (< 0: deducts)
};

struct SectionScore {
  Section section = Section::kKpi;
  double weight = 0;            // configured, percent of the sheet
  double effective_weight = 0;  // renormalised; 0 when not counted
  bool counted = false;         // false: every line insufficient
  double score = 0;             // 0..100
  double points = 0;            // score × effective_weight / 100
};

struct SheetScore {
  double weighted = 0;    // Σ section points, 0..100
  double bonus = 0;       // confirmed bonus points
  double deductions = 0;  // confirmed incident points, as a positive number
  double score = 0;       // max(0, weighted + bonus - deductions)
  double max_score = 100;
  bool renormalised = false;  // some line or section was left out
  std::vector<SectionScore> sections;  // weighted sections with weight > 0
  std::vector<LineScore> lines;        // in input order
};

// Scores `sheet` under `config`. Returns InvalidArgument for a malformed
// sheet (every problem, "; "-joined: a section foreign to the template,
// weights not summing to 100 per section, scores outside 0..100, points of
// the wrong sign, a misplaced or mis-weighted satisfaction line, lines in a
// 0 % section, no lines in a weighted one); FailedPrecondition naming every
// line still waiting for the score that counts; FailedPrecondition if
// nothing is left to score.
// REQUIRES: ValidateConfig(config).ok().
absl::StatusOr<SheetScore> ScoreSheet(const SheetInput& sheet,
                                      const AppraisalConfig& config);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_SHEET_H_
