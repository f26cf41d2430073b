#include "api/appraisal_convert.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "domain/appraisal/monthly.h"
#include "domain/appraisal/sheet.h"
#include "domain/text.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;
using json = nlohmann::ordered_json;

constexpr size_t kMaxTitleBytes = 200;
constexpr int kDefaultMinGradingUnit = 20;  // grading.h GradingOptions
constexpr size_t kMaxTextBytes = 2000;

struct SectionPair {
  v1::SheetSection proto;
  da::Section domain;
};
constexpr SectionPair kSections[] = {
    {v1::SHEET_SECTION_KPI, da::Section::kKpi},
    {v1::SHEET_SECTION_WORK_GOALS, da::Section::kWorkGoals},
    {v1::SHEET_SECTION_BEHAVIOUR, da::Section::kBehaviour},
    {v1::SHEET_SECTION_MANAGEMENT, da::Section::kManagement},
    {v1::SHEET_SECTION_INCIDENTS, da::Section::kIncidents},
    {v1::SHEET_SECTION_BONUS, da::Section::kBonus},
    {v1::SHEET_SECTION_MORALITY, da::Section::kMorality},
    {v1::SHEET_SECTION_DILIGENCE, da::Section::kDiligence},
    {v1::SHEET_SECTION_ABILITY, da::Section::kAbility},
    {v1::SHEET_SECTION_PERFORMANCE, da::Section::kPerformance},
};

v1::SheetSection SectionToProto(da::Section s) {
  for (const SectionPair& p : kSections) {
    if (p.domain == s) return p.proto;
  }
  return v1::SHEET_SECTION_UNSPECIFIED;
}

absl::Status CheckText(const std::string& field, const std::string& text,
                       size_t max_bytes) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", max_bytes, " bytes"));
  }
  if (!domain::IsValidUtf8(text) || domain::HasControlChars(text, true)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not valid UTF-8 text"));
  }
  return absl::OkStatus();
}

absl::Status CheckScore(const std::string& field, double v) {
  if (!std::isfinite(v) || v < 0 || v > 100) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 0..100"));
  }
  return absl::OkStatus();
}

