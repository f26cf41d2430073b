// OrgStore on MariaDB.
#ifndef SURVEY_STORE_MYSQL_ORG_STORE_H_
#define SURVEY_STORE_MYSQL_ORG_STORE_H_

#include "store/mysql/connection_pool.h"
#include "store/org_store.h"

namespace survey::store::mysql {

class MysqlOrgStore : public OrgStore {
 public:
  // `pool` must outlive this store.
  explicit MysqlOrgStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<ImportCounts> ImportOrg(
      const std::vector<domain::Department>& departments,
      const std::vector<domain::Employee>& employees, const OrgAudit& audit) override;
  absl::StatusOr<std::vector<domain::Department>> ListDepartments(
      bool include_inactive) override;
  absl::StatusOr<std::vector<domain::Employee>> ListEmployees(
      const EmployeeFilter& filter) override;
  absl::StatusOr<domain::Employee> GetEmployee(
      const std::string& employee_no) override;
  absl::StatusOr<domain::Department> GetDepartment(
      const std::string& code) override;
  absl::Status DeactivateDepartment(const std::string& code,
                                    const OrgAudit& audit) override;
  absl::Status DeactivateEmployee(const std::string& employee_no,
                                  const OrgAudit& audit) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_ORG_STORE_H_
