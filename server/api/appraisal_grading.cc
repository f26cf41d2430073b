// AppraisalService: annual grading (DOMAIN.md §4): the annual coefficient
// of every active employee, forced-distribution grades by unit, the annual
// flags and the year-end bonus. The maths is domain/appraisal/annual.h and
// grading.h; this file gathers the year's sheets and stores the result.
//
// Decisions (DOMAIN.md is silent):
//   - Every scored sheet of the year counts, final or not; sheets not yet
//     final are counted per employee (months_not_final) and make the run
//     "provisional", so HR can grade early, see what is still open, and
//     rerun when everything is final. A rerun replaces the year's grades.
//   - Employees who left (inactive) are not graded; employees without a
//     scored sheet, or on the customer-service sheet without their checks
//     and year-end score, are listed in `skipped` with the reason.
//   - An employee whose year mixes both sheet templates is graded on the
//     standard rule (mean of monthly coefficients).
//   - The unit size threshold, year-end composition and pay profile are
//     those in force in December of the year.
//   - The bonus is computed only when both the completion rate and the
//     bonus factor are given (> 0); without a pay profile it is 0 and the
//     employee is flagged no_pay_profile.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/appraisal/annual.h"
#include "domain/appraisal/grading.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;
using json = nlohmann::ordered_json;

struct EmployeeYear {
  std::vector<da::MonthCoefficient> months;
  std::vector<double> monthly_scores;
  int not_final = 0;
  bool all_customer_service = true;
};

// The response's run-level part from the stored summary (one code path for
// Run and Get).
void EncodeSummary(int year, int64_t graded_at, const std::string& summary,
                   v1::AnnualGradingResult* out) {
  out->set_year(absl::StrCat(year));
  out->set_graded_at_unix(graded_at);
  json j = json::parse(summary, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return;
  try {
    out->set_pooling(j.value("pooling", ""));
    out->set_provisional(j.value("provisional", false));
    for (const auto& s : j.value("skipped", json::array())) {
      out->add_skipped(s.get<std::string>());
    }
    for (const auto& u : j.value("units", json::array())) {
      v1::GradingUnitSummary* o = out->add_units();
      o->set_name(u.value("name", ""));
      for (const auto& d : u.value("departments", json::array())) {
        o->add_departments(d.get<std::string>());
      }
      o->set_size(u.value("size", 0));
      for (const auto& q : u.value("quotas", json::array())) o->add_quotas(q.get<int>());
      for (const auto& c : u.value("counts", json::array())) o->add_counts(c.get<int>());
      o->set_below_minimum(u.value("below_minimum", false));
    }
  } catch (const json::exception&) {
    // A malformed summary shows what could be read.
  }
}

void EncodeGrade(const store::StoredGrade& g, v1::GradedEmployee* o) {
  o->set_employee_no(g.employee_no);
  o->set_department_code(g.department_code);
  o->set_unit(g.unit);
  o->set_annual_coefficient(static_cast<double>(g.coefficient_bp) / 10000.0);
  o->set_grade(g.grade);
  o->set_rank(g.rank);
  o->set_months(g.months);
  o->set_months_not_final(g.months_not_final);
  for (const std::string& f : g.flags) o->add_flags(f);
  // Stored is the formula's amount; an E is paid none of it (002: 年度考核
  // 不称职者 免年度奖), so the payable field a payroll reads is 0.
  const double formula = static_cast<double>(g.bonus_cents) / 100.0;
  o->set_year_end_bonus_formula(formula);
  o->set_year_end_bonus(g.grade == "E" ? 0.0 : formula);
}

absl::StatusOr<int64_t> ToBp(std::string_view field, double value, double scale,
                             double max) {
  if (!std::isfinite(value) || value < 0 || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": must be 0..", max));
  }
  return std::llround(value * scale);
}

}  // namespace

