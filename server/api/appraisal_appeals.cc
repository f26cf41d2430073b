// AppraisalService: appeals against a monthly result (DOMAIN.md §4, seed
// 002 §6.3): filed within 5 working days of the result, resolved by HR
// (accepted with a changed score, or rejected), with a reason either way.
//
// Decisions (DOMAIN.md is silent):
//   - The appraised employee files; HR may record an appeal handed in on
//     paper (the history says who). Managers do not: the appeal is against
//     their review.
//   - One open appeal per sheet at a time; a retried FileAppeal with the
//     same reason returns the appeal already filed.
//   - An accepted appeal fixes the sheet's score (Sheet.appeal_score); the
//     lines stay as reviewed, so the record shows both. The score is 0..200
//     (bonus points can take a sheet above 100).
//   - Nobody decides an appeal against their own sheet (issue 18); a
//     manager linked to the sheet's employee appeals like any employee.
//   - Resolving again with the same decision is a no-op (a retried call);
//     changing a decision is refused: file a new appeal window instead.
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/appraisal/workflow.h"
#include "domain/text.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

constexpr size_t kMaxReasonBytes = 4000;
constexpr double kMaxAppealScore = 200;

absl::Status CheckReason(std::string_view field, const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": required"));
  if (text.size() > kMaxReasonBytes || !domain::IsValidUtf8(text) ||
      domain::HasControlChars(text, true)) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(field), ": UTF-8 text of at most ", kMaxReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

v1::AppealState StateToProto(store::AppealState s) {
  switch (s) {
    case store::AppealState::kOpen: return v1::APPEAL_STATE_OPEN;
    case store::AppealState::kAccepted: return v1::APPEAL_STATE_ACCEPTED;
    case store::AppealState::kRejected: return v1::APPEAL_STATE_REJECTED;
  }
  return v1::APPEAL_STATE_UNSPECIFIED;
}

void EncodeAppeal(const store::StoredAppeal& a, v1::Appeal* out) {
  out->set_id(absl::StrCat(a.id));
  out->set_employee_no(a.employee_no);
  out->set_period(a.period.ToString());
  out->set_reason(a.reason);
  out->set_state(StateToProto(a.state));
  out->set_resolution(a.resolution);
  out->set_new_score(a.new_score.value_or(0));
  out->set_score_before(a.score_before.value_or(0));
  out->set_filed_at_unix(a.filed_at);
  out->set_resolved_at_unix(a.resolved_at);
  out->set_resolved_by(a.resolved_by);
  out->set_deadline(a.deadline);
}

}  // namespace

