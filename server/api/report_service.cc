#include "api/report_service.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "api/chunk_writer.h"
#include "api/status.h"
#include "domain/csv.h"
#include "domain/disclosure.h"

namespace survey::api {
namespace {

using domain::Withheld;

v1::Suppression ToProto(Withheld w) {
  switch (w) {
    case Withheld::kNone: return v1::SUPPRESSION_NONE;
    case Withheld::kNoData: return v1::SUPPRESSION_NO_DATA;
    case Withheld::kBelowThreshold: return v1::SUPPRESSION_BELOW_THRESHOLD;
    case Withheld::kComplementary: return v1::SUPPRESSION_COMPLEMENTARY;
    case Withheld::kCampaignOpen: return v1::SUPPRESSION_CAMPAIGN_OPEN;
  }
  return v1::SUPPRESSION_NO_DATA;
}

void Set(v1::Figure* f, double value) {
  f->set_value(value);
  f->set_suppression(v1::SUPPRESSION_NONE);
}

void Withhold(v1::Figure* f, Withheld w) { f->set_suppression(ToProto(w)); }

void FiguresToProto(const SubjectCell& cell, v1::Figures* out) {
  const domain::CellFigures& f = cell.figures;
  // Participation is released always: it says how many answered, not what.
  Set(out->mutable_responses(), static_cast<double>(f.responses));
  Set(out->mutable_invitations(), static_cast<double>(f.issued));
  if (f.response_rate) {
    Set(out->mutable_response_rate(), *f.response_rate);
  } else {
    Withhold(out->mutable_response_rate(), Withheld::kNoData);
  }
  out->set_k(static_cast<int32_t>(f.k));
  const Withheld w = f.scores;
  for (v1::Figure* x : {out->mutable_total(), out->mutable_stddev(),
                        out->mutable_share_9_10(), out->mutable_share_1_5(),
                        out->mutable_change_vs_previous()}) {
    Withhold(x, w);
  }
  if (w != Withheld::kNone) return;
  Set(out->mutable_total(), f.total_100);
  Set(out->mutable_stddev(), f.stddev_100);
  if (f.ci_100) {
    out->mutable_ci95()->set_low(f.ci_100->low);
    out->mutable_ci95()->set_high(f.ci_100->high);
  }
  if (f.detailed) {
    Set(out->mutable_share_9_10(), f.share_9_10);
    Set(out->mutable_share_1_5(), f.share_1_5);
  } else {
    // The organisation view reads totals only: no shares in it.
    out->clear_share_9_10();
    out->clear_share_1_5();
  }
  if (cell.previous && cell.previous->scores == Withheld::kNone) {
    Set(out->mutable_change_vs_previous(), f.total_100 - cell.previous->total_100);
  } else {
    Withhold(out->mutable_change_vs_previous(),
             cell.previous ? cell.previous->scores : Withheld::kNoData);
  }
  for (const domain::IndicatorFigures& ind : f.indicators) {
    v1::IndicatorFigures* pi = out->add_indicators();
    pi->set_key(ind.key);
    Set(pi->mutable_mean(), ind.mean);
    Set(pi->mutable_weighted_score(), ind.weighted);
    for (size_t j = 0; j < ind.sub_mean.size(); ++j) {
      v1::SubIndicatorFigures* ps = pi->add_sub_indicators();
      ps->set_key(ind.sub_key[j]);
      Set(ps->mutable_mean(), ind.sub_mean[j]);
      for (int64_t c : ind.sub_histogram[j]) ps->add_distribution(c);
    }
  }
}

void EmployeeSubject(const SubjectCell& c, v1::Subject* s) {
  s->set_employee_no(c.code);
  s->set_display_name(c.name);
  s->set_department_code_of_employee(c.department_code);
}

void DepartmentSubject(const SubjectCell& c, v1::Subject* s) {
  s->set_department_code(c.code);
  s->set_display_name(c.name);
}

absl::StatusOr<domain::PeriodRange> ParseRange(const v1::PeriodRange& r,
                                               std::string_view field) {
  switch (r.range_case()) {
    case v1::PeriodRange::kMonth:
      return domain::PeriodRange::Parse(r.month(), absl::StrCat(std::string(field), ".month"));
    case v1::PeriodRange::kQuarter:
      return domain::PeriodRange::Parse(r.quarter(), absl::StrCat(std::string(field), ".quarter"));
    case v1::PeriodRange::kYear:
      return domain::PeriodRange::Parse(r.year(), absl::StrCat(std::string(field), ".year"));
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field), ": required (month, quarter or year)"));
  }
}

