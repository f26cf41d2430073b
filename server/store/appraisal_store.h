// Storage of appraisals (sql/006_appraisal.sql): per-period configuration,
// monthly sheets with their lines and change history, department
// appraisals. One real implementation: store/mysql/appraisal_store.h.
//
// Every write is a read-modify-write in ONE transaction: the store loads
// and locks the row(s), hands a copy to the caller's `mutate`, and if the
// result differs from what was loaded writes it, the change record and the
// audit entry (same transaction). `mutate` must decide only from what it is
// given: the transaction may be rerun (deadlock, lost connection), and a
// rerun after an in-doubt commit then sees the committed state and finds
// nothing to change. Returning a non-OK status from `mutate` rolls back.
#ifndef SURVEY_STORE_APPRAISAL_STORE_H_
#define SURVEY_STORE_APPRAISAL_STORE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/appraisal/config.h"
#include "domain/appraisal/sheet.h"
#include "domain/appraisal/workflow.h"
#include "domain/period.h"
#include "store/audit_store.h"

namespace survey::store {

// A line as stored: the scoring fields plus the texts and provenance.
struct StoredLine {
  domain::appraisal::SheetLine line;
  std::string title;
  std::string goal;
  std::string standard;
  std::string data_source;
  std::string provenance_json;  // satisfaction lines; "" otherwise
};
// Field by field (domain::appraisal::SheetLine has no operator==).
bool operator==(const StoredLine& a, const StoredLine& b);

struct StoredSheet {
  std::string employee_no;
  domain::Period period;
  domain::appraisal::SheetTemplate sheet_template =
      domain::appraisal::SheetTemplate::kStandard;
  domain::appraisal::SheetState state = domain::appraisal::SheetState::kDraft;
  std::optional<int> kpi_weight;
  int64_t result_at = 0;  // unix seconds; 0 until appeal_window
  int64_t submitted_at = 0;  // unix seconds of the first submission; 0 never
  std::optional<double> appeal_score;  // set by an accepted appeal
  std::vector<StoredLine> lines;
  // Read only (never written through UpdateSheet): appeals of this sheet
  // still open when it was loaded.
  int open_appeals = 0;

  bool operator==(const StoredSheet&) const = default;
};

struct SheetWrite {
  StoredSheet sheet;     // as it is after the call
  bool created = false;  // this call created the sheet
  bool changed = false;  // this call wrote something (created or changed)
};

struct StoredChange {
  int64_t at_micros = 0;
  std::string who;
  std::string what;
  std::string before_json;
  std::string after_json;
};

struct StoredDepartmentAppraisal {
  std::string department_code;
  domain::Period period;
  std::optional<double> duties;
  std::optional<double> plan;
  std::optional<double> key_indicator;
  std::optional<double> customer;  // absent: not pushed or insufficient
  std::string customer_provenance_json;

  bool operator==(const StoredDepartmentAppraisal&) const = default;
};

struct DepartmentWrite {
  StoredDepartmentAppraisal appraisal;
  bool changed = false;
};

// HR's working-day calendar: "YYYY-MM-DD" days.
struct StoredCalendar {
  std::vector<std::string> holidays;
  std::vector<std::string> extra_working_days;
};

struct StoredPayProfile {
  std::string employee_no;
  domain::Period from_period;
  std::string post;
  std::string grade;
  int64_t post_pay_cents = 0;
  int64_t base_salary_cents = 0;

  bool operator==(const StoredPayProfile&) const = default;
};

enum class AppealState { kOpen, kAccepted, kRejected };

struct StoredAppeal {
  int64_t id = 0;  // assigned on filing
  std::string employee_no;
  domain::Period period;
  std::string reason;
  AppealState state = AppealState::kOpen;
  std::string resolution;
  std::optional<double> new_score;
  std::optional<double> score_before;
  std::string deadline;  // "YYYY-MM-DD"
  int64_t filed_at = 0;
  int64_t resolved_at = 0;
  std::string resolved_by;

  bool operator==(const StoredAppeal&) const = default;
};

struct AppealFilter {
  std::optional<domain::Period> period;
  std::optional<AppealState> state;
  std::string employee_no;      // empty: all
  std::string department_code;  // empty: all
};

struct StoredGrade {
  std::string employee_no;
  std::string department_code;
  std::string unit;
  int64_t coefficient_bp = 0;
  std::string grade;  // "A".."E"
  int rank = 0;
  int months = 0;
  int months_not_final = 0;
  std::vector<std::string> flags;
  int64_t bonus_cents = 0;
};

struct StoredGrading {
  int year = 0;
  int64_t graded_at = 0;
  std::string summary_json;  // pooling, units, skipped, provisional
  std::vector<StoredGrade> grades;  // by employee_no
};

// The JSON recorded as before/after of a sheet change (and in the audit).
std::string SheetJson(const StoredSheet& sheet);
std::string AppealJson(const StoredAppeal& appeal);
std::string_view AppealStateName(AppealState state);  // "open", ...
std::string DepartmentAppraisalJson(const StoredDepartmentAppraisal& d);

// Thread-safe.
class AppraisalStore {
 public:
  virtual ~AppraisalStore() = default;

  // The configuration JSON of the latest configured period <= `period`, and
  // that period; NotFound if none is configured.
  struct ConfigRow {
    domain::Period period;
    std::string json;
  };
  virtual absl::StatusOr<ConfigRow> GetConfig(domain::Period period) = 0;
  // Stores `json` for `period` with the audit entry (action
  // "appraisal.change", target "config:<period>"); returns whether it
  // changed (an identical JSON writes nothing and records nothing).
  virtual absl::StatusOr<bool> SetConfig(domain::Period period,
                                         const std::string& json,
                                         const AuditActor& actor) = 0;

