// AppraisalService: configuration, sheets, transitions, history and
// department appraisals. PushSatisfaction: appraisal_push.cc.
#include "api/appraisal_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "api/appraisal_convert.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/appraisal/calendar.h"
#include "domain/appraisal/department.h"
#include "domain/appraisal/workflow.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

template <typename T>
grpc::Status Respond(absl::StatusOr<T> value, T* out) {
  if (!value.ok()) return ToGrpcStatus(value.status());
  *out = std::move(*value);
  return grpc::Status::OK;
}

// The next free "L<n>" line id.
std::string NextLineId(const store::StoredSheet& s) {
  int64_t max = 0;
  for (const store::StoredLine& l : s.lines) {
    if (l.line.id.size() > 1 && l.line.id[0] == 'L') {
      int64_t n = 0;
      bool digits = true;
      for (size_t i = 1; i < l.line.id.size(); ++i) {
        char c = l.line.id[i];
        if (c < '0' || c > '9' || n > 1000000000) {
          digits = false;
          break;
        }
        n = n * 10 + (c - '0');
      }
      if (digits) max = std::max(max, n);
    }
  }
  return absl::StrCat("L", max + 1);
}

}  // namespace

absl::StatusOr<LoadedConfig> AppraisalServiceImpl::Config(domain::Period period) {
  LoadedConfig out;
  absl::StatusOr<store::AppraisalStore::ConfigRow> row = appraisals_->GetConfig(period);
  if (row.ok()) {
    absl::StatusOr<v1::PeriodConfig> c = PeriodConfigFromJson(row->json);
    if (!c.ok()) return c.status();
    out.proto = std::move(*c);
    // Carried forward from the latest configured month up to `period`.
    out.proto.set_configured_period(row->period.ToString());
  } else if (absl::IsNotFound(row.status())) {
    out.proto = DefaultPeriodConfig();
  } else {
    return row.status();
  }
  out.proto.set_period(period.ToString());
  absl::StatusOr<da::AppraisalConfig> config = ToAppraisalConfig(out.proto);
  if (!config.ok()) {
    return absl::InternalError(absl::StrCat("stored appraisal configuration: ",
                                            config.status().message()));
  }
  out.config = *config;
  return out;
}

absl::StatusOr<domain::Employee> AppraisalServiceImpl::SheetScope(
    const Principal& p, const std::string& no) {
  if (absl::Status s = domain::ValidateCode("employee_no", no); !s.ok()) return s;
  if (p.role == Role::kEmployee && p.employee_no != no) {
    return absl::PermissionDeniedError("an employee sees only their own sheet");
  }
  absl::StatusOr<domain::Employee> e = org_->GetEmployee(no);
  if (!e.ok()) {
    if (absl::IsNotFound(e.status()) && p.role == Role::kManager) {
      return absl::PermissionDeniedError("not an employee of your department");
    }
    return e.status();
  }
  if (p.role == Role::kManager && e->department_code != p.department_code) {
    return absl::PermissionDeniedError("not an employee of your department");
  }
  return e;
}

absl::StatusOr<store::StoredSheet> AppraisalServiceImpl::SheetOrCreate(
    const Principal& p, const domain::Employee& e, domain::Period period,
    const LoadedConfig& config) {
  absl::StatusOr<store::StoredSheet> s = appraisals_->GetSheet(e.employee_no, period);
  if (s.ok() || !absl::IsNotFound(s.status())) return s;
  store::StoredSheet fresh;
  fresh.employee_no = e.employee_no;
  fresh.period = period;
  fresh.sheet_template = config.config.sheet_template;
  absl::StatusOr<store::SheetWrite> w =
      appraisals_->UpdateSheet(fresh, AuditActorOf(p), "appraisal.change", nullptr);
  if (!w.ok()) return w.status();
  return std::move(w->sheet);
}

absl::StatusOr<AppraisalServiceImpl::SheetCall> AppraisalServiceImpl::BeginSheetCall(
    grpc::ServerContext& ctx, const std::string& employee_no, const std::string& period) {
  absl::StatusOr<Principal> p = auth_->Authenticate(ctx);
  if (!p.ok()) return p.status();
  absl::StatusOr<domain::Employee> e = SheetScope(*p, employee_no);
  if (!e.ok()) return e.status();
  absl::StatusOr<domain::Period> parsed = ParsePeriodField("period", period);
  if (!parsed.ok()) return parsed.status();
  return SheetCall{std::move(*p), std::move(*e), *parsed};
}