// Released subjects first, best lower bound first; ties by code.
void RankInto(std::vector<const SubjectCell*>& cells, std::vector<int>* ranks) {
  std::stable_sort(cells.begin(), cells.end(),
                   [](const SubjectCell* a, const SubjectCell* b) {
                     double ka = domain::RankKey(a->figures);
                     double kb = domain::RankKey(b->figures);
                     if (ka != kb) return ka > kb;
                     return a->code < b->code;
                   });
  ranks->clear();
  int next = 1;
  for (const SubjectCell* c : cells) {
    ranks->push_back(c->figures.scores == Withheld::kNone ? next++ : 0);
  }
}

absl::Status EmployeeScope(const Principal& p, const domain::Employee& e) {
  if (p.role == Role::kAdmin || p.role == Role::kHr) return absl::OkStatus();
  if (p.role == Role::kManager && p.department_code == e.department_code) {
    return absl::OkStatus();
  }
  if (p.role == Role::kEmployee && p.employee_no == e.employee_no) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("no access to employee \"", e.employee_no, "\""));
}

// ---- exports ----

std::string Num(const v1::Figure& f) {
  if (f.suppression() != v1::SUPPRESSION_NONE) return "";
  return absl::StrFormat("%.4f", f.value());
}

std::string Reason(const v1::Figures& f) {
  if (f.total().suppression() == v1::SUPPRESSION_NONE) return "";
  std::string name = v1::Suppression_Name(f.total().suppression());
  std::string out = name.substr(std::string("SUPPRESSION_").size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr const char* kExportColumns[] = {
    "view", "range", "subject_kind", "subject", "name", "department",
    "evaluating_department", "rank", "responses", "invitations", "response_rate",
    "total", "stddev", "ci_low", "ci_high", "share_9_10", "share_1_5",
    "change_vs_previous", "k", "suppression"};

struct ExportRow {
  std::string view, range, subject_kind, subject, name, department, evaluator;
  int rank = 0;
  const v1::Figures* figures = nullptr;
};

std::string FormatRow(const ExportRow& r, bool json) {
  const v1::Figures& f = *r.figures;
  std::vector<std::string> values = {
      r.view, r.range, r.subject_kind, r.subject, r.name, r.department, r.evaluator,
      r.rank > 0 ? absl::StrCat(r.rank) : "", Num(f.responses()), Num(f.invitations()),
      Num(f.response_rate()), Num(f.total()), Num(f.stddev()),
      f.has_ci95() && f.total().suppression() == v1::SUPPRESSION_NONE
          ? absl::StrFormat("%.4f", f.ci95().low()) : "",
      f.has_ci95() && f.total().suppression() == v1::SUPPRESSION_NONE
          ? absl::StrFormat("%.4f", f.ci95().high()) : "",
      f.has_share_9_10() ? Num(f.share_9_10()) : "",
      f.has_share_1_5() ? Num(f.share_1_5()) : "", Num(f.change_vs_previous()),
      absl::StrCat(f.k()), Reason(f)};
  if (json) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < values.size(); ++i) o[kExportColumns[i]] = values[i];
    return o.dump() + "\n";
  }
  std::vector<std::string> cells;
  for (const std::string& v : values) cells.push_back(domain::CsvEscape(v));
  return absl::StrCat(absl::StrJoin(cells, ","), "\r\n");
}

