// Storage of the organisation (departments, employees), in the domain's
// words. One real implementation: store/mysql/org_store.h.
#ifndef SURVEY_STORE_ORG_STORE_H_
#define SURVEY_STORE_ORG_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/org.h"

namespace survey::store {

struct ImportCounts {
  int departments_created = 0;
  int departments_updated = 0;
  int employees_created = 0;
  int employees_updated = 0;
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
  virtual absl::StatusOr<ImportCounts> ImportOrg(
      const std::vector<domain::Department>& departments,
      const std::vector<domain::Employee>& employees) = 0;

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
  // employees. Idempotent.
  virtual absl::Status DeactivateDepartment(const std::string& code) = 0;
  // NotFound if unknown. Idempotent.
  virtual absl::Status DeactivateEmployee(const std::string& employee_no) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_ORG_STORE_H_