json OptJson(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

v1::PeriodConfig DefaultPeriodConfig() {
  da::AppraisalConfig d;
  v1::PeriodConfig c;
  c.set_sheet_template(v1::SHEET_TEMPLATE_STANDARD);
  c.set_management_kpi_goals_percent(d.management_post.kpi_goals);
  c.set_management_behaviour_percent(d.management_post.behaviour);
  c.set_management_ability_percent(d.management_post.management);
  c.set_other_kpi_goals_percent(d.other_post.kpi_goals);
  c.set_other_behaviour_percent(d.other_post.behaviour);
  c.set_satisfaction_weight_percent(d.satisfaction_weight);
  c.set_anonymity_k(d.anonymity_k);
  c.set_max_window_periods(d.max_window_periods);
  c.set_dept_duties_percent(d.department.duties);
  c.set_dept_plan_percent(d.department.plan);
  c.set_dept_customer_percent(d.department.customer);
  c.set_management_self_percent(d.management_parts.self);
  c.set_management_subordinates_percent(d.management_parts.subordinates);
  c.set_management_superior_percent(d.management_parts.superior);
  c.set_morality_percent(d.customer_service.morality);
  c.set_diligence_percent(d.customer_service.diligence);
  c.set_ability_percent(d.customer_service.ability);
  c.set_performance_percent(d.customer_service.performance);
  c.set_year_end_checks_percent(d.year_end.checks);
  c.set_year_end_monthly_percent(d.year_end.monthly);
  c.set_year_end_appraisal_percent(d.year_end.year_end);
  c.set_quarter_manager_percent(d.quarter.manager);
  c.set_quarter_member_percent(d.quarter.member);
  c.set_min_grading_unit(kDefaultMinGradingUnit);
  return c;
}

absl::StatusOr<da::AppraisalConfig> ToAppraisalConfig(const v1::PeriodConfig& c) {
  da::AppraisalConfig out;
  switch (c.sheet_template()) {
    case v1::SHEET_TEMPLATE_UNSPECIFIED:
    case v1::SHEET_TEMPLATE_STANDARD:
      out.sheet_template = da::SheetTemplate::kStandard;
      break;
    case v1::SHEET_TEMPLATE_CUSTOMER_SERVICE:
      out.sheet_template = da::SheetTemplate::kCustomerService;
      break;
    default:
      return absl::InvalidArgumentError("sheet_template: unknown");
  }
  out.management_post = {c.management_kpi_goals_percent(),
                         c.management_behaviour_percent(),
                         c.management_ability_percent()};
  out.other_post = {c.other_kpi_goals_percent(), c.other_behaviour_percent(), 0};
  out.satisfaction_weight = c.satisfaction_weight_percent();
  out.anonymity_k = c.anonymity_k();
  out.max_window_periods = c.max_window_periods();
  out.department = {c.dept_duties_percent(), c.dept_plan_percent(),
                    c.dept_customer_percent()};
  // Optional fields: unset keeps the default already in `out`.
  auto opt = [](bool has, int32_t v, int& dest) {
    if (has) dest = v;
  };
  opt(c.has_management_self_percent(), c.management_self_percent(), out.management_parts.self);
  opt(c.has_management_subordinates_percent(), c.management_subordinates_percent(),
      out.management_parts.subordinates);
  opt(c.has_management_superior_percent(), c.management_superior_percent(),
      out.management_parts.superior);
  opt(c.has_morality_percent(), c.morality_percent(), out.customer_service.morality);
  opt(c.has_diligence_percent(), c.diligence_percent(), out.customer_service.diligence);
  opt(c.has_ability_percent(), c.ability_percent(), out.customer_service.ability);
  opt(c.has_performance_percent(), c.performance_percent(), out.customer_service.performance);
  opt(c.has_year_end_checks_percent(), c.year_end_checks_percent(), out.year_end.checks);
  opt(c.has_year_end_monthly_percent(), c.year_end_monthly_percent(), out.year_end.monthly);
  opt(c.has_year_end_appraisal_percent(), c.year_end_appraisal_percent(),
      out.year_end.year_end);
  opt(c.has_quarter_manager_percent(), c.quarter_manager_percent(), out.quarter.manager);
  opt(c.has_quarter_member_percent(), c.quarter_member_percent(), out.quarter.member);
  if (c.has_min_grading_unit() && (c.min_grading_unit() < 1 || c.min_grading_unit() > 100000)) {
    return absl::InvalidArgumentError("min_grading_unit: must be 1..100000");
  }
  if (absl::Status s = da::ValidateConfig(out); !s.ok()) return s;
  std::map<std::string, double> caps(c.performance_caps().begin(),
                                     c.performance_caps().end());
  if (absl::StatusOr<da::PayCaps> p = da::PayCaps::FromYuan(caps); !p.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("performance_caps: ", p.status().message()));
  }
  return out;
}

