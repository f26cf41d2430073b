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
  std::vector<StoredLine> lines;

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

// The JSON recorded as before/after of a sheet change (and in the audit).
std::string SheetJson(const StoredSheet& sheet);
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

  // Creates the sheet as `fresh` if absent (a change, recorded), then
  // calls `mutate` on the current sheet; writes and records (`action`,
  // target "sheet:<no>/<period>", before/after SheetJson) if it changed.
  // `mutate` may be empty (get or create). FailedPrecondition if the
  // employee does not exist.
  virtual absl::StatusOr<SheetWrite> UpdateSheet(
      const StoredSheet& fresh, const AuditActor& actor,
      std::string_view action,
      const std::function<absl::Status(StoredSheet&)>& mutate) = 0;

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
};

}  // namespace survey::store

#endif  // SURVEY_STORE_APPRAISAL_STORE_H_
