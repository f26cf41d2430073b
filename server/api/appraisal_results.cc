// AppraisalService: a sheet's results beyond its score (DOMAIN.md §4) —
// performance and base pay, the monthly consequence flags, the data
// deadline and lateness, the appeal deadline, the annual grade — and the
// RPCs that list them: ListSheets, ExportSheets, ListQuarterlyScores.
//
// Decisions (DOMAIN.md is silent):
//   - Monthly flags use every scored sheet of the employee, whatever its
//     state: the flag is information for HR while the month is still open,
//     and the sheet's state is shown beside it.
//   - A sheet is late if it is still a draft after its data due date, or
//     was first submitted after it. Listings include active employees who
//     have no sheet yet ("no_sheet"), so HR sees missing data too.
//   - Pay needs a pay profile in force for the month and a cap for its
//     "post:grade"; without either the sheet says so in its flags and shows
//     no pay (never a guessed 0).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/audit_log.h"
#include "api/chunk_writer.h"
#include "api/status.h"
#include "domain/appraisal/department.h"
#include "domain/appraisal/grading.h"
#include "domain/appraisal/money.h"
#include "domain/appraisal/monthly.h"
#include "domain/csv.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

absl::CivilDay DayOf(int64_t unix_seconds, absl::TimeZone tz) {
  return absl::ToCivilDay(absl::FromUnixSeconds(unix_seconds), tz);
}

// The last second of `day` in `tz`.
int64_t EndOfDay(absl::CivilDay day, absl::TimeZone tz) {
  return absl::ToUnixSeconds(absl::FromCivil(day + 1, tz)) - 1;
}

// The first month whose coefficient the flags of `period` may look at: the
// previous month (the warning's pair) or January, whichever is earlier.
domain::Period HistoryStart(domain::Period period) {
  absl::StatusOr<domain::Period> previous = period.Previous(1);
  absl::StatusOr<domain::Period> january = domain::Period::FromYearMonth(period.Year(), 1);
  domain::Period first = january.ok() ? *january : period;
  if (previous.ok() && *previous < first) first = *previous;
  return first;
}

double Yuan(int64_t cents) { return static_cast<double>(cents) / 100.0; }

}  // namespace

absl::StatusOr<std::map<std::string, domain::Employee>> AppraisalServiceImpl::EmployeesOf(
    const std::string& department_code, bool include_inactive) {
  std::map<std::string, domain::Employee> out;
  store::EmployeeFilter filter;
  filter.department_code = department_code;
  filter.include_inactive = include_inactive;
  filter.limit = 1000;
  while (true) {
    absl::StatusOr<std::vector<domain::Employee>> page = org_->ListEmployees(filter);
    if (!page.ok()) return page.status();
    for (domain::Employee& e : *page) out[e.employee_no] = std::move(e);
    if (page->size() < 1000) return out;
    filter.after_employee_no = out.rbegin()->first;
  }
}

absl::StatusOr<da::WorkCalendar> AppraisalServiceImpl::Calendar() {
  absl::StatusOr<store::StoredCalendar> days = appraisals_->GetCalendar();
  if (!days.ok()) return days.status();
  absl::StatusOr<da::WorkCalendar> calendar =
      da::WorkCalendar::FromStrings(days->holidays, days->extra_working_days);
  if (!calendar.ok()) {
    return absl::InternalError(
        absl::StrCat("stored calendar: ", calendar.status().message()));
  }
  return calendar;
}

