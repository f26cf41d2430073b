#include "domain/appraisal/sheet.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace survey::domain::appraisal {
namespace {

// Tolerance for "weights sum to 100" with fractional line weights.
constexpr double kWeightEpsilon = 1e-6;

bool IsWeighted(Section s) {
  return s != Section::kIncidents && s != Section::kBonus;
}

bool InTemplate(Section s, SheetTemplate t) {
  switch (s) {
    case Section::kBonus:
      return true;
    case Section::kKpi:
    case Section::kWorkGoals:
    case Section::kBehaviour:
    case Section::kManagement:
    case Section::kIncidents:
      return t == SheetTemplate::kStandard;
    case Section::kMorality:
    case Section::kDiligence:
    case Section::kAbility:
    case Section::kPerformance:
      return t == SheetTemplate::kCustomerService;
  }
  return false;
}

Section SatisfactionSection(SheetTemplate t) {
  return t == SheetTemplate::kStandard ? Section::kKpi : Section::kPerformance;
}

std::string LineLabel(const SheetLine& line, size_t index) {
  return absl::StrCat("line ", index, line.id.empty() ? "" : " \"",
                      line.id, line.id.empty() ? "" : "\"", " (",
                      std::string(SectionName(line.section)), ")");
}

bool ValidScore(const std::optional<double>& s) {
  return !s || (std::isfinite(*s) && *s >= 0 && *s <= 100);
}

// The weighted sections of the sheet with their configured weights, in
// sheet order. Fails only on a bad or missing kpi_weight.
absl::StatusOr<std::vector<std::pair<Section, int>>> SectionWeightsOf(
    const SheetInput& sheet, const AppraisalConfig& config) {
  if (sheet.sheet_template == SheetTemplate::kCustomerService) {
    if (sheet.kpi_weight) {
      return absl::InvalidArgumentError(
          "kpi_weight applies to the standard sheet only");
    }
    const CustomerServiceWeights& w = config.customer_service;
    return std::vector<std::pair<Section, int>>{
        {Section::kMorality, w.morality},
        {Section::kDiligence, w.diligence},
        {Section::kAbility, w.ability},
        {Section::kPerformance, w.performance}};
  }
  const SectionWeights& w = WeightsFor(config, sheet.post_type);
  int kpi = 0;
  if (sheet.kpi_weight) {
    kpi = *sheet.kpi_weight;
    if (kpi < 0 || kpi > w.kpi_goals) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kpi_weight is ", kpi, ", must be 0..", w.kpi_goals));
    }
  } else {
    auto has = [&](Section s) {
      return std::any_of(sheet.lines.begin(), sheet.lines.end(),
                         [&](const SheetLine& l) { return l.section == s; });
    };
    if (has(Section::kKpi) && has(Section::kWorkGoals)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kpi_weight is required: the appraiser splits the ", w.kpi_goals,
          " % between KPI and work goals"));
    }
    kpi = has(Section::kWorkGoals) ? 0 : w.kpi_goals;
  }
  return std::vector<std::pair<Section, int>>{
      {Section::kKpi, kpi},
      {Section::kWorkGoals, w.kpi_goals - kpi},
      {Section::kBehaviour, w.behaviour},
      {Section::kManagement, w.management}};
}