grpc::Status AppraisalServiceImpl::RunAnnualGrading(grpc::ServerContext* ctx,
                                                    const v1::RunAnnualGradingRequest* req,
                                                    v1::AnnualGradingResult* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<int> year = ParseYearField("year", req->year());
  if (!year.ok()) return ToGrpcStatus(year.status());
  da::GradingOptions options;
  std::string pooling = req->pooling().empty() ? "department" : req->pooling();
  absl::StatusOr<da::Pooling> parsed = da::ParsePooling(pooling);
  if (!parsed.ok()) {
    return ToGrpcStatus(absl::InvalidArgumentError("pooling: \"department\" or \"company\""));
  }
  options.pooling = *parsed;
  absl::StatusOr<int64_t> completion_bp =
      ToBp("completion_rate_percent", req->completion_rate_percent(), 100, 1000);
  if (!completion_bp.ok()) return ToGrpcStatus(completion_bp.status());
  absl::StatusOr<int64_t> factor_bp = ToBp("bonus_factor", req->bonus_factor(), 10000, 100);
  if (!factor_bp.ok()) return ToGrpcStatus(factor_bp.status());
  std::map<std::string, const v1::CustomerServiceYearInput*> cs_input;
  for (int i = 0; i < req->customer_service_size(); ++i) {
    const v1::CustomerServiceYearInput& in = req->customer_service(i);
    std::string field = absl::StrCat("customer_service[", i, "].employee_no");
    if (absl::Status s = domain::ValidateCode(field, in.employee_no()); !s.ok()) {
      return ToGrpcStatus(s);
    }
    if (!cs_input.emplace(in.employee_no(), &in).second) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(field, ": repeated")));
    }
  }
  const domain::Period january = *domain::Period::FromYearMonth(*year, 1);
  const domain::Period december = *domain::Period::FromYearMonth(*year, 12);
  absl::StatusOr<LoadedConfig> december_config = Config(december);
  if (!december_config.ok()) return ToGrpcStatus(december_config.status());
  options.min_unit_size = december_config->proto.min_grading_unit();

  // The active employees and their year.
  absl::StatusOr<std::map<std::string, domain::Employee>> active =
      EmployeesOf("", /*include_inactive=*/false);
  if (!active.ok()) return ToGrpcStatus(active.status());
  const std::map<std::string, domain::Employee>& employees = *active;
  absl::StatusOr<std::vector<store::StoredSheet>> sheets =
      appraisals_->ListSheetsBetween(january, december, "", "");
  if (!sheets.ok()) return ToGrpcStatus(sheets.status());
  std::map<domain::Period, LoadedConfig> configs;
  std::map<std::string, EmployeeYear> years;
  for (const store::StoredSheet& s : *sheets) {
    auto e = employees.find(s.employee_no);
    if (e == employees.end()) continue;
    auto c = configs.find(s.period);
    if (c == configs.end()) {
      absl::StatusOr<LoadedConfig> loaded = Config(s.period);
      if (!loaded.ok()) return ToGrpcStatus(loaded.status());
      c = configs.emplace(s.period, std::move(*loaded)).first;
    }
    SheetFigures f = FiguresOf(s, e->second.post_type, c->second.config);
    if (!f.coefficient_bp) continue;
    EmployeeYear& y = years[s.employee_no];
    y.months.push_back({s.period, *f.coefficient_bp});
    y.monthly_scores.push_back(*f.score);
    y.not_final += s.state != da::SheetState::kFinal;
    y.all_customer_service &= s.sheet_template == da::SheetTemplate::kCustomerService;
  }

  std::vector<da::Candidate> candidates;
  std::map<std::string, bool> outstanding;
  json skipped = json::array();
  bool provisional = false;
  for (const auto& [no, e] : employees) {
    auto y = years.find(no);
    if (y == years.end()) {
      skipped.push_back(absl::StrCat(no, ": no scored sheet in ", *year));
      continue;
    }
    int64_t bp = 0;
    if (y->second.all_customer_service) {
      auto in = cs_input.find(no);
      if (in == cs_input.end()) {
        skipped.push_back(absl::StrCat(
            no, ": customer-service sheet, needs checks and a year-end score"));
        continue;
      }
      da::CustomerServiceYear cs;
      cs.checks.assign(in->second->checks().begin(), in->second->checks().end());
      cs.monthly_scores = y->second.monthly_scores;
      cs.year_end_score = in->second->year_end_score();
      absl::StatusOr<da::CustomerServiceAnnual> annual =
          da::ScoreCustomerServiceYear(cs, december_config->config.year_end);
      if (!annual.ok()) {
        return ToGrpcStatus(absl::InvalidArgumentError(
            absl::StrCat("customer_service (", no, "): ", annual.status().message())));
      }
      bp = annual->coefficient_bp;
      outstanding[no] = annual->outstanding;
    } else {
      absl::StatusOr<int64_t> annual = da::AnnualCoefficientBp(y->second.months, *year);
      if (!annual.ok()) return ToGrpcStatus(annual.status());
      bp = *annual;
    }
    provisional |= y->second.not_final > 0;
    candidates.push_back({no, e.department_code, bp});
  }
  absl::StatusOr<da::GradingResult> graded = da::GradeAnnual(candidates, options);
  if (!graded.ok()) return ToGrpcStatus(graded.status());

  std::map<std::string, da::Grade> last_year;
  absl::StatusOr<store::StoredGrading> previous = appraisals_->GetGrading(*year - 1, "");
  if (previous.ok()) {
    for (const store::StoredGrade& g : previous->grades) {
      if (absl::StatusOr<da::Grade> grade = da::ParseGrade(g.grade); grade.ok()) {
        last_year[g.employee_no] = *grade;
      }
    }
  } else if (!absl::IsNotFound(previous.status())) {
    return ToGrpcStatus(previous.status());
  }
  absl::StatusOr<std::vector<store::StoredPayProfile>> profiles =
      appraisals_->PayProfilesInForce(december, "");
  if (!profiles.ok()) return ToGrpcStatus(profiles.status());
  std::map<std::string, int64_t> base_salary;
  for (const store::StoredPayProfile& pp : *profiles) {
    base_salary[pp.employee_no] = pp.base_salary_cents;
  }
  const bool with_bonus = *completion_bp > 0 && *factor_bp > 0;

  store::StoredGrading grading;
  grading.year = *year;
  grading.graded_at = now_unix_();
  for (const da::GradedEmployee& g : graded->employees) {
    store::StoredGrade& o = grading.grades.emplace_back();
    o.employee_no = g.employee_no;
    o.department_code = g.department_code;
    o.unit = g.unit;
    o.coefficient_bp = g.coefficient_bp;
    o.grade = std::string(da::GradeName(g.grade));
    o.rank = static_cast<int>(g.rank);
    const EmployeeYear& y = years[g.employee_no];
    o.months = static_cast<int>(y.months.size());
    o.months_not_final = y.not_final;
    std::optional<da::Grade> last;
    if (auto it = last_year.find(g.employee_no); it != last_year.end()) last = it->second;
    for (da::AnnualFlag f : da::AnnualFlags(g.grade, last, outstanding[g.employee_no])) {
      o.flags.push_back(std::string(da::AnnualFlagName(f)));
    }
    if (!with_bonus) continue;
    auto salary = base_salary.find(g.employee_no);
    if (salary == base_salary.end()) {
      o.flags.push_back("no_pay_profile");
      continue;
    }
    absl::StatusOr<int64_t> bonus =
        da::YearEndBonusCents({*completion_bp, std::min<int64_t>(g.coefficient_bp, 100000),
                               *factor_bp, salary->second});
    if (!bonus.ok()) return ToGrpcStatus(bonus.status());
    o.bonus_cents = *bonus;
  }
  std::sort(grading.grades.begin(), grading.grades.end(),
            [](const store::StoredGrade& a, const store::StoredGrade& b) {
              return a.employee_no < b.employee_no;
            });

  json summary;
  summary["pooling"] = pooling;
  summary["min_unit_size"] = options.min_unit_size;
  summary["completion_rate_percent"] = req->completion_rate_percent();
  summary["bonus_factor"] = req->bonus_factor();
  summary["provisional"] = provisional;
  summary["graded"] = grading.grades.size();
  json units = json::array();
  for (const da::GradingUnit& u : graded->units) {
    units.push_back({{"name", u.name},
                     {"departments", u.departments},
                     {"size", u.size},
                     {"quotas", u.quotas},
                     {"counts", u.counts},
                     {"below_minimum", u.below_minimum}});
  }
  summary["units"] = std::move(units);
  summary["skipped"] = std::move(skipped);
  grading.summary_json = summary.dump();
  if (!req->dry_run()) {
    if (absl::Status s = appraisals_->ReplaceGrading(grading, AuditActorOf(*p)); !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  EncodeSummary(*year, grading.graded_at, grading.summary_json, resp);
  for (const store::StoredGrade& g : grading.grades) EncodeGrade(g, resp->add_employees());
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::GetAnnualGrading(grpc::ServerContext* ctx,
                                                    const v1::GetAnnualGradingRequest* req,
                                                    v1::AnnualGradingResult* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::string> dept = StaffListScope(*p, req->department_code());
  if (!dept.ok()) return ToGrpcStatus(dept.status());
  absl::StatusOr<int> year = ParseYearField("year", req->year());
  if (!year.ok()) return ToGrpcStatus(year.status());
  absl::StatusOr<store::StoredGrading> grading = appraisals_->GetGrading(*year, *dept);
  if (!grading.ok()) return ToGrpcStatus(grading.status());
  EncodeSummary(*year, grading->graded_at, grading->summary_json, resp);
  if (p->role == Role::kManager) {
    // A manager sees their department's grades, not the company's units.
    resp->clear_units();
    resp->clear_skipped();
  }
  for (const store::StoredGrade& g : grading->grades) EncodeGrade(g, resp->add_employees());
  return grpc::Status::OK;
}

}  // namespace survey::api