grpc::Status AppraisalServiceImpl::FileAppeal(grpc::ServerContext* ctx,
                                              const v1::FileAppealRequest* req,
                                              v1::Appeal* resp) {
  absl::StatusOr<SheetCall> call = BeginSheetCall(*ctx, req->employee_no(), req->period());
  if (!call.ok()) return ToGrpcStatus(call.status());
  const Principal* p = &call->principal;
  const domain::Employee* e = &call->employee;
  const domain::Period* period = &call->period;
  if (p->role == Role::kManager && !IsOwnSheet(*p, *e)) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "the appraised employee appeals (or HR records a paper appeal)"));
  }
  if (absl::Status s = CheckReason("reason", req->reason()); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<LoadedConfig> config = Config(*period);
  if (!config.ok()) return ToGrpcStatus(config.status());
  absl::StatusOr<da::WorkCalendar> calendar = Calendar();
  if (!calendar.ok()) return ToGrpcStatus(calendar.status());
  const int64_t now = now_unix_();
  const absl::TimeZone tz = time_zone_;
  const absl::CivilDay today = absl::ToCivilDay(absl::FromUnixSeconds(now), tz);

  store::StoredAppeal appeal;
  appeal.employee_no = e->employee_no;
  appeal.period = *period;
  appeal.reason = req->reason();
  appeal.filed_at = now;
  const domain::PostType post = e->post_type;
  absl::StatusOr<store::StoredAppeal> filed = appraisals_->FileAppeal(
      appeal, AuditActorOf(*p),
      [&](const store::StoredSheet& s, store::StoredAppeal& a) -> absl::Status {
        if (s.state != da::SheetState::kAppealWindow) {
          return da::CheckAppealFiling(s.state, today, today);
        }
        absl::CivilDay deadline =
            da::AppealDeadline(*calendar, absl::ToCivilDay(absl::FromUnixSeconds(s.result_at), tz));
        if (absl::Status st = da::CheckAppealFiling(s.state, today, deadline); !st.ok()) {
          return st;
        }
        if (s.open_appeals > 0) {
          return absl::FailedPreconditionError(
              "an appeal of this sheet is open: HR resolves it first");
        }
        a.deadline = da::FormatDate(deadline);
        a.score_before = FiguresOf(s, post, config->config).score;
        return absl::OkStatus();
      });
  if (!filed.ok()) return ToGrpcStatus(filed.status());
  EncodeAppeal(*filed, resp);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::ResolveAppeal(grpc::ServerContext* ctx,
                                                 const v1::ResolveAppealRequest* req,
                                                 v1::Appeal* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  int64_t id = 0;
  if (!absl::SimpleAtoi(req->appeal_id(), &id) || id <= 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("appeal_id: an appeal's id"));
  }
  if (absl::Status s = CheckReason("resolution", req->resolution()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::optional<double> new_score;
  if (req->accept()) {
    if (!std::isfinite(req->new_score()) || req->new_score() < 0 ||
        req->new_score() > kMaxAppealScore) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("new_score: 0..", kMaxAppealScore, " when accepting")));
    }
    new_score = req->new_score();
  } else if (req->new_score() != 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("new_score: only when accepting (accept = true)"));
  }
  const store::AppealState decision =
      req->accept() ? store::AppealState::kAccepted : store::AppealState::kRejected;
  const int64_t now = now_unix_();
  const store::AuditActor actor = AuditActorOf(*p);
  absl::StatusOr<store::StoredAppeal> resolved = appraisals_->ResolveAppeal(
      id, actor, [&](store::StoredAppeal& a, store::StoredSheet& s) -> absl::Status {
        if (a.state != store::AppealState::kOpen) {
          if (a.state == decision && a.new_score == new_score &&
              a.resolution == req->resolution()) {
            return absl::OkStatus();  // the same decision, retried
          }
          return absl::FailedPreconditionError(absl::StrCat(
              "appeal ", a.id, " is already ", std::string(store::AppealStateName(a.state))));
        }
        if (s.state != da::SheetState::kAppealWindow) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the sheet is ", std::string(da::SheetStateName(s.state)),
              ", not in its appeal window"));
        }
        if (!p->employee_no.empty() && p->employee_no == a.employee_no) {
          return absl::PermissionDeniedError(
              "this appeal is against your own sheet: another HR officer decides it");
        }
        a.state = decision;
        a.new_score = new_score;
        a.resolution = req->resolution();
        a.resolved_at = now;
        a.resolved_by = actor.name;
        if (new_score) s.appeal_score = *new_score;
        return absl::OkStatus();
      });
  if (!resolved.ok()) return ToGrpcStatus(resolved.status());
  EncodeAppeal(*resolved, resp);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::ListAppeals(grpc::ServerContext* ctx,
                                               const v1::ListAppealsRequest* req,
                                               v1::ListAppealsResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  store::AppealFilter filter;
  if (!req->period().empty()) {
    absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
    if (!period.ok()) return ToGrpcStatus(period.status());
    filter.period = *period;
  }
  switch (req->state()) {
    case v1::APPEAL_STATE_UNSPECIFIED: break;
    case v1::APPEAL_STATE_OPEN: filter.state = store::AppealState::kOpen; break;
    case v1::APPEAL_STATE_ACCEPTED: filter.state = store::AppealState::kAccepted; break;
    case v1::APPEAL_STATE_REJECTED: filter.state = store::AppealState::kRejected; break;
    default: return ToGrpcStatus(absl::InvalidArgumentError("state: unknown"));
  }
  filter.employee_no = req->employee_no();
  if (!filter.employee_no.empty()) {
    absl::StatusOr<domain::Employee> e = SheetScope(*p, filter.employee_no);
    if (!e.ok()) return ToGrpcStatus(e.status());
  } else if (p->role == Role::kEmployee) {
    filter.employee_no = p->employee_no;
  } else if (p->role == Role::kManager) {
    filter.department_code = p->department_code;
  }
  absl::StatusOr<std::vector<store::StoredAppeal>> appeals = appraisals_->ListAppeals(filter);
  if (!appeals.ok()) return ToGrpcStatus(appeals.status());
  for (const store::StoredAppeal& a : *appeals) EncodeAppeal(a, resp->add_appeals());
  return grpc::Status::OK;
}

}  // namespace survey::api