std::string PeriodConfigJson(const v1::PeriodConfig& c) {
  json j;
  j["sheet_template"] = c.sheet_template() == v1::SHEET_TEMPLATE_CUSTOMER_SERVICE
                            ? "customer_service"
                            : "standard";
  j["management_kpi_goals_percent"] = c.management_kpi_goals_percent();
  j["management_behaviour_percent"] = c.management_behaviour_percent();
  j["management_ability_percent"] = c.management_ability_percent();
  j["other_kpi_goals_percent"] = c.other_kpi_goals_percent();
  j["other_behaviour_percent"] = c.other_behaviour_percent();
  j["satisfaction_weight_percent"] = c.satisfaction_weight_percent();
  j["anonymity_k"] = c.anonymity_k();
  j["max_window_periods"] = c.max_window_periods();
  json caps = json::object();
  std::map<std::string, double> sorted(c.performance_caps().begin(),
                                       c.performance_caps().end());
  for (const auto& [k, v] : sorted) caps[k] = v;
  j["performance_caps"] = std::move(caps);
  j["dept_duties_percent"] = c.dept_duties_percent();
  j["dept_plan_percent"] = c.dept_plan_percent();
  j["dept_customer_percent"] = c.dept_customer_percent();
  if (c.has_management_self_percent()) j["management_self_percent"] = c.management_self_percent();
  if (c.has_management_subordinates_percent()) j["management_subordinates_percent"] = c.management_subordinates_percent();
  if (c.has_management_superior_percent()) j["management_superior_percent"] = c.management_superior_percent();
  if (c.has_morality_percent()) j["morality_percent"] = c.morality_percent();
  if (c.has_diligence_percent()) j["diligence_percent"] = c.diligence_percent();
  if (c.has_ability_percent()) j["ability_percent"] = c.ability_percent();
  if (c.has_performance_percent()) j["performance_percent"] = c.performance_percent();
  if (c.has_year_end_checks_percent()) j["year_end_checks_percent"] = c.year_end_checks_percent();
  if (c.has_year_end_monthly_percent()) j["year_end_monthly_percent"] = c.year_end_monthly_percent();
  if (c.has_year_end_appraisal_percent()) j["year_end_appraisal_percent"] = c.year_end_appraisal_percent();
  if (c.has_quarter_manager_percent()) j["quarter_manager_percent"] = c.quarter_manager_percent();
  if (c.has_quarter_member_percent()) j["quarter_member_percent"] = c.quarter_member_percent();
  if (c.has_min_grading_unit()) j["min_grading_unit"] = c.min_grading_unit();
  return j.dump();
}

absl::StatusOr<v1::PeriodConfig> PeriodConfigFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InternalError("stored appraisal configuration is not JSON");
  }
  v1::PeriodConfig c = DefaultPeriodConfig();
  try {
    c.set_sheet_template(j.value("sheet_template", "standard") == "customer_service"
                             ? v1::SHEET_TEMPLATE_CUSTOMER_SERVICE
                             : v1::SHEET_TEMPLATE_STANDARD);
    auto num = [&](const char* key, int def) { return j.value(key, def); };
    c.set_management_kpi_goals_percent(num("management_kpi_goals_percent", c.management_kpi_goals_percent()));
    c.set_management_behaviour_percent(num("management_behaviour_percent", c.management_behaviour_percent()));
    c.set_management_ability_percent(num("management_ability_percent", c.management_ability_percent()));
    c.set_other_kpi_goals_percent(num("other_kpi_goals_percent", c.other_kpi_goals_percent()));
    c.set_other_behaviour_percent(num("other_behaviour_percent", c.other_behaviour_percent()));
    c.set_satisfaction_weight_percent(num("satisfaction_weight_percent", c.satisfaction_weight_percent()));
    c.set_anonymity_k(num("anonymity_k", c.anonymity_k()));
    c.set_max_window_periods(num("max_window_periods", c.max_window_periods()));
    c.set_dept_duties_percent(num("dept_duties_percent", c.dept_duties_percent()));
    c.set_dept_plan_percent(num("dept_plan_percent", c.dept_plan_percent()));
    c.set_dept_customer_percent(num("dept_customer_percent", c.dept_customer_percent()));
    c.set_management_self_percent(num("management_self_percent", c.management_self_percent()));
    c.set_management_subordinates_percent(num("management_subordinates_percent", c.management_subordinates_percent()));
    c.set_management_superior_percent(num("management_superior_percent", c.management_superior_percent()));
    c.set_morality_percent(num("morality_percent", c.morality_percent()));
    c.set_diligence_percent(num("diligence_percent", c.diligence_percent()));
    c.set_ability_percent(num("ability_percent", c.ability_percent()));
    c.set_performance_percent(num("performance_percent", c.performance_percent()));
    c.set_year_end_checks_percent(num("year_end_checks_percent", c.year_end_checks_percent()));
    c.set_year_end_monthly_percent(num("year_end_monthly_percent", c.year_end_monthly_percent()));
    c.set_year_end_appraisal_percent(num("year_end_appraisal_percent", c.year_end_appraisal_percent()));
    c.set_quarter_manager_percent(num("quarter_manager_percent", c.quarter_manager_percent()));
    c.set_quarter_member_percent(num("quarter_member_percent", c.quarter_member_percent()));
    c.set_min_grading_unit(num("min_grading_unit", c.min_grading_unit()));
    if (j.contains("performance_caps") && j["performance_caps"].is_object()) {
      for (const auto& [k, v] : j["performance_caps"].items()) {
        (*c.mutable_performance_caps())[k] = v.get<double>();
      }
    }
  } catch (const json::exception& e) {
    return absl::InternalError(
        absl::StrCat("stored appraisal configuration: ", e.what()));
  }
  return c;
}