// Checks one line on its own; appends problems to `errors`.
void CheckLine(const SheetInput& sheet, const AppraisalConfig& config,
               const SheetLine& line, size_t index,
               std::vector<std::string>& errors) {
  const std::string label = LineLabel(line, index);
  if (!InTemplate(line.section, sheet.sheet_template)) {
    errors.push_back(absl::StrCat(label, ": section is not on this sheet"));
    return;
  }
  if (!ValidScore(line.self_score) || !ValidScore(line.reviewer_score) ||
      !ValidScore(line.subordinates_score) ||
      !ValidScore(line.superior_score)) {
    errors.push_back(absl::StrCat(label, ": scores must be 0..100"));
  }
  if (line.section != Section::kManagement &&
      (line.subordinates_score || line.superior_score)) {
    errors.push_back(absl::StrCat(
        label, ": subordinates' and superior's scores are for management "
               "lines only"));
  }
  if (IsWeighted(line.section)) {
    if (!std::isfinite(line.weight) || line.weight <= 0 ||
        line.weight > 100) {
      errors.push_back(absl::StrCat(label, ": weight must be > 0 and <= 100"));
    }
    if (line.points != 0) {
      errors.push_back(absl::StrCat(label, ": only incidents and bonus "
                                           "lines carry points"));
    }
  } else {
    if (line.weight != 0) {
      errors.push_back(absl::StrCat(label, ": incidents and bonus lines "
                                           "carry points, not a weight"));
    }
    if (!std::isfinite(line.points)) {
      errors.push_back(absl::StrCat(label, ": points must be a number"));
    } else if (line.section == Section::kIncidents && line.points > 0) {
      errors.push_back(absl::StrCat(label, ": an incident deducts: points "
                                           "must be <= 0"));
    } else if (line.section == Section::kBonus &&
               sheet.sheet_template == SheetTemplate::kCustomerService &&
               (line.points < 1 || line.points > 10)) {
      errors.push_back(
          absl::StrCat(label, ": a commendation adds 1..10 points"));
    } else if (line.section == Section::kBonus && line.points < 0) {
      errors.push_back(absl::StrCat(label, ": bonus points must be >= 0"));
    }
  }
  if (line.satisfaction) {
    if (line.section != SatisfactionSection(sheet.sheet_template)) {
      errors.push_back(absl::StrCat(
          label, ": the satisfaction line belongs in section ",
          std::string(SectionName(SatisfactionSection(sheet.sheet_template)))));
    } else if (std::abs(line.weight - config.satisfaction_weight) >
               kWeightEpsilon) {
      errors.push_back(absl::StrCat(label, ": the satisfaction line weighs ",
                                    config.satisfaction_weight,
                                    " % (configuration), not ", line.weight));
    }
  } else if (line.insufficient_responses) {
    errors.push_back(absl::StrCat(
        label, ": only the satisfaction line can lack responses"));
  }
}

// The line's 0..100 score, or nullopt while the score that counts is
// missing. REQUIRES: a weighted, counted line.
std::optional<double> CountingScore(const SheetLine& line,
                                    const ManagementParts& parts) {
  if (line.section != Section::kManagement) return line.reviewer_score;
  if (!line.self_score || !line.superior_score) return std::nullopt;
  double sum = parts.self * *line.self_score +
               parts.superior * *line.superior_score;
  int weight = parts.self + parts.superior;
  if (line.subordinates_score) {
    sum += parts.subordinates * *line.subordinates_score;
    weight += parts.subordinates;
  }
  return sum / weight;
}

}  // namespace

std::string_view SectionName(Section section) {
  switch (section) {
    case Section::kKpi: return "kpi";
    case Section::kWorkGoals: return "work_goals";
    case Section::kBehaviour: return "behaviour";
    case Section::kManagement: return "management";
    case Section::kIncidents: return "incidents";
    case Section::kBonus: return "bonus";
    case Section::kMorality: return "morality";
    case Section::kDiligence: return "diligence";
    case Section::kAbility: return "ability";
    case Section::kPerformance: return "performance";
  }
  return "unknown";
}