absl::StatusOr<std::vector<v1::Sheet>> AppraisalServiceImpl::DescribeSheets(
    domain::Period period, const std::string& department_code,
    const std::string& employee_no, bool with_missing) {
  // Who is in scope.
  std::map<std::string, domain::Employee> employees;
  std::string dept = department_code;
  if (!employee_no.empty()) {
    absl::StatusOr<domain::Employee> e = org_->GetEmployee(employee_no);
    if (!e.ok()) return e.status();
    dept = e->department_code;
    employees[e->employee_no] = *e;
  } else {
    absl::StatusOr<std::map<std::string, domain::Employee>> all =
        EmployeesOf(dept, /*include_inactive=*/true);
    if (!all.ok()) return all.status();
    employees = std::move(*all);
  }
  auto post_of = [&](const std::string& no) {
    auto it = employees.find(no);
    return it == employees.end() ? domain::PostType::kOther : it->second.post_type;
  };

  std::map<domain::Period, LoadedConfig> configs;
  auto config_of = [&](domain::Period p) -> absl::StatusOr<const LoadedConfig*> {
    auto it = configs.find(p);
    if (it == configs.end()) {
      absl::StatusOr<LoadedConfig> c = Config(p);
      if (!c.ok()) return c.status();
      it = configs.emplace(p, std::move(*c)).first;
    }
    return &it->second;
  };
  absl::StatusOr<const LoadedConfig*> config = config_of(period);
  if (!config.ok()) return config.status();
  absl::StatusOr<da::WorkCalendar> calendar = Calendar();
  if (!calendar.ok()) return calendar.status();

  absl::StatusOr<std::vector<store::StoredSheet>> sheets = appraisals_->ListSheetsBetween(
      HistoryStart(period), period, employee_no.empty() ? dept : "", employee_no);
  if (!sheets.ok()) return sheets.status();
  std::map<std::string, std::vector<da::MonthCoefficient>> history;
  for (const store::StoredSheet& s : *sheets) {
    absl::StatusOr<const LoadedConfig*> c = config_of(s.period);
    if (!c.ok()) return c.status();
    SheetFigures f = FiguresOf(s, post_of(s.employee_no), (*c)->config);
    if (f.coefficient_bp) history[s.employee_no].push_back({s.period, *f.coefficient_bp});
  }

  absl::StatusOr<std::vector<store::StoredPayProfile>> profiles =
      appraisals_->PayProfilesInForce(period, dept);
  if (!profiles.ok()) return profiles.status();
  std::map<std::string, store::StoredPayProfile> pay;
  for (store::StoredPayProfile& p : *profiles) pay[p.employee_no] = std::move(p);
  std::map<std::string, double> caps_yuan((*config)->proto.performance_caps().begin(),
                                          (*config)->proto.performance_caps().end());
  absl::StatusOr<da::PayCaps> caps = da::PayCaps::FromYuan(caps_yuan);
  if (!caps.ok()) return caps.status();

  std::map<std::string, std::string> grades;
  absl::StatusOr<store::StoredGrading> grading = appraisals_->GetGrading(period.Year(), dept);
  if (grading.ok()) {
    for (const store::StoredGrade& g : grading->grades) grades[g.employee_no] = g.grade;
  } else if (!absl::IsNotFound(grading.status())) {
    return grading.status();
  }

  absl::StatusOr<absl::CivilDay> due = da::DataDueDate(*calendar, period);
  if (!due.ok()) return due.status();
  const absl::CivilDay today = DayOf(now_unix_(), time_zone_);

  std::vector<v1::Sheet> out;
  std::set<std::string> have;
  for (const store::StoredSheet& s : *sheets) {
    if (s.period != period) continue;
    if (!employee_no.empty() && s.employee_no != employee_no) continue;
    have.insert(s.employee_no);
    v1::Sheet& o = out.emplace_back();
    const domain::PostType post = post_of(s.employee_no);
    EncodeSheet(s, post, (*config)->config, &o);
    auto e = employees.find(s.employee_no);
    if (e != employees.end()) {
      o.set_employee_name(e->second.name);
      o.set_department_code(e->second.department_code);
    }
    o.set_data_due_date(da::FormatDate(*due));
    o.set_time_zone(std::string(time_zone_.name()));
    o.set_today(da::FormatDate(today));
    bool late = s.submitted_at > 0 ? DayOf(s.submitted_at, time_zone_) > *due
                                   : s.state == da::SheetState::kDraft && today > *due;
    o.set_late(late);
    if (late) o.add_flags("late");
    if (s.result_at > 0) {
      o.set_appeal_deadline_unix(
          EndOfDay(da::AppealDeadline(*calendar, DayOf(s.result_at, time_zone_)), time_zone_));
    }
    if (s.open_appeals > 0) o.add_flags("appeal_open");
    const std::vector<da::MonthCoefficient>& months = history[s.employee_no];
    int counted = 0;
    for (const da::MonthCoefficient& m : months) counted += m.period.Year() == period.Year();
    o.set_months_counted(counted);
    std::optional<int64_t> bp = FiguresOf(s, post, (*config)->config).coefficient_bp;
    if (bp) {
      absl::StatusOr<std::vector<da::MonthlyFlag>> flags = da::MonthlyFlags(months, period);
      if (flags.ok()) {
        for (da::MonthlyFlag f : *flags) o.add_flags(std::string(da::MonthlyFlagName(f)));
      }
    }
    auto g = grades.find(s.employee_no);
    if (g != grades.end()) o.set_grade(g->second);
    auto profile = pay.find(s.employee_no);
    if (profile == pay.end()) {
      o.add_flags("no_pay_profile");
      continue;
    }
    o.set_pay_post(profile->second.post);
    o.set_pay_grade(profile->second.grade);
    absl::StatusOr<int64_t> cap = caps->Find(profile->second.post, profile->second.grade);
    if (!cap.ok()) {
      o.add_flags(absl::StrCat("no_performance_cap: ", profile->second.post, ":",
                               profile->second.grade));
      continue;
    }
    if (!bp) continue;
    absl::StatusOr<da::MonthlyPay> monthly =
        da::ComputeMonthlyPay(*cap, *bp, profile->second.post_pay_cents);
    if (!monthly.ok()) return monthly.status();
    o.set_performance_pay(Yuan(monthly->performance_pay_cents));
    o.set_base_pay(Yuan(monthly->base_pay_cents));
  }
  if (with_missing) {
    for (const auto& [no, e] : employees) {
      if (!e.active || have.contains(no)) continue;
      v1::Sheet& o = out.emplace_back();
      o.set_employee_no(no);
      o.set_employee_name(e.name);
      o.set_department_code(e.department_code);
      o.set_period(period.ToString());
      o.set_template_((*config)->config.sheet_template == da::SheetTemplate::kStandard
                          ? v1::SHEET_TEMPLATE_STANDARD
                          : v1::SHEET_TEMPLATE_CUSTOMER_SERVICE);
      o.set_state(v1::SHEET_STATE_DRAFT);
      o.add_flags("no_sheet");
      o.set_data_due_date(da::FormatDate(*due));
      o.set_time_zone(std::string(time_zone_.name()));
      o.set_today(da::FormatDate(today));
      o.set_late(today > *due);
      if (o.late()) o.add_flags("late");
      auto g = grades.find(no);
      if (g != grades.end()) o.set_grade(g->second);
    }
    std::sort(out.begin(), out.end(), [](const v1::Sheet& a, const v1::Sheet& b) {
      return a.employee_no() < b.employee_no();
    });
  }
  return out;
}