std::string CsvHeader() {
  return absl::StrCat(absl::StrJoin(std::begin(kExportColumns), std::end(kExportColumns), ","),
                      "\r\n");
}

}  // namespace

absl::Status ReportServiceImpl::Audit(const Principal& p, std::string_view action,
                                      const std::string& target,
                                      const v1::PeriodRange* range) const {
  if (audit_ == nullptr) return absl::OkStatus();
  std::string after;
  if (range != nullptr) {
    nlohmann::json o = {{"month", range->month()}, {"quarter", range->quarter()},
                        {"year", range->year()}};
    after = o.dump();
  }
  return audit_->Record(p, action, target.substr(0, 255), "", after);
}

// ------------------------------------------------------------------ views

absl::Status ReportServiceImpl::Subject(const Principal& p,
                                        const v1::SubjectReportRequest& req,
                                        v1::SubjectReport* out) {
  absl::StatusOr<domain::PeriodRange> range = ParseRange(req.range(), "range");
  if (!range.ok()) return range.status();
  if (req.subject().has_employee_no()) {
    // Who may ask follows the live organisation; the figures follow each
    // campaign's frozen membership (report_cells.h).
    absl::StatusOr<domain::Employee> e = org_->GetEmployee(req.subject().employee_no());
    if (!e.ok()) return e.status();
    if (absl::Status s = EmployeeScope(p, *e); !s.ok()) return s;
    absl::StatusOr<SubjectCell> cell = cells_.Employee(*range, *e);
    if (!cell.ok()) return cell.status();
    *out->mutable_range() = req.range();
    EmployeeSubject(*cell, out->mutable_subject());
    FiguresToProto(*cell, out->mutable_figures());
    return absl::OkStatus();
  }
  if (!req.subject().has_department_code()) {
    return absl::InvalidArgumentError("subject: employee_no or department_code required");
  }
  const std::string& department = req.subject().department_code();
  if (absl::Status s = RequireDepartmentScope(p, department); !s.ok()) return s;
  absl::StatusOr<std::vector<DepartmentCells>> cells = cells_.Customer(*range, {department});
  if (!cells.ok()) return cells.status();
  const DepartmentCells& d = cells->front();
  *out->mutable_range() = req.range();
  DepartmentSubject(d.department, out->mutable_subject());
  FiguresToProto(d.department, out->mutable_figures());
  return absl::OkStatus();
}

absl::Status ReportServiceImpl::Department(const Principal& p,
                                           const v1::DepartmentReportRequest& req,
                                           v1::DepartmentReport* out) {
  if (req.department_code().empty()) {
    return absl::InvalidArgumentError("department_code: required");
  }
  if (absl::Status s = RequireDepartmentScope(p, req.department_code()); !s.ok()) return s;
  absl::StatusOr<domain::PeriodRange> range = ParseRange(req.range(), "range");
  if (!range.ok()) return range.status();
  absl::StatusOr<std::vector<DepartmentCells>> cells =
      cells_.Customer(*range, {req.department_code()});
  if (!cells.ok()) return cells.status();
  const DepartmentCells& d = cells->front();
  out->set_department_code(d.department.code);
  *out->mutable_range() = req.range();
  FiguresToProto(d.department, out->mutable_department());
  std::vector<const SubjectCell*> order;
  for (const SubjectCell& e : d.employees) order.push_back(&e);
  std::vector<int> ranks;
  RankInto(order, &ranks);
  for (size_t i = 0; i < order.size(); ++i) {
    v1::RankedSubject* r = out->add_employees();
    r->set_rank(ranks[i]);
    EmployeeSubject(*order[i], r->mutable_subject());
    FiguresToProto(*order[i], r->mutable_figures());
  }
  return absl::OkStatus();
}