std::string ProvenanceJson(const da::SatisfactionResult& r, int k,
                           int max_window) {
  json j;
  j["campaign_ids"] = r.campaign_ids;
  json periods = json::array();
  for (const domain::Period& p : r.window) periods.push_back(p.ToString());
  j["periods"] = std::move(periods);
  j["responses"] = r.n;
  j["mean"] = OptJson(r.mean_100);
  j["stddev"] = OptJson(r.stddev_100);
  j["ci95"] = r.ci95 ? json{{"low", r.ci95->low}, {"high", r.ci95->high}}
                     : json(nullptr);
  j["insufficient_responses"] = r.insufficient_responses;
  j["anonymity_k"] = k;
  j["max_window_periods"] = max_window;
  return j.dump();
}

void ProvenanceFromJson(const std::string& text, v1::Provenance* out) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return;
  try {
    for (const auto& id : j.value("campaign_ids", json::array())) {
      out->add_campaign_ids(id.get<std::string>());
    }
    for (const auto& p : j.value("periods", json::array())) {
      out->add_periods(p.get<std::string>());
    }
    out->set_responses(j.value("responses", int64_t{0}));
    if (j.contains("mean") && j["mean"].is_number()) out->set_mean(j["mean"].get<double>());
    if (j.contains("stddev") && j["stddev"].is_number()) {
      out->set_stddev(j["stddev"].get<double>());
    }
    if (j.contains("ci95") && j["ci95"].is_object()) {
      out->mutable_ci95()->set_low(j["ci95"].value("low", 0.0));
      out->mutable_ci95()->set_high(j["ci95"].value("high", 0.0));
    }
    out->set_insufficient_responses(j.value("insufficient_responses", false));
    out->set_anonymity_k(j.value("anonymity_k", 0));
    out->set_max_window_periods(j.value("max_window_periods", 0));
  } catch (const json::exception&) {
    // A malformed record shows what could be read.
  }
}