absl::StatusOr<v1::Sheet> AppraisalServiceImpl::DescribeSheet(
    const std::string& employee_no, domain::Period period) {
  absl::StatusOr<std::vector<v1::Sheet>> sheets =
      DescribeSheets(period, "", employee_no, false);
  if (!sheets.ok()) return sheets.status();
  if (sheets->empty()) {
    return absl::NotFoundError(
        absl::StrCat("no sheet for ", employee_no, " in ", period.ToString()));
  }
  return std::move(sheets->front());
}

absl::StatusOr<std::vector<v1::Sheet>> AppraisalServiceImpl::SheetList(
    const Principal& p, const v1::ListSheetsRequest& req) {
  absl::StatusOr<std::string> dept = StaffListScope(p, req.department_code());
  if (!dept.ok()) return dept.status();
  std::string grade;
  if (!req.grade().empty()) {
    absl::StatusOr<da::Grade> g = da::ParseGrade(req.grade());
    if (!g.ok()) return absl::InvalidArgumentError("grade: one of A, B, C, D, E");
    grade = std::string(da::GradeName(*g));
  }
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req.period());
  if (!period.ok()) return period.status();
  absl::StatusOr<std::vector<v1::Sheet>> sheets =
      DescribeSheets(*period, *dept, "", /*with_missing=*/true);
  if (!sheets.ok()) return sheets.status();
  std::erase_if(*sheets, [&](const v1::Sheet& s) {
    return (!grade.empty() && s.grade() != grade) || (req.late_only() && !s.late());
  });
  return sheets;
}

grpc::Status AppraisalServiceImpl::ListSheets(grpc::ServerContext* ctx,
                                              const v1::ListSheetsRequest* req,
                                              v1::ListSheetsResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::vector<v1::Sheet>> sheets = SheetList(*p, *req);
  if (!sheets.ok()) return ToGrpcStatus(sheets.status());
  for (v1::Sheet& s : *sheets) *resp->add_sheets() = std::move(s);
  return grpc::Status::OK;
}

