// Storage of the organisation (departments, employees), in the domain's
// words. One real implementation: store/mysql/org_store.h.
#ifndef SURVEY_STORE_ORG_STORE_H_
#define SURVEY_STORE_ORG_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/org.h"
#include "store/audit_store.h"

namespace survey::store {

struct ImportCounts {
  int departments_created = 0;
  int departments_updated = 0;
  int employees_created = 0;
  int employees_updated = 0;
};

// Who changes the organisation, and the audit log that records the change
// in the change's own transaction: both commit or neither does, and a
// change that cannot be recorded is not made. `log` must be the audit log
// of the same database (the MySQL store records only through its MySQL
// audit log and refuses anything else with FailedPrecondition).
struct OrgAudit {
  AuditStore* log = nullptr;
  AuditActor actor;
};

struct EmployeeFilter {
  std::string department_code;  // empty = all
  bool include_inactive = false;
  std::string after_employee_no;  // paging: strictly after this key
  int limit = 1000;
};

// Thread-safe.
class OrgStore {
 public:
  virtual ~OrgStore() = default;

  // Upserts all records in one transaction after validating them, inside
  // that transaction, against the existing organisation (domain::ValidateOrg).
  // Returns InvalidArgument listing every bad record, one per line, as
  // "departments[i].field: why" / "employees[i].field: why"; nothing is
  // written then. Unavailable if the database is unreachable.
  // Audited as "org.import", target "org": before and after of every
  // department and employee it creates or changes (before null for a new
  // one), keyed "departments"/"employees" -> code -> record; at most 500
  // records to an audit entry (a big import writes several). An import
  // that changes nothing records nothing.
  virtual absl::StatusOr<ImportCounts> ImportOrg(
      const std::vector<domain::Department>& departments,
      const std::vector<domain::Employee>& employees, const OrgAudit& audit) = 0;

  // Ordered by code.
  virtual absl::StatusOr<std::vector<domain::Department>> ListDepartments(
      bool include_inactive) = 0;

  // Ordered by employee number.
  virtual absl::StatusOr<std::vector<domain::Employee>> ListEmployees(
      const EmployeeFilter& filter) = 0;

  // NotFound if unknown.
  virtual absl::StatusOr<domain::Employee> GetEmployee(
      const std::string& employee_no) = 0;
  virtual absl::StatusOr<domain::Department> GetDepartment(
      const std::string& code) = 0;

  // NotFound if unknown; FailedPrecondition if it still has active
  // employees. Idempotent. Audited as "org.deactivate", target
  // "department:CODE", with the record before and after; deactivating an
  // inactive department records nothing.
  virtual absl::Status DeactivateDepartment(const std::string& code,
                                            const OrgAudit& audit) = 0;
  // NotFound if unknown. Idempotent. Audited like DeactivateDepartment,
  // target "employee:NO".
  virtual absl::Status DeactivateEmployee(const std::string& employee_no,
                                          const OrgAudit& audit) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_ORG_STORE_H_