absl::StatusOr<store::SheetWrite> AppraisalServiceImpl::ChangeSheet(
    const Principal& p, const domain::Employee& e, domain::Period period,
    const LoadedConfig& config, std::string_view action,
    const std::function<absl::Status(store::StoredSheet&)>& mutate) {
  absl::StatusOr<store::StoredSheet> current = SheetOrCreate(p, e, period, config);
  if (!current.ok()) return current.status();
  return appraisals_->UpdateSheet(*current, AuditActorOf(p), action, mutate);
}

grpc::Status AppraisalServiceImpl::SetPeriodConfig(grpc::ServerContext* ctx,
                                                   const v1::PeriodConfig* req,
                                                   v1::PeriodConfig* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  absl::StatusOr<da::AppraisalConfig> config = ToAppraisalConfig(*req);
  if (!config.ok()) return ToGrpcStatus(config.status());
  v1::PeriodConfig stored = *req;
  stored.clear_time_zone();  // the server's setting, not the month's
  stored.clear_configured_period();
  if (stored.sheet_template() == v1::SHEET_TEMPLATE_UNSPECIFIED) {
    stored.set_sheet_template(v1::SHEET_TEMPLATE_STANDARD);
  }
  absl::StatusOr<bool> changed =
      appraisals_->SetConfig(*period, PeriodConfigJson(stored), AuditActorOf(*p));
  if (!changed.ok()) return ToGrpcStatus(changed.status());
  absl::StatusOr<LoadedConfig> loaded = Config(*period);
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  *resp = loaded->proto;
  resp->set_time_zone(std::string(time_zone_.name()));
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::GetPeriodConfig(
    grpc::ServerContext* ctx, const v1::GetPeriodConfigRequest* req,
    v1::PeriodConfig* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  absl::StatusOr<LoadedConfig> loaded = Config(*period);
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  *resp = loaded->proto;
  resp->set_time_zone(std::string(time_zone_.name()));
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::GetSheet(grpc::ServerContext* ctx,
                                            const v1::GetSheetRequest* req,
                                            v1::Sheet* resp) {
  absl::StatusOr<SheetCall> call = BeginSheetCall(*ctx, req->employee_no(), req->period());
  if (!call.ok()) return ToGrpcStatus(call.status());
  const Principal* p = &call->principal;
  const domain::Employee* e = &call->employee;
  const domain::Period* period = &call->period;
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  absl::StatusOr<store::StoredSheet> s = SheetOrCreate(*p, *e, *period, *config);
  if (!s.ok()) return ToGrpcStatus(s.status());
  return Respond(DescribeSheet(e->employee_no, *period), resp);
}

grpc::Status AppraisalServiceImpl::UpdateSheetLines(
    grpc::ServerContext* ctx, const v1::UpdateSheetLinesRequest* req,
    v1::Sheet* resp) {
  absl::StatusOr<SheetCall> call = BeginSheetCall(*ctx, req->employee_no(), req->period());
  if (!call.ok()) return ToGrpcStatus(call.status());
  const Principal* p = &call->principal;
  const domain::Employee* e = &call->employee;
  const domain::Period* period = &call->period;
  // On one's own sheet everyone is the appraised employee: self scores
  // only (appraisal_reviewer.cc). Anyone else must be allowed to review it.
  const bool own = p->role == Role::kEmployee || IsOwnSheet(*p, *e);
  const bool hr = IsHr(*p) && !own;
  const bool employee = own;
  if (!own) {
    if (absl::Status s = CheckReviewer(*p, *e); !s.ok()) return ToGrpcStatus(s);
  }
  // Validate the request before touching anything.
  std::vector<store::StoredLine> incoming;
  for (int i = 0; i < req->lines_size(); ++i) {
    std::string field = absl::StrCat("lines[", i, "]");
    const v1::SheetLine& l = req->lines(i);
    if (employee) {
      // Anything but a self score of an existing line is a review.
      const bool review = l.id().empty() || l.has_reviewer_score() ||
                          l.has_subordinates_score() || l.has_superior_score() ||
                          l.points() != 0 || l.confirmed() || l.weight_percent() != 0 ||
                          l.section() != v1::SHEET_SECTION_UNSPECIFIED || !l.title().empty();
      if (review && p->role != Role::kEmployee) {
        return ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(
            field, ": the sheet of ", e->employee_no,
            " is your own: you give self scores of existing lines only; HR reviews it")));
      }
      if (l.id().empty()) {
        return ToGrpcStatus(absl::PermissionDeniedError(
            absl::StrCat(field, ": an employee gives self scores of existing lines only")));
      }
      if (!l.has_self_score()) {
        return ToGrpcStatus(
            absl::InvalidArgumentError(absl::StrCat(field, ".self_score: required")));
      }
      store::StoredLine only;
      only.line.id = l.id();
      if (!std::isfinite(l.self_score()) || l.self_score() < 0 || l.self_score() > 100) {
        return ToGrpcStatus(absl::InvalidArgumentError(
            absl::StrCat(field, ".self_score: must be 0..100")));
      }
      only.line.self_score = l.self_score();
      incoming.push_back(std::move(only));
      continue;
    }
    absl::StatusOr<store::StoredLine> line = LineFromProto(l, field);
    if (!line.ok()) return ToGrpcStatus(line.status());
    incoming.push_back(std::move(*line));
  }
  if (employee && (req->remove_line_ids_size() > 0 || req->has_kpi_weight())) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "an employee gives self scores only"));
  }
  if (req->has_kpi_weight() && (req->kpi_weight() < 0 || req->kpi_weight() > 100)) {
    return ToGrpcStatus(absl::InvalidArgumentError("kpi_weight: must be 0..100"));
  }
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  auto find = [](store::StoredSheet& s, const std::string& id) {
    return std::find_if(s.lines.begin(), s.lines.end(),
                        [&](const store::StoredLine& l) { return l.line.id == id; });
  };
  auto mutate = [&](store::StoredSheet& s) -> absl::Status {
    if (absl::Status st = da::CheckLinesEditable(s.state, hr); !st.ok()) return st;
    if (req->has_kpi_weight()) s.kpi_weight = req->kpi_weight();
    for (int i = 0; i < req->remove_line_ids_size(); ++i) {
      auto it = find(s, req->remove_line_ids(i));
      if (it == s.lines.end()) {
        return absl::NotFoundError(absl::StrCat("remove_line_ids[", i, "]: no such line"));
      }
      if (it->line.satisfaction) {
        return absl::InvalidArgumentError(absl::StrCat(
            "remove_line_ids[", i, "]: the satisfaction line is written only by "
            "PushSatisfaction"));
      }
      s.lines.erase(it);
    }
    for (size_t i = 0; i < incoming.size(); ++i) {
      std::string field = absl::StrCat("lines[", i, "]");
      store::StoredLine line = incoming[i];
      if (line.line.id.empty()) {
        line.line.id = NextLineId(s);
        if (!hr) line.line.self_score.reset();
        s.lines.push_back(std::move(line));
        continue;
      }
      auto it = find(s, line.line.id);
      if (it == s.lines.end()) {
        return absl::NotFoundError(absl::StrCat(field, ".id: no such line"));
      }
      if (it->line.satisfaction) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": the satisfaction line is written only by PushSatisfaction"));
      }
      if (employee) {
        it->line.self_score = line.line.self_score;
      } else if (hr) {
        *it = std::move(line);
      } else {  // manager: everything but the employee's self score
        std::optional<double> self = it->line.self_score;
        *it = std::move(line);
        it->line.self_score = self;
      }
    }
    return absl::OkStatus();
  };
  absl::StatusOr<store::SheetWrite> w =
      ChangeSheet(*p, *e, *period, *config, "appraisal.change", mutate);
  if (!w.ok()) return ToGrpcStatus(w.status());
  return Respond(DescribeSheet(e->employee_no, *period), resp);
}

