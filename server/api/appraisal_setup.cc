// AppraisalService: what HR sets up besides the period configuration — the
// working-day calendar (holidays and make-up working days, one year at a
// time) and employees' pay profiles.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/status.h"
#include "domain/appraisal/money.h"
#include "domain/csv.h"

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

constexpr domain::CsvColumn kPayProfileCsvColumns[] = {
    {"employee_no"}, {"from_period"}, {"post"}, {"grade"}, {"post_pay"}, {"base_salary"}};

// The pay CSV's entries and the file line of each; the first problem (the
// domain's CSV rules, or a cell that is not a number) as "line N[, column
// C]: …".
absl::Status PayProfilesFromCsv(const std::string& text,
                                google::protobuf::RepeatedPtrField<v1::PayProfile>* out,
                                std::vector<int>* lines) {
  std::vector<domain::CsvProblem> problems;
  domain::ImportCsv(
      text, kPayProfileCsvColumns,
      [&](const domain::CsvImportRow& row) {
        v1::PayProfile* p = out->Add();
        p->set_employee_no(std::string(row.cells[0]));
        p->set_from_period(std::string(row.cells[1]));
        p->set_post(std::string(row.cells[2]));
        p->set_grade(std::string(row.cells[3]));
        for (int c : {4, 5}) {
          double yuan = 0;
          if (!absl::SimpleAtod(std::string(row.cells[c]), &yuan) || !std::isfinite(yuan)) {
            problems.push_back({row.line, row.index,
                                std::string(kPayProfileCsvColumns[c].name), "not a number"});
          }
          c == 4 ? p->set_post_pay(yuan) : p->set_base_salary(yuan);
        }
        lines->push_back(row.line);
      },
      &problems);
  if (problems.empty()) return absl::OkStatus();
  const domain::CsvProblem& first = problems.front();
  // ParseCsv's own messages already start "line N: ".
  std::string why = first.message;
  const std::string own = absl::StrCat("line ", first.line, ": ");
  if (absl::StartsWith(why, own)) why.erase(0, own.size());
  return absl::InvalidArgumentError(
      first.column.empty()
          ? absl::StrCat("line ", first.line, ": ", why)
          : absl::StrCat("line ", first.line, ", column ", first.column, ": ", why));
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
  const bool from_csv = !req->csv().empty();
  if (from_csv && req->profiles_size() > 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("csv: give profiles or csv, not both"));
  }
  // The entries, and for a CSV each entry's file line: every problem is
  // then named where HR can fix it ("line 5, column post_pay: …", reason
  // CSV_INVALID with the line and column as trailers, api/error_reason.h).
  google::protobuf::RepeatedPtrField<v1::PayProfile> parsed;
  std::vector<int> lines;
  if (from_csv) {
    absl::Status read = PayProfilesFromCsv(req->csv(), &parsed, &lines);
    if (!read.ok()) return ToGrpcStatus(read);
  }
  const google::protobuf::RepeatedPtrField<v1::PayProfile>& entries =
      from_csv ? parsed : req->profiles();
  if (entries.empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        from_csv ? "line 1: no profiles after the header" : "profiles: at least one"));
  }
  auto bad = [&](int i, const std::string& column, const std::string& text) {
    if (from_csv) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          column.empty() ? absl::StrCat("line ", lines[i], ": ", text)
                         : absl::StrCat("line ", lines[i], ", column ", column, ": ", text)));
    }
    return ToGrpcStatus(absl::InvalidArgumentError(
        column.empty() ? absl::StrCat("profiles[", i, "]: ", text)
                       : absl::StrCat("profiles[", i, "].", column, ": ", text)));
  };
  std::vector<store::StoredPayProfile> profiles;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (int i = 0; i < entries.size(); ++i) {
    const v1::PayProfile& in = entries[i];
    for (const auto& [name, value] : {std::pair{"employee_no", &in.employee_no()},
                                      {"post", &in.post()},
                                      {"grade", &in.grade()}}) {
      if (absl::Status s = domain::ValidateCode(name, *value); !s.ok()) {
        // ValidateCode's message is "<name>: <why>".
        std::string why(s.message());
        why.erase(0, std::min(why.size(), std::string(name).size() + 2));
        return bad(i, name, why);
      }
    }
    absl::StatusOr<domain::Period> from = ParsePeriodField("from_period", in.from_period());
    if (!from.ok()) {
      std::string why(from.status().message());
      why.erase(0, std::min(why.size(), sizeof("from_period: ") - 1));
      return bad(i, "from_period", why);
    }
    auto [at, fresh] = seen.emplace(std::pair{in.employee_no(), in.from_period()}, i);
    if (!fresh) {
      return bad(i, "employee_no",
                 absl::StrCat("repeats ", in.employee_no(), " from ", in.from_period(), " (",
                              from_csv ? absl::StrCat("line ", lines[at->second])
                                       : absl::StrCat("profiles[", at->second, "]"),
                              ")"));
    }
    absl::StatusOr<int64_t> post_pay = da::YuanToCents(in.post_pay());
    absl::StatusOr<int64_t> base = da::YuanToCents(in.base_salary());
    if (!post_pay.ok() || *post_pay < 0) {
      return bad(i, "post_pay", "yuan >= 0 with at most 2 decimals");
    }
    if (!base.ok() || *base < 0) {
      return bad(i, "base_salary", "yuan >= 0 with at most 2 decimals");
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