absl::Status ReportServiceImpl::Organisation(const Principal& p,
                                             const v1::OrganisationReportRequest& req,
                                             bool all_pages,
                                             v1::OrganisationReport* out) {
  if (absl::Status s = RequireHrOrAdmin(p); !s.ok()) return s;
  absl::StatusOr<domain::PeriodRange> range = ParseRange(req.range(), "range");
  if (!range.ok()) return range.status();
  if (req.page_size() < 0) return absl::InvalidArgumentError("page_size: negative");
  size_t offset = 0;
  if (!req.page_token().empty() && !absl::SimpleAtoi(req.page_token(), &offset)) {
    return absl::InvalidArgumentError("page_token: not a token this server issued");
  }
  const size_t page = all_pages            ? SIZE_MAX
                      : req.page_size() == 0 ? 1000
                                             : std::min(req.page_size(), 5000);
  absl::StatusOr<std::vector<DepartmentCells>> cells =
      cells_.Customer(*range, {}, /*detail=*/false);
  if (!cells.ok()) return cells.status();
  *out->mutable_range() = req.range();
  std::vector<const SubjectCell*> depts, employees;
  for (const DepartmentCells& d : *cells) {
    depts.push_back(&d.department);
    for (const SubjectCell& e : d.employees) employees.push_back(&e);
  }
  std::vector<int> ranks;
  if (offset == 0) {
    RankInto(depts, &ranks);
    for (size_t i = 0; i < depts.size(); ++i) {
      v1::RankedSubject* r = out->add_departments();
      r->set_rank(ranks[i]);
      DepartmentSubject(*depts[i], r->mutable_subject());
      FiguresToProto(*depts[i], r->mutable_figures());
    }
  }
  RankInto(employees, &ranks);
  for (size_t i = offset; i < employees.size() && i - offset < page; ++i) {
    v1::RankedSubject* r = out->add_employees();
    r->set_rank(ranks[i]);
    EmployeeSubject(*employees[i], r->mutable_subject());
    FiguresToProto(*employees[i], r->mutable_figures());
  }
  if (!all_pages && offset + page < employees.size()) {
    out->set_next_page_token(absl::StrCat(offset + page));
  }
  return absl::OkStatus();
}