absl::StatusOr<store::StoredLine> LineFromProto(const v1::SheetLine& l,
                                                const std::string& field) {
  store::StoredLine out;
  bool found = false;
  for (const SectionPair& p : kSections) {
    if (p.proto == l.section()) {
      out.line.section = p.domain;
      found = true;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".section: required"));
  }
  if (l.satisfaction() || l.has_provenance()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".satisfaction: the satisfaction line is written only by "
               "PushSatisfaction"));
  }
  struct Text {
    const char* name;
    const std::string& value;
    size_t max;
    std::string* dest;
  };
  for (const Text& t : {Text{"title", l.title(), kMaxTitleBytes, &out.title},
                        Text{"goal", l.goal(), kMaxTextBytes, &out.goal},
                        Text{"standard", l.standard(), kMaxTextBytes, &out.standard},
                        Text{"data_source", l.data_source(), kMaxTitleBytes,
                             &out.data_source}}) {
    if (absl::Status s = CheckText(absl::StrCat(field, ".", t.name), t.value, t.max);
        !s.ok()) {
      return s;
    }
    *t.dest = t.value;
  }
  if (absl::Status s = CheckScore(absl::StrCat(field, ".weight_percent"),
                                  l.weight_percent());
      !s.ok()) {
    return s;
  }
  out.line.weight = l.weight_percent();
  auto score = [&](const char* name, bool has, double v,
                   std::optional<double>* dest) -> absl::Status {
    if (!has) return absl::OkStatus();
    if (absl::Status s = CheckScore(absl::StrCat(field, ".", name), v); !s.ok()) {
      return s;
    }
    *dest = v;
    return absl::OkStatus();
  };
  for (absl::Status s :
       {score("self_score", l.has_self_score(), l.self_score(), &out.line.self_score),
        score("reviewer_score", l.has_reviewer_score(), l.reviewer_score(),
              &out.line.reviewer_score),
        score("subordinates_score", l.has_subordinates_score(),
              l.subordinates_score(), &out.line.subordinates_score),
        score("superior_score", l.has_superior_score(), l.superior_score(),
              &out.line.superior_score)}) {
    if (!s.ok()) return s;
  }
  if (!std::isfinite(l.points()) || std::abs(l.points()) > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".points: must be -100..100"));
  }
  out.line.points = l.points();
  out.line.confirmed = l.confirmed();
  out.line.id = l.id();
  return out;
}

da::SheetInput ToSheetInput(const store::StoredSheet& s, domain::PostType post) {
  da::SheetInput in;
  in.sheet_template = s.sheet_template;
  in.post_type = post;
  in.kpi_weight = s.kpi_weight;
  for (const store::StoredLine& l : s.lines) in.lines.push_back(l.line);
  return in;
}

v1::SheetState StateToProto(da::SheetState s) {
  switch (s) {
    case da::SheetState::kDraft: return v1::SHEET_STATE_DRAFT;
    case da::SheetState::kSubmitted: return v1::SHEET_STATE_SUBMITTED;
    case da::SheetState::kConfirmed: return v1::SHEET_STATE_CONFIRMED;
    case da::SheetState::kAppealWindow: return v1::SHEET_STATE_APPEAL_WINDOW;
    case da::SheetState::kFinal: return v1::SHEET_STATE_FINAL;
  }
  return v1::SHEET_STATE_UNSPECIFIED;
}

absl::StatusOr<da::SheetState> StateFromProto(v1::SheetState s) {
  switch (s) {
    case v1::SHEET_STATE_DRAFT: return da::SheetState::kDraft;
    case v1::SHEET_STATE_SUBMITTED: return da::SheetState::kSubmitted;
    case v1::SHEET_STATE_CONFIRMED: return da::SheetState::kConfirmed;
    case v1::SHEET_STATE_APPEAL_WINDOW: return da::SheetState::kAppealWindow;
    case v1::SHEET_STATE_FINAL: return da::SheetState::kFinal;
    default: return absl::InvalidArgumentError("to: a sheet state");
  }
}

