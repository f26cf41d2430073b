// AppraisalService (proto/survey/v1/appraisal.proto). Synchronous: staff
// calls are rare and do blocking SQL. The maths is domain/appraisal/*; this
// layer checks roles, loads, calls the domain, and writes through
// store::AppraisalStore (one transaction per change, audited inside it).
//
// Roles:
//   SetPeriodConfig / GetPeriodConfig, PushSatisfaction,
//   UpdateDepartmentAppraisal                       HR, admin
//   GetSheet / GetSheetHistory   the employee (own), their manager (own
//                                department), HR / admin (all)
//   ListSheets, GetDepartmentAppraisal   manager (own department), HR, admin
//   UpdateSheetLines   employee: self_score of existing lines of the own
//                      sheet (other fields of the request line are not
//                      read); manager: everything but self scores, for the
//                      own department; HR / admin: everything. Nobody edits
//                      the satisfaction line: only PushSatisfaction writes it.
//   ReportIncident     anyone authenticated (an unconfirmed deduction)
//   TransitionSheet    draft<->submitted: manager or HR; submitted->confirmed:
//                      the employee; confirmed->appeal_window and ->final: HR.
//   SetHolidays, SetPayProfiles, RunAnnualGrading, ResolveAppeal   HR, admin
//   GetHolidays        anyone authenticated (deadlines are everyone's)
//   ListPayProfiles, ListQuarterlyScores, GetAnnualGrading, ExportSheets
//                      manager (own department), HR, admin
//   FileAppeal         the employee (own sheet); HR recording a paper appeal
//   ListAppeals        the employee (own), manager (own department), HR
//
// Files: appraisal_service.cc (config, sheets, transitions, departments),
// appraisal_push.cc, appraisal_results.cc (a sheet's results: pay, flags,
// deadlines, grade; listing, export, quarters), appraisal_appeals.cc,
// appraisal_grading.cc, appraisal_setup.cc (holidays, pay profiles).
#ifndef SURVEY_API_APPRAISAL_SERVICE_H_
#define SURVEY_API_APPRAISAL_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/audit_log.h"
#include "api/auth.h"
#include "domain/appraisal/calendar.h"
#include "domain/appraisal/config.h"
#include "store/appraisal_store.h"
#include "store/org_store.h"
#include "store/report_store.h"
#include "store/template_cache.h"
#include "survey/v1/appraisal.grpc.pb.h"

namespace survey::api {

// Test hook: when set, PushSatisfaction calls it before writing each sheet
// with the number of sheets already handled; a non-OK status stops the push
// there and is returned (simulates a push killed halfway). Process-wide.
void SetPushFaultForTesting(std::function<absl::Status(int sheets_done)> hook);

// The period's configuration: PeriodConfig plus the domain form.
struct LoadedConfig {
  v1::PeriodConfig proto;  // period = the period asked for
  domain::appraisal::AppraisalConfig config;
};

class AppraisalServiceImpl final : public v1::AppraisalService::Service {
 public:
  // Every pointer must outlive the service. `now_unix` gives unix seconds.
  AppraisalServiceImpl(const Authenticator* auth, const AuditLog* audit,
                       store::OrgStore* org,
                       store::AppraisalStore* appraisals,
                       store::ReportStore* reports,
                       store::TemplateCache* templates,
                       std::function<int64_t()> now_unix,
                       absl::TimeZone time_zone = absl::UTCTimeZone())
      : auth_(auth),
        audit_(audit),
        org_(org),
        appraisals_(appraisals),
        reports_(reports),
        templates_(templates),
        now_unix_(std::move(now_unix)),
        time_zone_(time_zone) {}

  grpc::Status SetPeriodConfig(grpc::ServerContext* ctx,
                               const v1::PeriodConfig* req,
                               v1::PeriodConfig* resp) override;
  grpc::Status GetPeriodConfig(grpc::ServerContext* ctx,
                               const v1::GetPeriodConfigRequest* req,
                               v1::PeriodConfig* resp) override;
  grpc::Status GetSheet(grpc::ServerContext* ctx, const v1::GetSheetRequest* req,
                        v1::Sheet* resp) override;
  grpc::Status ListSheets(grpc::ServerContext* ctx,
                          const v1::ListSheetsRequest* req,
                          v1::ListSheetsResponse* resp) override;
  grpc::Status UpdateSheetLines(grpc::ServerContext* ctx,
                                const v1::UpdateSheetLinesRequest* req,
                                v1::Sheet* resp) override;
  grpc::Status ReportIncident(grpc::ServerContext* ctx,
                              const v1::ReportIncidentRequest* req,
                              v1::ReportIncidentResponse* resp) override;
  grpc::Status TransitionSheet(grpc::ServerContext* ctx,
                               const v1::TransitionSheetRequest* req,
                               v1::Sheet* resp) override;
  grpc::Status GetSheetHistory(grpc::ServerContext* ctx,
                               const v1::GetSheetRequest* req,
                               v1::SheetHistory* resp) override;
  grpc::Status UpdateDepartmentAppraisal(grpc::ServerContext* ctx,
                                         const v1::DepartmentAppraisal* req,
                                         v1::DepartmentAppraisal* resp) override;
  grpc::Status GetDepartmentAppraisal(
      grpc::ServerContext* ctx, const v1::GetDepartmentAppraisalRequest* req,
      v1::DepartmentAppraisal* resp) override;
  grpc::Status PushSatisfaction(grpc::ServerContext* ctx,
                                const v1::PushSatisfactionRequest* req,
                                v1::PushSatisfactionResponse* resp) override;
  grpc::Status SetHolidays(grpc::ServerContext* ctx,
                           const v1::SetHolidaysRequest* req,
                           v1::SetHolidaysResponse* resp) override;
  grpc::Status GetHolidays(grpc::ServerContext* ctx,
                           const v1::GetHolidaysRequest* req,
                           v1::SetHolidaysResponse* resp) override;
  grpc::Status SetPayProfiles(grpc::ServerContext* ctx,
                              const v1::SetPayProfilesRequest* req,
                              v1::SetPayProfilesResponse* resp) override;
  grpc::Status ListPayProfiles(grpc::ServerContext* ctx,
                               const v1::ListPayProfilesRequest* req,
                               v1::ListPayProfilesResponse* resp) override;
  grpc::Status ListQuarterlyScores(grpc::ServerContext* ctx,
                                   const v1::ListQuarterlyScoresRequest* req,
                                   v1::ListQuarterlyScoresResponse* resp) override;
  grpc::Status RunAnnualGrading(grpc::ServerContext* ctx,
                                const v1::RunAnnualGradingRequest* req,
                                v1::AnnualGradingResult* resp) override;
  grpc::Status GetAnnualGrading(grpc::ServerContext* ctx,
                                const v1::GetAnnualGradingRequest* req,
                                v1::AnnualGradingResult* resp) override;
  grpc::Status FileAppeal(grpc::ServerContext* ctx,
                          const v1::FileAppealRequest* req,
                          v1::Appeal* resp) override;
  grpc::Status ResolveAppeal(grpc::ServerContext* ctx,
                             const v1::ResolveAppealRequest* req,
                             v1::Appeal* resp) override;
  grpc::Status ListAppeals(grpc::ServerContext* ctx,
                           const v1::ListAppealsRequest* req,
                           v1::ListAppealsResponse* resp) override;
  grpc::Status ExportSheets(grpc::ServerContext* ctx,
                            const v1::ListSheetsRequest* req,
                            grpc::ServerWriter<v1::ExportChunk>* writer) override;