grpc::Status AppraisalServiceImpl::ReportIncident(grpc::ServerContext* ctx,
                                                  const v1::ReportIncidentRequest* req,
                                                  v1::ReportIncidentResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = domain::ValidateCode("employee_no", req->employee_no()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  if (req->title().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("title: required"));
  }
  if (!(req->points() < 0)) {
    return ToGrpcStatus(absl::InvalidArgumentError("points: a deduction, below 0"));
  }
  v1::SheetLine l;
  l.set_section(v1::SHEET_SECTION_INCIDENTS);
  l.set_title(req->title());
  l.set_standard(req->standard());
  l.set_points(req->points());
  absl::StatusOr<store::StoredLine> line = LineFromProto(l, "incident");
  if (!line.ok()) return ToGrpcStatus(line.status());
  absl::StatusOr<domain::Employee> e = org_->GetEmployee(req->employee_no());
  if (!e.ok()) return ToGrpcStatus(e.status());
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  std::string id;
  absl::StatusOr<store::SheetWrite> w = ChangeSheet(
      *p, *e, *period, *config, "appraisal.incident", [&](store::StoredSheet& s) {
        if (absl::Status st = da::CheckLinesEditable(s.state, false); !st.ok()) return st;
        // The same unconfirmed report again is a retry, not a second
        // incident (a rerun transaction or a client retry).
        for (const store::StoredLine& x : s.lines) {
          if (x.line.section == da::Section::kIncidents && !x.line.confirmed &&
              x.title == line->title && x.standard == line->standard &&
              x.line.points == line->line.points) {
            id = x.line.id;
            return absl::OkStatus();
          }
        }
        store::StoredLine added = *line;
        added.line.id = id = NextLineId(s);
        added.line.confirmed = false;  // counts once the manager confirms
        s.lines.push_back(std::move(added));
        return absl::OkStatus();
      });
  if (!w.ok()) return ToGrpcStatus(w.status());
  if (!w->changed) {
    // The line was there already (another reporter of the same incident,
    // or a retry), so the sheet did not change and recorded nothing: the
    // report itself is still an action of its own, with its reporter.
    nlohmann::json report = {{"line_id", id}, {"title", line->title},
                             {"standard", line->standard}, {"points", line->line.points},
                             {"line_existed", true}};
    if (absl::Status s = audit_->Record(
            *p, "appraisal.incident",
            absl::StrCat("sheet:", e->employee_no, "/", period->ToString()), "",
            report.dump());
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  resp->set_line_id(id);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::TransitionSheet(
    grpc::ServerContext* ctx, const v1::TransitionSheetRequest* req,
    v1::Sheet* resp) {
  absl::StatusOr<SheetCall> call = BeginSheetCall(*ctx, req->employee_no(), req->period());
  if (!call.ok()) return ToGrpcStatus(call.status());
  const Principal* p = &call->principal;
  const domain::Employee* e = &call->employee;
  const domain::Period* period = &call->period;
  absl::StatusOr<da::SheetState> to = StateFromProto(req->to());
  if (!to.ok()) return ToGrpcStatus(to.status());
  const bool hr = IsHr(*p);
  const bool own = p->role == Role::kEmployee || IsOwnSheet(*p, *e);
  switch (*to) {
    case da::SheetState::kDraft:
    case da::SheetState::kSubmitted:
      if (p->role == Role::kEmployee) {
        return ToGrpcStatus(absl::PermissionDeniedError(
            "the manager or HR submits or returns a sheet"));
      }
      if (absl::Status s = CheckReviewer(*p, *e); !s.ok()) return ToGrpcStatus(s);
      break;
    case da::SheetState::kConfirmed:
      if (!own) {
        return ToGrpcStatus(
            absl::PermissionDeniedError("only the appraised employee confirms"));
      }
      break;
    case da::SheetState::kAppealWindow:
    case da::SheetState::kFinal:
      if (!hr) {
        return ToGrpcStatus(absl::PermissionDeniedError("HR releases and files results"));
      }
      if (absl::Status s = CheckReviewer(*p, *e); !s.ok()) return ToGrpcStatus(s);
      break;
  }
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  absl::StatusOr<da::WorkCalendar> calendar = Calendar();
  if (!calendar.ok()) return ToGrpcStatus(calendar.status());
  const int64_t now = now_unix_();
  const absl::TimeZone tz = time_zone_;
  auto mutate = [&](store::StoredSheet& s) -> absl::Status {
    da::TransitionContext context;
    absl::Status scored =
        da::ScoreSheet(ToSheetInput(s, e->post_type), config->config).status();
    context.scorable = scored.ok();
    context.not_scorable_why = std::string(scored.message());
    context.today = absl::ToCivilDay(absl::FromUnixSeconds(now), tz);
    if (s.result_at > 0) {
      context.appeal_deadline = da::AppealDeadline(
          *calendar, absl::ToCivilDay(absl::FromUnixSeconds(s.result_at), tz));
    }
    context.open_appeals = s.open_appeals;
    if (s.state == *to) return absl::OkStatus();  // a retried call
    absl::StatusOr<da::SheetState> next = da::Transition(s.state, *to, context);
    if (!next.ok()) return next.status();
    s.state = *next;
    if (*next == da::SheetState::kAppealWindow) s.result_at = now;
    if (*next == da::SheetState::kSubmitted && s.submitted_at == 0) s.submitted_at = now;
    return absl::OkStatus();
  };
  absl::StatusOr<store::SheetWrite> w =
      ChangeSheet(*p, *e, *period, *config, "appraisal.change", mutate);
  if (!w.ok()) return ToGrpcStatus(w.status());
  return Respond(DescribeSheet(e->employee_no, *period), resp);
}

grpc::Status AppraisalServiceImpl::GetSheetHistory(grpc::ServerContext* ctx,
                                                   const v1::GetSheetRequest* req,
                                                   v1::SheetHistory* resp) {
  absl::StatusOr<SheetCall> call = BeginSheetCall(*ctx, req->employee_no(), req->period());
  if (!call.ok()) return ToGrpcStatus(call.status());
  absl::StatusOr<std::vector<store::StoredChange>> changes =
      appraisals_->SheetHistory(call->employee.employee_no, call->period);
  if (!changes.ok()) return ToGrpcStatus(changes.status());
  for (const store::StoredChange& c : *changes) {
    v1::SheetChange* o = resp->add_changes();
    o->set_at_unix(c.at_micros / 1000000);
    o->set_who(c.who);
    o->set_what(c.what);
    o->set_before(c.before_json);
    o->set_after(c.after_json);
  }
  return grpc::Status::OK;
}

namespace {

void EncodeDepartment(const store::StoredDepartmentAppraisal& d,
                      const da::AppraisalConfig& config, v1::DepartmentAppraisal* out) {
  out->set_department_code(d.department_code);
  out->set_period(d.period.ToString());
  out->set_duties_score(d.duties.value_or(0));
  out->set_plan_score(d.plan.value_or(0));
  out->set_key_indicator_score(d.key_indicator.value_or(0));
  out->set_customer_score(d.customer.value_or(0));
  if (!d.customer_provenance_json.empty()) {
    ProvenanceFromJson(d.customer_provenance_json, out->mutable_customer_provenance());
  }
  if (!d.duties || !d.plan || !d.key_indicator) return;
  da::DepartmentInput in{*d.duties, *d.plan, d.customer, *d.key_indicator};
  absl::StatusOr<da::DepartmentTotal> total =
      da::ComputeDepartmentTotal(in, config.department);
  if (!total.ok()) return;
  out->set_complete(true);
  out->set_total(total->total);
  out->set_total_normalised(total->normalised);
}

}  // namespace

grpc::Status AppraisalServiceImpl::UpdateDepartmentAppraisal(
    grpc::ServerContext* ctx, const v1::DepartmentAppraisal* req,
    v1::DepartmentAppraisal* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (absl::Status s = domain::ValidateCode("department_code", req->department_code());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  for (auto [name, v] : {std::pair{"duties_score", req->duties_score()},
                         {"plan_score", req->plan_score()},
                         {"key_indicator_score", req->key_indicator_score()}}) {
    if (!std::isfinite(v) || v < 0 || v > 100) {
      return ToGrpcStatus(
          absl::InvalidArgumentError(absl::StrCat(name, ": must be 0..100")));
    }
  }
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  absl::StatusOr<store::DepartmentWrite> w = appraisals_->UpdateDepartmentAppraisal(
      req->department_code(), *period, AuditActorOf(*p), "appraisal.change",
      [&](store::StoredDepartmentAppraisal& d) {
        d.duties = req->duties_score();
        d.plan = req->plan_score();
        d.key_indicator = req->key_indicator_score();
        return absl::OkStatus();
      });
  if (!w.ok()) return ToGrpcStatus(w.status());
  EncodeDepartment(w->appraisal, config->config, resp);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::GetDepartmentAppraisal(
    grpc::ServerContext* ctx, const v1::GetDepartmentAppraisalRequest* req,
    v1::DepartmentAppraisal* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = domain::ValidateCode("department_code", req->department_code());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (p->role == Role::kEmployee) {
    return ToGrpcStatus(absl::PermissionDeniedError("HR or the department's manager only"));
  }
  if (absl::Status s = RequireDepartmentScope(*p, req->department_code()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  absl::StatusOr<store::StoredDepartmentAppraisal> d =
      appraisals_->GetDepartmentAppraisal(req->department_code(), *period);
  if (!d.ok()) return ToGrpcStatus(d.status());
  EncodeDepartment(*d, config->config, resp);
  return grpc::Status::OK;
}

}  // namespace survey::api