absl::Status ReportServiceImpl::CrossEvaluation(
    const Principal& p, const v1::CrossEvaluationReportRequest& req,
    v1::CrossEvaluationReport* out) {
  std::vector<std::string> rated;
  if (!req.rated_department_code().empty()) {
    rated.push_back(req.rated_department_code());
  } else if (p.role == Role::kManager) {
    // Seed 003, rule 4: departments do not see each other's results.
    rated.push_back(p.department_code);
  }
  for (const std::string& r : rated) {
    if (absl::Status s = RequireDepartmentScope(p, r); !s.ok()) return s;
  }
  if (rated.empty()) {
    if (absl::Status s = RequireHrOrAdmin(p); !s.ok()) return s;
  }
  absl::StatusOr<domain::PeriodRange> range = ParseRange(req.range(), "range");
  if (!range.ok()) return range.status();
  absl::StatusOr<std::vector<CrossRow>> rows = cells_.Cross(*range, rated);
  if (!rows.ok()) return rows.status();
  *out->mutable_range() = req.range();
  for (const CrossRow& row : *rows) {
    v1::CrossEvaluationRow* r = out->add_rows();
    r->set_rated_department_code(row.rated.code);
    FiguresToProto(row.rated, r->mutable_overall());
    for (const SubjectCell& g : row.by_evaluator) {
      v1::CrossEvaluationCell* c = r->add_by_evaluator();
      c->set_evaluating_department_code(g.code);
      FiguresToProto(g, c->mutable_figures());
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------- RPCs

grpc::Status ReportServiceImpl::GetSubjectReport(grpc::ServerContext* ctx,
                                                 const v1::SubjectReportRequest* req,
                                                 v1::SubjectReport* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = Subject(*p, *req, resp); !s.ok()) return ToGrpcStatus(s);
  const std::string target = req->subject().has_employee_no()
                                 ? "employee:" + req->subject().employee_no()
                                 : "department:" + req->subject().department_code();
  return ToGrpcStatus(Audit(*p, "report.read", target, &req->range()));
}

grpc::Status ReportServiceImpl::GetDepartmentReport(
    grpc::ServerContext* ctx, const v1::DepartmentReportRequest* req,
    v1::DepartmentReport* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = Department(*p, *req, resp); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(
      Audit(*p, "report.read", "department_view:" + req->department_code(), &req->range()));
}

grpc::Status ReportServiceImpl::GetOrganisationReport(
    grpc::ServerContext* ctx, const v1::OrganisationReportRequest* req,
    v1::OrganisationReport* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = Organisation(*p, *req, false, resp); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(Audit(*p, "report.read", std::string("organisation"), &req->range()));
}

grpc::Status ReportServiceImpl::GetCrossEvaluationReport(
    grpc::ServerContext* ctx, const v1::CrossEvaluationReportRequest* req,
    v1::CrossEvaluationReport* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = CrossEvaluation(*p, *req, resp); !s.ok()) return ToGrpcStatus(s);
  const std::string rated = req->rated_department_code().empty()
                                ? std::string("*")
                                : req->rated_department_code();
  return ToGrpcStatus(Audit(*p, "report.read", "cross:" + rated, &req->range()));
}

grpc::Status ReportServiceImpl::GetComments(grpc::ServerContext* ctx,
                                            const v1::CommentsRequest* req,
                                            v1::CommentsResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<domain::PeriodRange> range = ParseRange(req->range(), "range");
  if (!range.ok()) return ToGrpcStatus(range.status());
  std::string department, employee;
  if (req->subject().has_employee_no()) {
    absl::StatusOr<domain::Employee> e = org_->GetEmployee(req->subject().employee_no());
    if (!e.ok()) return ToGrpcStatus(e.status());
    if (absl::Status s = EmployeeScope(*p, *e); !s.ok()) return ToGrpcStatus(s);
    department = e->department_code;
    employee = e->employee_no;
  } else if (req->subject().has_department_code()) {
    department = req->subject().department_code();
    if (absl::Status s = RequireDepartmentScope(*p, department); !s.ok()) {
      return ToGrpcStatus(s);
    }
    if (absl::StatusOr<domain::Department> d = org_->GetDepartment(department); !d.ok()) {
      return ToGrpcStatus(d.status());
    }
  } else {
    return ToGrpcStatus(
        absl::InvalidArgumentError("subject: employee_no or department_code required"));
  }
  Withheld released = Withheld::kNoData;
  absl::StatusOr<std::vector<std::string>> texts =
      cells_.Comments(*range, department, employee, &released);
  if (!texts.ok()) return ToGrpcStatus(texts.status());
  if (absl::Status s = Audit(*p, "report.comments",
                             employee.empty() ? "department:" + department
                                              : "employee:" + employee,
                             &req->range());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  resp->set_suppression(ToProto(released));
  for (std::string& t : *texts) resp->add_comments(std::move(t));
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ExportReport(grpc::ServerContext* ctx,
                                             const v1::ExportReportRequest* req,
                                             grpc::ServerWriter<v1::ExportChunk>* writer) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  const bool json = req->format() == v1::EXPORT_FORMAT_JSON_LINES;
  std::vector<ExportRow> rows;
  // The view's message owns the figures the rows point into.
  v1::SubjectReport subject;
  v1::DepartmentReport department;
  v1::OrganisationReport organisation;
  v1::CrossEvaluationReport cross;
  auto employee_row = [](const std::string& view, const std::string& range,
                         const v1::RankedSubject& r) {
    return ExportRow{view, range, "employee", r.subject().employee_no(),
                     r.subject().display_name(), r.subject().department_code_of_employee(),
                     "", r.rank(), &r.figures()};
  };
  absl::Status s;
  switch (req->view_case()) {
    case v1::ExportReportRequest::kSubject: {
      s = Subject(*p, req->subject(), &subject);
      if (!s.ok()) break;
      absl::StatusOr<domain::PeriodRange> r = ParseRange(req->subject().range(), "range");
      const bool emp = subject.subject().has_employee_no();
      rows.push_back({"subject", r->ToString(), emp ? "employee" : "department",
                      emp ? subject.subject().employee_no()
                          : subject.subject().department_code(),
                      subject.subject().display_name(),
                      emp ? subject.subject().department_code_of_employee()
                          : subject.subject().department_code(),
                      "", 0, &subject.figures()});
      break;
    }
    case v1::ExportReportRequest::kDepartment: {
      s = Department(*p, req->department(), &department);
      if (!s.ok()) break;
      std::string range = ParseRange(req->department().range(), "range")->ToString();
      rows.push_back({"department", range, "department", department.department_code(),
                      "", department.department_code(), "", 0, &department.department()});
      for (const v1::RankedSubject& e : department.employees()) {
        rows.push_back(employee_row("department", range, e));
      }
      break;
    }
    case v1::ExportReportRequest::kOrganisation: {
      s = Organisation(*p, req->organisation(), true, &organisation);
      if (!s.ok()) break;
      std::string range = ParseRange(req->organisation().range(), "range")->ToString();
      for (const v1::RankedSubject& d : organisation.departments()) {
        rows.push_back({"organisation", range, "department", d.subject().department_code(),
                        d.subject().display_name(), d.subject().department_code(), "",
                        d.rank(), &d.figures()});
      }
      for (const v1::RankedSubject& e : organisation.employees()) {
        rows.push_back(employee_row("organisation", range, e));
      }
      break;
    }
    case v1::ExportReportRequest::kCrossEvaluation: {
      s = CrossEvaluation(*p, req->cross_evaluation(), &cross);
      if (!s.ok()) break;
      std::string range = ParseRange(req->cross_evaluation().range(), "range")->ToString();
      for (const v1::CrossEvaluationRow& r : cross.rows()) {
        rows.push_back({"cross_evaluation", range, "department", r.rated_department_code(),
                        "", r.rated_department_code(), "", 0, &r.overall()});
        for (const v1::CrossEvaluationCell& c : r.by_evaluator()) {
          rows.push_back({"cross_evaluation", range, "department",
                          r.rated_department_code(), "", r.rated_department_code(),
                          c.evaluating_department_code(), 0, &c.figures()});
        }
      }
      break;
    }
    default:
      s = absl::InvalidArgumentError("view: required");
  }
  if (!s.ok()) return ToGrpcStatus(s);
  if (!rows.empty()) {
    s = Audit(*p, "report.export",
              absl::StrCat(rows.front().view, ":", rows.front().subject), nullptr);
    if (!s.ok()) return ToGrpcStatus(s);
  }
  ChunkWriter out(writer);
  if (!json && !out.Add(CsvHeader())) return grpc::Status::CANCELLED;
  for (const ExportRow& r : rows) {
    if (!out.Add(FormatRow(r, json))) return grpc::Status::CANCELLED;
  }
  return out.Flush() ? grpc::Status::OK : grpc::Status::CANCELLED;
}

grpc::Status ReportServiceImpl::ExportResponses(
    grpc::ServerContext* ctx, const v1::ExportResponsesRequest* req,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (req->campaign_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("campaign_id: required"));
  }
  absl::StatusOr<std::vector<store::CampaignInfo>> found =
      reports_->CampaignsById(req->campaign_id());
  if (!found.ok()) return ToGrpcStatus(found.status());
  const store::CampaignInfo& c = found->front();
  if (c.state != domain::CampaignState::kClosed) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "campaign is not closed: response rows are exported once it closes"));
  }
  // The same decisions as the reports, for this campaign's parts: only
  // released parts' rows go out.
  std::set<std::pair<std::string, std::string>> released;  // subject, group
  const bool customer = c.kind == domain::CampaignKind::kCustomerSatisfaction;
  // Decide per part for this campaign only.
  store::CellFilter filter;
  filter.campaign_ids = {c.id};
  filter.subject_kind = customer ? domain::SubjectKind::kEmployee
                                 : domain::SubjectKind::kDepartment;
  absl::StatusOr<std::vector<store::AggregateRow>> aggs = reports_->Aggregates(filter);
  if (!aggs.ok()) return ToGrpcStatus(aggs.status());
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> siblings;
  if (customer) {
    // Siblings: the campaign's frozen membership, as in the reports.
    absl::StatusOr<std::vector<store::MemberRow>> members = reports_->Members({{c.id}, {}, {}});
    if (!members.ok()) return ToGrpcStatus(members.status());
    std::map<std::string, std::string> dept_of;
    for (const store::MemberRow& m : *members) dept_of[m.employee_no] = m.department_code;
    // Every employee of a department is a sibling, answered or not; those
    // without answers add n = 0 and change nothing.
    for (const store::AggregateRow& a : *aggs) {
      siblings[dept_of[a.subject_code]].push_back({a.subject_code, a.aggregate.n});
    }
  } else {
    for (const store::AggregateRow& a : *aggs) {
      siblings[a.subject_code].push_back({a.group_code, a.aggregate.n});
    }
  }
  for (auto& [parent, list] : siblings) {
    std::sort(list.begin(), list.end());
    std::vector<int64_t> n;
    for (const auto& x : list) n.push_back(x.second);
    std::vector<Withheld> d = domain::SuppressSiblings(n, c.k);
    for (size_t i = 0; i < list.size(); ++i) {
      if (d[i] != Withheld::kNone) continue;
      released.insert(customer ? std::pair{list[i].first, std::string()}
                               : std::pair{parent, list[i].first});
    }
  }
  if (absl::Status s = Audit(*p, "report.export_responses", "campaign:" + c.id, nullptr);
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const bool json = req->format() == v1::EXPORT_FORMAT_JSON_LINES;
  ChunkWriter out(writer);
  if (!json && !out.Add("campaign,period,subject,evaluating_department,scores\r\n")) {
    return grpc::Status::CANCELLED;
  }
  absl::Status s = reports_->ForEachResponse(
      c.id, 1000, [&](const store::ResponseRow& r) -> absl::Status {
        if (!released.contains({r.subject_code, r.group_code})) return absl::OkStatus();
        std::string line;
        if (json) {
          nlohmann::json o = {{"campaign", r.campaign_id}, {"period", r.period},
                              {"subject", r.subject_code},
                              {"evaluating_department", r.group_code},
                              {"scores", r.scores}};
          line = o.dump() + "\n";
        } else {
          line = absl::StrCat(r.campaign_id, ",", r.period, ",", r.subject_code, ",",
                              r.group_code, ",\"", absl::StrJoin(r.scores, " "), "\"\r\n");
        }
        if (!out.Add(line)) return absl::CancelledError("client went away");
        return absl::OkStatus();
      });
  if (!s.ok()) return ToGrpcStatus(s);
  return out.Flush() ? grpc::Status::OK : grpc::Status::CANCELLED;
}