namespace {

constexpr const char* kSheetColumns[] = {
    "period", "employee_no", "name", "department", "state", "template", "scored",
    "score", "max_score", "coefficient", "performance_pay", "base_pay", "pay_post",
    "pay_grade", "grade", "data_due_date", "late", "submitted_at", "result_at",
    "appeal_deadline", "satisfaction_mean", "satisfaction_responses",
    "satisfaction_window", "flags"};

std::string Number(double v, int decimals) { return absl::StrFormat("%.*f", decimals, v); }

// With the zone's offset, so the export says which zone its times are in.
std::string Time(int64_t unix_seconds, absl::TimeZone tz) {
  if (unix_seconds <= 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixSeconds(unix_seconds),
                          tz);
}

std::vector<std::string> SheetRow(const v1::Sheet& s, absl::TimeZone tz) {
  const v1::SheetLine* satisfaction = nullptr;
  for (const v1::SheetLine& l : s.lines()) {
    if (l.satisfaction()) satisfaction = &l;
  }
  const bool mean = satisfaction && !satisfaction->provenance().insufficient_responses();
  const bool pay = s.scored() && !s.pay_post().empty() && s.base_pay() > 0;
  std::string window;
  if (satisfaction) {
    window = absl::StrJoin(satisfaction->provenance().periods(), " ");
  }
  return {s.period(), s.employee_no(), s.employee_name(), s.department_code(),
          std::string(da::SheetStateName(
              StateFromProto(s.state()).value_or(da::SheetState::kDraft))),
          s.template_() == v1::SHEET_TEMPLATE_CUSTOMER_SERVICE ? "customer_service"
                                                               : "standard",
          s.scored() ? "true" : "false", s.scored() ? Number(s.score(), 2) : "",
          s.scored() ? Number(s.max_score(), 2) : "",
          s.scored() ? Number(s.coefficient(), 4) : "",
          pay ? Number(s.performance_pay(), 2) : "", pay ? Number(s.base_pay(), 2) : "",
          s.pay_post(), s.pay_grade(), s.grade(), s.data_due_date(),
          s.late() ? "true" : "false", Time(s.submitted_at_unix(), tz),
          Time(s.result_at_unix(), tz), Time(s.appeal_deadline_unix(), tz),
          mean ? Number(satisfaction->provenance().mean(), 2) : "",
          satisfaction ? absl::StrCat(satisfaction->provenance().responses()) : "",
          window, absl::StrJoin(s.flags(), "; ")};
}

}  // namespace

grpc::Status AppraisalServiceImpl::ExportSheets(grpc::ServerContext* ctx,
                                                const v1::ListSheetsRequest* req,
                                                grpc::ServerWriter<v1::ExportChunk>* writer) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::vector<v1::Sheet>> sheets = SheetList(*p, *req);
  if (!sheets.ok()) return ToGrpcStatus(sheets.status());
  // Pay is personal data: an export is recorded like a report export.
  if (absl::Status s = audit_->Record(
          *p, "appraisal.export",
          absl::StrCat("sheets:", req->period(), "/", req->department_code()), "",
          absl::StrCat("{\"rows\":", sheets->size(), "}"));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const bool json = req->format() == v1::EXPORT_FORMAT_JSON_LINES;
  ChunkWriter out(writer);
  std::vector<std::string> header(std::begin(kSheetColumns), std::end(kSheetColumns));
  if (!json && !out.Add(domain::CsvLine(header))) return grpc::Status::CANCELLED;
  for (const v1::Sheet& s : *sheets) {
    std::vector<std::string> row = SheetRow(s, time_zone_);
    std::string line;
    if (json) {
      nlohmann::ordered_json o;
      for (size_t i = 0; i < header.size(); ++i) o[header[i]] = row[i];
      line = o.dump() + "\n";
    } else {
      line = domain::CsvLine(row);
    }
    if (!out.Add(line)) return grpc::Status::CANCELLED;
  }
  return out.Flush() ? grpc::Status::OK : grpc::Status::CANCELLED;
}