 private:
  // Every employee (of `department_code` if not empty), by number.
  absl::StatusOr<std::map<std::string, domain::Employee>> EmployeesOf(
      const std::string& department_code, bool include_inactive);
  // The working-day calendar HR maintains (weekends only if none).
  absl::StatusOr<domain::appraisal::WorkCalendar> Calendar();
  // The sheets of `period` with their results (pay, monthly flags, data
  // deadline and lateness, appeal deadline, annual grade): of one employee
  // if `employee_no` is set, else of `department_code` (all if empty).
  // With `with_missing`, active employees in scope without a sheet appear
  // as empty drafts flagged "no_sheet" (so HR sees who is late).
  absl::StatusOr<std::vector<v1::Sheet>> DescribeSheets(
      domain::Period period, const std::string& department_code,
      const std::string& employee_no, bool with_missing);
  // DescribeSheets for the one sheet just read or written.
  absl::StatusOr<v1::Sheet> DescribeSheet(const std::string& employee_no,
                                          domain::Period period);
  // ListSheets and ExportSheets: the caller's scope and the filters.
  absl::StatusOr<std::vector<v1::Sheet>> SheetList(const Principal& p,
                                                   const v1::ListSheetsRequest& req);
  // The configuration in force for `period` (carried forward, or defaults).
  absl::StatusOr<LoadedConfig> Config(domain::Period period);
  // The caller and the employee, after the scope check for reading `no`'s
  // sheet.
  absl::StatusOr<domain::Employee> SheetScope(const Principal& p,
                                              const std::string& no);
  // The caller, the employee whose sheet it is (after SheetScope) and the
  // period: what every per-sheet RPC starts with.
  struct SheetCall {
    Principal principal;
    domain::Employee employee;
    domain::Period period;
  };
  absl::StatusOr<SheetCall> BeginSheetCall(grpc::ServerContext& ctx,
                                           const std::string& employee_no,
                                           const std::string& period);
  // Whether `e` is the employee record `p` is linked to
  // (appraisal_reviewer.cc).
  bool IsOwnSheet(const Principal& p, const domain::Employee& e) const;
  // OK if `p` may review `e`'s sheet (score its lines, submit, return,
  // release, finalize): never their own, and a department manager's sheet
  // only by HR. PERMISSION_DENIED with the reason otherwise.
  absl::Status CheckReviewer(const Principal& p, const domain::Employee& e) const;
  // SheetOrCreate, then store::AppraisalStore::UpdateSheet with `mutate`.
  absl::StatusOr<store::SheetWrite> ChangeSheet(
      const Principal& p, const domain::Employee& e, domain::Period period,
      const LoadedConfig& config, std::string_view action,
      const std::function<absl::Status(store::StoredSheet&)>& mutate);
  // Existing sheet or a new draft (recorded).
  absl::StatusOr<store::StoredSheet> SheetOrCreate(
      const Principal& p, const domain::Employee& e, domain::Period period,
      const LoadedConfig& config);
  absl::Status Push(const Principal& p, domain::Period period,
                    v1::PushSatisfactionResponse* out);
  absl::Status PushDepartments(const Principal& p, domain::Period period,
                               const LoadedConfig& config,
                               v1::PushSatisfactionResponse* out);

  const Authenticator* auth_;
  const AuditLog* audit_;
  store::OrgStore* org_;
  store::AppraisalStore* appraisals_;
  store::ReportStore* reports_;
  store::TemplateCache* templates_;
  std::function<int64_t()> now_unix_;
  // The company's time zone (--time-zone): every date and deadline.
  absl::TimeZone time_zone_;
};

}  // namespace survey::api

#endif  // SURVEY_API_APPRAISAL_SERVICE_H_