grpc::Status ReportServiceImpl::Verify(grpc::ServerContext* ctx,
                                       const v1::VerifyRequest* req,
                                       v1::VerifyResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<std::vector<store::CampaignInfo>> campaigns =
      reports_->CampaignsById(req->campaign_id());
  if (!campaigns.ok()) return ToGrpcStatus(campaigns.status());
  for (const store::CampaignInfo& c : *campaigns) {
    // Only closed campaigns have figures to check: an open one's are built
    // when it closes (store/mysql/campaign_figures.h).
    if (c.state != domain::CampaignState::kClosed) continue;
    if (c.responses_removed) {
      resp->add_campaigns_past_retention(c.id);
      continue;
    }
    absl::StatusOr<std::shared_ptr<const domain::Template>> form =
        templates_->Get(c.template_key, c.template_version);
    if (!form.ok()) return ToGrpcStatus(form.status());
    const domain::SubjectKind kind = c.kind == domain::CampaignKind::kCustomerSatisfaction
                                         ? domain::SubjectKind::kEmployee
                                         : domain::SubjectKind::kDepartment;
    using Key = std::pair<std::string, std::string>;  // subject, group
    std::map<Key, domain::Aggregate> recomputed;
    int64_t responses = 0;
    absl::Status s = reports_->ForEachResponse(
        c.id, 5000, [&](const store::ResponseRow& r) -> absl::Status {
          ++responses;
          auto [it, fresh] = recomputed.try_emplace({r.subject_code, r.group_code});
          if (fresh) it->second = domain::NewAggregate(**form);
          return domain::AddResponse(**form, r.scores, &it->second);
        });
    if (!s.ok()) return ToGrpcStatus(s);
    resp->set_responses_checked(resp->responses_checked() + responses);
    store::CellFilter filter;
    filter.campaign_ids = {c.id};
    filter.subject_kind = kind;
    absl::StatusOr<std::vector<store::AggregateRow>> stored = reports_->Aggregates(filter);
    if (!stored.ok()) return ToGrpcStatus(stored.status());
    std::map<Key, domain::Aggregate> stored_by_key;
    for (store::AggregateRow& a : *stored) {
      stored_by_key[{a.subject_code, a.group_code}] = std::move(a.aggregate);
    }
    std::set<Key> keys;
    for (const auto& [k, a] : recomputed) keys.insert(k);
    for (const auto& [k, a] : stored_by_key) keys.insert(k);
    for (const Key& key : keys) {
      resp->set_aggregates_checked(resp->aggregates_checked() + 1);
      const domain::Aggregate empty = domain::NewAggregate(**form);
      auto si = stored_by_key.find(key);
      auto ri = recomputed.find(key);
      const domain::Aggregate& a = si == stored_by_key.end() ? empty : si->second;
      const domain::Aggregate& b = ri == recomputed.end() ? empty : ri->second;
      auto diff = [&](const std::string& field, int64_t x, int64_t y) {
        if (x == y) return;
        v1::AggregateDifference* d = resp->add_differences();
        d->set_campaign_id(c.id);
        if (kind == domain::SubjectKind::kEmployee) {
          d->mutable_subject()->set_employee_no(key.first);
        } else {
          d->mutable_subject()->set_department_code(key.first);
        }
        d->set_period(c.period.ToString());
        d->set_evaluating_department_code(key.second);
        d->set_field(field);
        d->set_stored(absl::StrCat(x));
        d->set_recomputed(absl::StrCat(y));
      };
      diff("n", a.n, b.n);
      diff("total_sum", a.total_sum, b.total_sum);
      diff("total_sum_sq", a.total_sum_sq, b.total_sum_sq);
      const size_t subs = std::max(a.sub_sum.size(), b.sub_sum.size());
      for (size_t i = 0; i < subs; ++i) {
        auto at = [](const std::vector<int64_t>& v, size_t i) {
          return i < v.size() ? v[i] : int64_t{-1};
        };
        diff(absl::StrCat("sum[", i, "]"), at(a.sub_sum, i), at(b.sub_sum, i));
        diff(absl::StrCat("sum_sq[", i, "]"), at(a.sub_sum_sq, i), at(b.sub_sum_sq, i));
        for (int s = 0; s < 10; ++s) {
          int64_t x = i < a.histogram.size() ? a.histogram[i][s] : -1;
          int64_t y = i < b.histogram.size() ? b.histogram[i][s] : -1;
          diff(absl::StrCat("histogram[", i, "][", s + 1, "]"), x, y);
        }
      }
    }
  }
  return grpc::Status::OK;
}

}  // namespace survey::api