void EncodeSheet(const store::StoredSheet& s, domain::PostType post,
                 const da::AppraisalConfig& config, v1::Sheet* out) {
  out->set_employee_no(s.employee_no);
  out->set_period(s.period.ToString());
  out->set_template_(s.sheet_template == da::SheetTemplate::kStandard
                         ? v1::SHEET_TEMPLATE_STANDARD
                         : v1::SHEET_TEMPLATE_CUSTOMER_SERVICE);
  out->set_state(StateToProto(s.state));
  if (s.kpi_weight) out->set_kpi_weight(*s.kpi_weight);
  out->set_result_at_unix(s.result_at);
  out->set_submitted_at_unix(s.submitted_at);
  for (const store::StoredLine& l : s.lines) {
    v1::SheetLine* o = out->add_lines();
    o->set_id(l.line.id);
    o->set_section(SectionToProto(l.line.section));
    o->set_title(l.title);
    o->set_goal(l.goal);
    o->set_standard(l.standard);
    o->set_data_source(l.data_source);
    o->set_weight_percent(l.line.weight);
    if (l.line.self_score) o->set_self_score(*l.line.self_score);
    if (l.line.reviewer_score) o->set_reviewer_score(*l.line.reviewer_score);
    if (l.line.subordinates_score) o->set_subordinates_score(*l.line.subordinates_score);
    if (l.line.superior_score) o->set_superior_score(*l.line.superior_score);
    o->set_points(l.line.points);
    o->set_confirmed(l.line.confirmed);
    o->set_satisfaction(l.line.satisfaction);
    if (l.line.satisfaction) {
      ProvenanceFromJson(l.provenance_json, o->mutable_provenance());
      if (l.line.insufficient_responses) {
        o->mutable_provenance()->set_insufficient_responses(true);
        out->add_flags("satisfaction_insufficient_responses");
      }
    }
  }
  absl::StatusOr<da::SheetScore> score = da::ScoreSheet(ToSheetInput(s, post), config);
  if (score.ok()) {
    if (score->renormalised) out->add_flags("renormalised");
    for (size_t i = 0; i < score->lines.size() && i < s.lines.size(); ++i) {
      v1::SheetLine* o = out->mutable_lines(static_cast<int>(i));
      o->set_counted(score->lines[i].counted);
      if (score->lines[i].counted) o->set_score(score->lines[i].score);
    }
  } else if (!s.appeal_score) {
    out->add_flags(absl::StrCat(
        absl::IsFailedPrecondition(score.status()) ? "waiting: " : "invalid: ",
        score.status().message()));
  }
  if (s.appeal_score) {
    out->set_appeal_score(*s.appeal_score);
    out->add_flags("score_set_by_appeal");
  }
  SheetFigures figures = FiguresOf(s, post, config);
  out->set_scored(figures.score.has_value());
  if (!figures.score) return;
  out->set_score(*figures.score);
  out->set_max_score(figures.max_score);
  if (figures.coefficient_bp) {
    out->set_coefficient(static_cast<double>(*figures.coefficient_bp) / 10000.0);
  }
}

SheetFigures FiguresOf(const store::StoredSheet& s, domain::PostType post,
                       const da::AppraisalConfig& config) {
  SheetFigures out;
  absl::StatusOr<da::SheetScore> score = da::ScoreSheet(ToSheetInput(s, post), config);
  if (score.ok()) {
    out.score = score->score;
    out.max_score = score->max_score;
  }
  if (s.appeal_score) out.score = *s.appeal_score;
  if (out.score) {
    absl::StatusOr<int64_t> bp = da::CoefficientBp(*out.score, out.max_score);
    if (bp.ok()) out.coefficient_bp = *bp;
  }
  return out;
}

absl::StatusOr<domain::Period> ParsePeriodField(std::string_view field,
                                                const std::string& text) {
  absl::StatusOr<domain::Period> p = domain::Period::Parse(text);
  if (!p.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", p.status().message()));
  }
  return p;
}

absl::StatusOr<int> ParseYearField(std::string_view field, const std::string& text) {
  absl::StatusOr<domain::Period> p = domain::Period::Parse(text + "-01");
  if (text.size() != 4 || !p.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(field), ": a year \"YYYY\" between ", domain::Period::kMinYear,
        " and ", domain::Period::kMaxYear));
  }
  return p->Year();
}

bool IsHr(const Principal& p) { return p.role == Role::kHr || p.role == Role::kAdmin; }

absl::StatusOr<std::string> StaffListScope(const Principal& p, const std::string& requested) {
  if (p.role == Role::kEmployee) return absl::PermissionDeniedError("HR or a manager only");
  std::string dept = requested;
  if (p.role == Role::kManager && dept.empty()) dept = p.department_code;
  if (dept.empty()) return dept;
  if (absl::Status s = domain::ValidateCode("department_code", dept); !s.ok()) return s;
  if (absl::Status s = RequireDepartmentScope(p, dept); !s.ok()) return s;
  return dept;
}

}  // namespace survey::api
