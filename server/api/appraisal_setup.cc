// AppraisalService: what HR sets up besides the period configuration — the
// working-day calendar (holidays and make-up working days, one year at a
// time) and employees' pay profiles.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/status.h"
#include "domain/appraisal/money.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

// The sorted, distinct days of `texts`, each a real date in `year`.
absl::StatusOr<std::vector<std::string>> DaysOfYear(
    const google::protobuf::RepeatedPtrField<std::string>& texts, int year,
    std::string_view field) {
  std::set<std::string> days;
  for (int i = 0; i < texts.size(); ++i) {
    absl::StatusOr<absl::CivilDay> day = da::ParseDate(texts[i]);
    if (!day.ok() || day->year() != year) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(field), "[", i, "]: a date \"YYYY-MM-DD\" in ", year, ", got \"", texts[i], "\""));
    }
    days.insert(da::FormatDate(*day));
  }
  return std::vector<std::string>(days.begin(), days.end());
}

void EncodeYear(int year, const store::StoredCalendar& all, v1::SetHolidaysResponse* out) {
  std::string prefix = absl::StrCat(year, "-");
  out->set_year(absl::StrCat(year));
  for (const std::string& d : all.holidays) {
    if (absl::StartsWith(d, prefix)) out->add_dates(d);
  }
  for (const std::string& d : all.extra_working_days) {
    if (absl::StartsWith(d, prefix)) out->add_extra_working_days(d);
  }
}

}  // namespace

grpc::Status AppraisalServiceImpl::SetHolidays(grpc::ServerContext* ctx,
                                               const v1::SetHolidaysRequest* req,
                                               v1::SetHolidaysResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<int> year = ParseYearField("year", req->year());
  if (!year.ok()) return ToGrpcStatus(year.status());
  store::StoredCalendar days;
  absl::StatusOr<std::vector<std::string>> holidays = DaysOfYear(req->dates(), *year, "dates");
  if (!holidays.ok()) return ToGrpcStatus(holidays.status());
  absl::StatusOr<std::vector<std::string>> workdays =
      DaysOfYear(req->extra_working_days(), *year, "extra_working_days");
  if (!workdays.ok()) return ToGrpcStatus(workdays.status());
  // The domain's rules: no day both, make-up days on weekends only.
  if (absl::StatusOr<da::WorkCalendar> c = da::WorkCalendar::FromStrings(*holidays, *workdays);
      !c.ok()) {
    return ToGrpcStatus(c.status());
  }
  days.holidays = std::move(*holidays);
  days.extra_working_days = std::move(*workdays);
  absl::StatusOr<bool> changed = appraisals_->SetCalendarYear(*year, days, AuditActorOf(*p));
  if (!changed.ok()) return ToGrpcStatus(changed.status());
  EncodeYear(*year, days, resp);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::GetHolidays(grpc::ServerContext* ctx,
                                               const v1::GetHolidaysRequest* req,
                                               v1::SetHolidaysResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<int> year = ParseYearField("year", req->year());
  if (!year.ok()) return ToGrpcStatus(year.status());
  absl::StatusOr<store::StoredCalendar> all = appraisals_->GetCalendar();
  if (!all.ok()) return ToGrpcStatus(all.status());
  EncodeYear(*year, *all, resp);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::SetPayProfiles(grpc::ServerContext* ctx,
                                                  const v1::SetPayProfilesRequest* req,
                                                  v1::SetPayProfilesResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (req->profiles_size() == 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("profiles: at least one"));
  }
  std::vector<store::StoredPayProfile> profiles;
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < req->profiles_size(); ++i) {
    const v1::PayProfile& in = req->profiles(i);
    std::string field = absl::StrCat("profiles[", i, "]");
    store::StoredPayProfile out;
    for (const auto& [name, value] : {std::pair{"employee_no", &in.employee_no()},
                                      {"post", &in.post()},
                                      {"grade", &in.grade()}}) {
      if (absl::Status s = domain::ValidateCode(absl::StrCat(field, ".", name), *value);
          !s.ok()) {
        return ToGrpcStatus(s);
      }
    }
    absl::StatusOr<domain::Period> from =
        ParsePeriodField(absl::StrCat(field, ".from_period"), in.from_period());
    if (!from.ok()) return ToGrpcStatus(from.status());
    if (!seen.insert({in.employee_no(), in.from_period()}).second) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat(field, ": repeats ", in.employee_no(), " from ", in.from_period())));
    }
    absl::StatusOr<int64_t> post_pay = da::YuanToCents(in.post_pay());
    absl::StatusOr<int64_t> base = da::YuanToCents(in.base_salary());
    if (!post_pay.ok() || *post_pay < 0) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat(field, ".post_pay: yuan >= 0 with at most 2 decimals")));
    }
    if (!base.ok() || *base < 0) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat(field, ".base_salary: yuan >= 0 with at most 2 decimals")));
    }
    profiles.push_back({in.employee_no(), *from, in.post(), in.grade(), *post_pay, *base});
  }
  absl::StatusOr<int> written = appraisals_->SetPayProfiles(profiles, AuditActorOf(*p));
  if (!written.ok()) return ToGrpcStatus(written.status());
  resp->set_written(*written);
  resp->set_unchanged(static_cast<int>(profiles.size()) - *written);
  return grpc::Status::OK;
}

grpc::Status AppraisalServiceImpl::ListPayProfiles(grpc::ServerContext* ctx,
                                                   const v1::ListPayProfilesRequest* req,
                                                   v1::ListPayProfilesResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::string> dept = StaffListScope(*p, req->department_code());
  if (!dept.ok()) return ToGrpcStatus(dept.status());
  absl::StatusOr<domain::Period> period = ParsePeriodField("period", req->period());
  if (!period.ok()) return ToGrpcStatus(period.status());
  absl::StatusOr<std::vector<store::StoredPayProfile>> profiles =
      appraisals_->PayProfilesInForce(*period, *dept);
  if (!profiles.ok()) return ToGrpcStatus(profiles.status());
  for (const store::StoredPayProfile& s : *profiles) {
    v1::PayProfile* o = resp->add_profiles();
    o->set_employee_no(s.employee_no);
    o->set_from_period(s.from_period.ToString());
    o->set_post(s.post);
    o->set_grade(s.grade);
    o->set_post_pay(static_cast<double>(s.post_pay_cents) / 100.0);
    o->set_base_salary(static_cast<double>(s.base_salary_cents) / 100.0);
  }
  return grpc::Status::OK;
}

}  // namespace survey::api