absl::StatusOr<SheetScore> ScoreSheet(const SheetInput& sheet,
                                      const AppraisalConfig& config) {
  absl::StatusOr<std::vector<std::pair<Section, int>>> weights =
      SectionWeightsOf(sheet, config);
  if (!weights.ok()) return weights.status();

  // 1. Shape: every problem at once, so a sheet is fixed in one pass.
  std::vector<std::string> errors;
  int satisfaction_lines = 0;
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    CheckLine(sheet, config, sheet.lines[i], i, errors);
    if (sheet.lines[i].satisfaction) ++satisfaction_lines;
  }
  if (sheet.sheet_template == SheetTemplate::kCustomerService) {
    double commendations = 0;
    for (const SheetLine& line : sheet.lines) {
      if (line.section == Section::kBonus && line.confirmed) {
        commendations += line.points;
      }
    }
    if (commendations > 10) {
      errors.push_back(absl::StrCat("confirmed commendations add ",
                                    commendations, " points; at most 10"));
    }
  }
  if (satisfaction_lines > 1) {
    errors.push_back(absl::StrCat(satisfaction_lines,
                                  " satisfaction lines; at most one"));
  }
  for (const auto& [section, weight] : *weights) {
    double sum = 0;
    int count = 0;
    for (const SheetLine& line : sheet.lines) {
      if (line.section != section) continue;
      sum += line.weight;
      ++count;
    }
    const std::string name(SectionName(section));
    if (weight == 0 && count > 0) {
      errors.push_back(absl::StrCat("section ", name, " weighs 0 % on this "
                                    "sheet but has ", count, " lines"));
    } else if (weight > 0 && count == 0) {
      errors.push_back(absl::StrCat("section ", name, " weighs ", weight,
                                    " % but has no lines"));
    } else if (weight > 0 && std::abs(sum - 100) > kWeightEpsilon) {
      errors.push_back(absl::StrCat("section ", name, " line weights sum to ",
                                    sum, ", must be 100"));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  }

  // 2. Completeness: the score that counts must be there.
  SheetScore out;
  out.lines.resize(sheet.lines.size());
  std::vector<std::string> pending;
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    const SheetLine& line = sheet.lines[i];
    LineScore& ls = out.lines[i];
    ls.id = line.id;
    ls.section = line.section;
    if (!IsWeighted(line.section)) {
      ls.score = line.points;
      ls.counted = line.confirmed;
      continue;
    }
    if (line.insufficient_responses) continue;
    std::optional<double> s = CountingScore(line, config.management_parts);
    if (!s) {
      pending.push_back(LineLabel(line, i));
      continue;
    }
    ls.score = *s;
    ls.counted = true;
  }
  if (!pending.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("waiting for the score that counts: ",
                     absl::StrJoin(pending, ", ")));
  }

  // 3. Sections, renormalised over their counted lines.
  int counted_weight = 0;
  for (const auto& [section, weight] : *weights) {
    if (weight == 0) continue;
    SectionScore ss;
    ss.section = section;
    ss.weight = weight;
    double wsum = 0, wscore = 0;
    for (size_t i = 0; i < sheet.lines.size(); ++i) {
      if (sheet.lines[i].section != section) continue;
      if (!out.lines[i].counted) {
        out.renormalised = true;
        continue;
      }
      wsum += sheet.lines[i].weight;
      wscore += sheet.lines[i].weight * out.lines[i].score;
    }
    if (wsum > 0) {
      ss.counted = true;
      ss.score = wscore / wsum;
      counted_weight += weight;
      for (size_t i = 0; i < sheet.lines.size(); ++i) {
        if (sheet.lines[i].section == section && out.lines[i].counted) {
          out.lines[i].effective_weight = sheet.lines[i].weight * 100 / wsum;
        }
      }
    }
    out.sections.push_back(ss);
  }
  if (counted_weight == 0) {
    return absl::FailedPreconditionError(
        "nothing to score: every weighted section lacks responses");
  }

  // 4. The sheet, renormalised over the counted sections.
  for (SectionScore& ss : out.sections) {
    if (!ss.counted) continue;
    ss.effective_weight = ss.weight * 100 / counted_weight;
    ss.points = ss.score * ss.effective_weight / 100;
    out.weighted += ss.points;
    for (size_t i = 0; i < sheet.lines.size(); ++i) {
      if (sheet.lines[i].section == ss.section && out.lines[i].counted) {
        out.lines[i].contribution = out.lines[i].score *
                                    out.lines[i].effective_weight / 100 *
                                    ss.effective_weight / 100;
      }
    }
  }
  if (counted_weight != 100) out.renormalised = true;
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    const SheetLine& line = sheet.lines[i];
    if (IsWeighted(line.section) || !line.confirmed) continue;
    out.lines[i].contribution = line.points;
    if (line.section == Section::kBonus) {
      out.bonus += line.points;
    } else {
      out.deductions -= line.points;
    }
  }
  out.score = std::max(0.0, out.weighted + out.bonus - out.deductions);
  return out;
}

}  // namespace survey::domain::appraisal