grpc::Status AppraisalServiceImpl::ListQuarterlyScores(
    grpc::ServerContext* ctx, const v1::ListQuarterlyScoresRequest* req,
    v1::ListQuarterlyScoresResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::string> dept = StaffListScope(*p, req->department_code());
  if (!dept.ok()) return ToGrpcStatus(dept.status());
  const std::string& q = req->quarter();
  absl::StatusOr<int> year = ParseYearField("quarter", q.substr(0, 4));
  if (q.size() != 7 || q.substr(4, 2) != "-Q" || q[6] < '1' || q[6] > '4' || !year.ok()) {
    return ToGrpcStatus(absl::InvalidArgumentError("quarter: \"YYYY-Qn\", n = 1..4"));
  }
  const int first_month = (q[6] - '1') * 3 + 1;
  std::vector<domain::Period> months;
  for (int m = first_month; m < first_month + 3; ++m) {
    months.push_back(*domain::Period::FromYearMonth(*year, m));
  }
  std::map<domain::Period, LoadedConfig> configs;
  for (domain::Period m : months) {
    absl::StatusOr<LoadedConfig> c = Config(m);
    if (!c.ok()) return ToGrpcStatus(c.status());
    configs.emplace(m, std::move(*c));
  }
  const LoadedConfig& last = configs.at(months.back());
  absl::StatusOr<std::map<std::string, domain::Employee>> list =
      EmployeesOf(*dept, /*include_inactive=*/false);
  if (!list.ok()) return ToGrpcStatus(list.status());

  // Own: the recorded scores of each employee's scored sheets of the quarter.
  absl::StatusOr<std::vector<store::StoredSheet>> sheets =
      appraisals_->ListSheetsBetween(months.front(), months.back(), *dept, "");
  if (!sheets.ok()) return ToGrpcStatus(sheets.status());
  std::map<std::string, std::vector<double>> own;
  for (const store::StoredSheet& s : *sheets) {
    auto e = list->find(s.employee_no);
    if (e == list->end()) continue;
    SheetFigures f = FiguresOf(s, e->second.post_type, configs.at(s.period).config);
    if (!f.score) continue;
    absl::StatusOr<int64_t> recorded = da::RecordScore(*f.score);
    if (recorded.ok()) own[s.employee_no].push_back(static_cast<double>(*recorded) / 100);
  }
  // Department: the mean of its complete monthly normalised totals.
  std::map<std::string, std::vector<double>> dept_totals;
  std::map<std::string, std::string> manager_of;
  for (const auto& [no, e] : *list) {
    if (dept_totals.contains(e.department_code)) continue;
    std::vector<double>& totals = dept_totals[e.department_code];
    absl::StatusOr<domain::Department> d = org_->GetDepartment(e.department_code);
    if (d.ok()) manager_of[e.department_code] = d->manager_employee_no;
    for (domain::Period m : months) {
      absl::StatusOr<store::StoredDepartmentAppraisal> a =
          appraisals_->GetDepartmentAppraisal(e.department_code, m);
      if (!a.ok()) {
        if (absl::IsNotFound(a.status())) continue;
        return ToGrpcStatus(a.status());
      }
      if (!a->duties || !a->plan || !a->key_indicator) continue;
      absl::StatusOr<da::DepartmentTotal> t = da::ComputeDepartmentTotal(
          {*a->duties, *a->plan, a->customer, *a->key_indicator},
          configs.at(m).config.department);
      if (t.ok()) totals.push_back(t->normalised);
    }
  }
  for (const auto& [no, e] : *list) {
    v1::QuarterlyScore* o = resp->add_scores();
    o->set_employee_no(e.employee_no);
    o->set_department_code(e.department_code);
    const bool manager = manager_of[e.department_code] == e.employee_no;
    o->set_manager(manager);
    const std::vector<double>& mine = own[e.employee_no];
    const std::vector<double>& totals = dept_totals[e.department_code];
    o->set_months(static_cast<int>(mine.size()));
    o->set_department_months(static_cast<int>(totals.size()));
    absl::StatusOr<double> own_mean = da::MeanScore(mine);
    absl::StatusOr<double> dept_mean = da::MeanScore(totals);
    if (own_mean.ok()) o->set_own(*own_mean);
    if (dept_mean.ok()) o->set_department(*dept_mean);
    if (!own_mean.ok() || !dept_mean.ok()) continue;
    absl::StatusOr<double> quarterly = da::QuarterlyScore(
        manager ? da::DepartmentRole::kManager : da::DepartmentRole::kMember, *dept_mean,
        *own_mean, last.config.quarter);
    if (!quarterly.ok()) return ToGrpcStatus(quarterly.status());
    o->set_quarterly(*quarterly);
    o->set_complete(true);
  }
  return grpc::Status::OK;
}

}  // namespace survey::api