  // NotFound if the sheet does not exist yet.
  virtual absl::StatusOr<StoredSheet> GetSheet(const std::string& employee_no,
                                               domain::Period period) = 0;
  // Sheets of `period` (of `department_code`'s employees, if not empty),
  // by employee number.
  virtual absl::StatusOr<std::vector<StoredSheet>> ListSheets(
      domain::Period period, const std::string& department_code) = 0;
  // Sheets of the periods first..last (of one employee if `employee_no` is
  // not empty, else of `department_code`'s employees if that is not empty),
  // by period then employee number.
  virtual absl::StatusOr<std::vector<StoredSheet>> ListSheetsBetween(
      domain::Period first, domain::Period last,
      const std::string& department_code, const std::string& employee_no) = 0;

  // Creates the sheet as `fresh` if absent (a change, recorded), then
  // calls `mutate` on the current sheet; writes and records (`action`,
  // target "sheet:<no>/<period>", before/after SheetJson) if it changed.
  // `mutate` may be empty (get or create). FailedPrecondition if the
  // employee does not exist.
  virtual absl::StatusOr<SheetWrite> UpdateSheet(
      const StoredSheet& fresh, const AuditActor& actor,
      std::string_view action,
      const std::function<absl::Status(StoredSheet&)>& mutate) = 0;

  // One sheet of UpdateSheets: as UpdateSheet's `fresh` and `mutate`.
  struct SheetUpdate {
    StoredSheet fresh;
    std::function<absl::Status(StoredSheet&)> mutate;
  };
  // UpdateSheet for each of `updates` (all of one period, distinct
  // employees), in ONE transaction: each sheet is written, recorded and
  // audited exactly as UpdateSheet would, and readers see the whole batch
  // or none of it (so each sheet whole). Results in the order of
  // `updates`. Any failure (a mutate's, an unknown employee: NotFound)
  // fails the whole batch and writes nothing. A deadlock or lost
  // connection reruns the batch, calling each mutate again.
  virtual absl::StatusOr<std::vector<SheetWrite>> UpdateSheets(
      std::span<const SheetUpdate> updates, const AuditActor& actor,
      std::string_view action) = 0;

  virtual absl::StatusOr<std::vector<StoredChange>> SheetHistory(
      const std::string& employee_no, domain::Period period) = 0;

  // NotFound if absent.
  virtual absl::StatusOr<StoredDepartmentAppraisal> GetDepartmentAppraisal(
      const std::string& department_code, domain::Period period) = 0;
  // As UpdateSheet, for a department appraisal (target
  // "department:<code>/<period>"); created empty if absent (the creation
  // alone is not a change).
  virtual absl::StatusOr<DepartmentWrite> UpdateDepartmentAppraisal(
      const std::string& department_code, domain::Period period,
      const AuditActor& actor, std::string_view action,
      const std::function<absl::Status(StoredDepartmentAppraisal&)>& mutate) = 0;

  // The whole calendar (small: a few dozen days a year).
  virtual absl::StatusOr<StoredCalendar> GetCalendar() = 0;
  // Replaces `year`'s days (audited "appraisal.change", "calendar:<year>");
  // returns whether anything changed.
  virtual absl::StatusOr<bool> SetCalendarYear(int year,
                                               const StoredCalendar& days,
                                               const AuditActor& actor) = 0;

  // Writes each profile (insert or replace, audited "pay:<no>/<from>") in
  // ONE transaction; returns how many changed. NotFound naming the first
  // unknown employee (nothing written).
  virtual absl::StatusOr<int> SetPayProfiles(
      const std::vector<StoredPayProfile>& profiles, const AuditActor& actor) = 0;
  // The profile in force in `period` for each employee that has one (of
  // `department_code`'s employees if not empty), by employee number.
  virtual absl::StatusOr<std::vector<StoredPayProfile>> PayProfilesInForce(
      domain::Period period, const std::string& department_code) = 0;

  // Files an appeal in one transaction: locks the sheet, calls `check` on
  // it (its open_appeals counted) and a copy of `appeal` that `check` may
  // complete (deadline, score_before), and inserts that copy with a change
  // record on the sheet and the audit entry. If an OPEN appeal of the
  // same sheet has the same reason, returns it instead (a retried call).
  // NotFound if the sheet does not exist.
  virtual absl::StatusOr<StoredAppeal> FileAppeal(
      const StoredAppeal& appeal, const AuditActor& actor,
      const std::function<absl::Status(const StoredSheet&, StoredAppeal&)>& check) = 0;
  // Resolves appeal `id` in one transaction: locks it and its sheet, calls
  // `decide`, writes both if they changed (change record and audit entry
  // "appraisal.appeal"). NotFound for an unknown id.
  virtual absl::StatusOr<StoredAppeal> ResolveAppeal(
      int64_t id, const AuditActor& actor,
      const std::function<absl::Status(StoredAppeal&, StoredSheet&)>& decide) = 0;
  virtual absl::StatusOr<std::vector<StoredAppeal>> ListAppeals(
      const AppealFilter& filter) = 0;

  // Replaces the year's grading (audited "appraisal.grade", "grading:<year>"
  // with the before and after summaries).
  virtual absl::Status ReplaceGrading(const StoredGrading& grading,
                                      const AuditActor& actor) = 0;
  // NotFound if the year was never graded. `department_code` filters the
  // grades (the summary is the whole run's).
  virtual absl::StatusOr<StoredGrading> GetGrading(
      int year, const std::string& department_code) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_APPRAISAL_STORE_H_
