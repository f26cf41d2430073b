#include "store/mysql/org_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/mysql/queries.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

std::set<std::string> ReadKeys(sql::Connection& c, const char* query) {
  unique_ptr<sql::Statement> st(c.createStatement());
  unique_ptr<sql::ResultSet> rs(st->executeQuery(query));
  std::set<std::string> keys;
  while (rs->next()) keys.insert(rs->getString(1));
  return keys;
}

domain::Department ReadDepartment(sql::ResultSet& rs) {
  domain::Department d;
  d.code = rs.getString(1);
  d.name = rs.getString(2);
  d.manager_employee_no = rs.getString(3);
  d.active = rs.getBoolean(4);
  return d;
}

domain::Employee ReadEmployee(sql::ResultSet& rs) {
  domain::Employee e;
  e.employee_no = rs.getString(1);
  e.name = rs.getString(2);
  e.department_code = rs.getString(3);
  // The ENUM columns hold exactly the domain's words.
  e.post_type = domain::ParsePostType(std::string(rs.getString(4)))
                    .value_or(domain::PostType::kOther);
  e.position = domain::ParsePosition(std::string(rs.getString(5)))
                   .value_or(domain::Position::kOther);
  e.active = rs.getBoolean(6);
  return e;
}

}  // namespace

absl::StatusOr<ImportCounts> MysqlOrgStore::ImportOrg(
    const std::vector<domain::Department>& departments,
    const std::vector<domain::Employee>& employees) {
  ImportCounts counts;
  absl::Status status = RunInTransaction(*pool_, [&](sql::Connection& c) {
    counts = ImportCounts{};
    // Locking the key sets serialises concurrent imports, so the
    // validation below holds until COMMIT.
    std::set<std::string> department_codes =
        ReadKeys(c, queries::kLockDepartmentCodes);
    std::set<std::string> employee_nos = ReadKeys(c, queries::kLockEmployeeNos);
    std::vector<domain::OrgError> errors = domain::ValidateOrg(
        departments, employees, department_codes, employee_nos);
    if (!errors.empty()) {
      std::vector<std::string> lines;
      for (const domain::OrgError& e : errors) {
        lines.push_back(domain::FormatOrgError(e));
      }
      return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
    }
    unique_ptr<sql::PreparedStatement> dept(
        c.prepareStatement(queries::kUpsertDepartment));
    for (const domain::Department& d : departments) {
      dept->setString(1, d.code);
      dept->setString(2, d.name);
      if (d.manager_employee_no.empty()) {
        dept->setNull(3, 0);
      } else {
        dept->setString(3, d.manager_employee_no);
      }
      int affected = dept->executeUpdate();
      if (affected == 1) ++counts.departments_created;
      if (affected == 2) ++counts.departments_updated;
    }
    unique_ptr<sql::PreparedStatement> emp(
        c.prepareStatement(queries::kUpsertEmployee));
    for (const domain::Employee& e : employees) {
      emp->setString(1, e.employee_no);
      emp->setString(2, e.name);
      emp->setString(3, e.department_code);
      emp->setString(4, std::string(domain::PostTypeName(e.post_type)));
      emp->setString(5, std::string(domain::PositionName(e.position)));
      int affected = emp->executeUpdate();
      if (affected == 1) ++counts.employees_created;
      if (affected == 2) ++counts.employees_updated;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<std::vector<domain::Department>> MysqlOrgStore::ListDepartments(
    bool include_inactive) {
  return WithConnection(
      *pool_, "list departments",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<domain::Department>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(queries::kListDepartments));
        st->setBoolean(1, include_inactive);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<domain::Department> out;
        while (rs->next()) out.push_back(ReadDepartment(*rs));
        return out;
      });
}

absl::StatusOr<std::vector<domain::Employee>> MysqlOrgStore::ListEmployees(
    const EmployeeFilter& filter) {
  return WithConnection(
      *pool_, "list employees",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<domain::Employee>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(queries::kListEmployees));
        st->setString(1, filter.department_code);
        st->setString(2, filter.department_code);
        st->setBoolean(3, filter.include_inactive);
        st->setString(4, filter.after_employee_no);
        st->setInt(5, filter.limit);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<domain::Employee> out;
        while (rs->next()) out.push_back(ReadEmployee(*rs));
        return out;
      });
}

absl::StatusOr<domain::Employee> MysqlOrgStore::GetEmployee(
    const std::string& employee_no) {
  return WithConnection(
      *pool_, "get employee",
      [&](sql::Connection& c) -> absl::StatusOr<domain::Employee> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(queries::kGetEmployee));
        st->setString(1, employee_no);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              absl::StrCat("employee \"", employee_no, "\" not found"));
        }
        return ReadEmployee(*rs);
      });
}

absl::StatusOr<domain::Department> MysqlOrgStore::GetDepartment(
    const std::string& code) {
  return WithConnection(
      *pool_, "get department",
      [&](sql::Connection& c) -> absl::StatusOr<domain::Department> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(queries::kGetDepartment));
        st->setString(1, code);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              absl::StrCat("department \"", code, "\" not found"));
        }
        return ReadDepartment(*rs);
      });
}

absl::Status MysqlOrgStore::DeactivateDepartment(const std::string& code) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> lock(
        c.prepareStatement(queries::kLockDepartment));
    lock->setString(1, code);
    unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (!rs->next()) {
      return absl::NotFoundError(
          absl::StrCat("department \"", code, "\" not found"));
    }
    unique_ptr<sql::PreparedStatement> count(
        c.prepareStatement(queries::kCountActiveEmployeesOf));
    count->setString(1, code);
    unique_ptr<sql::ResultSet> n(count->executeQuery());
    n->next();
    if (n->getInt(1) > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "department \"", code, "\" still has ", n->getInt(1),
          " active employees; move or deactivate them first"));
    }
    unique_ptr<sql::PreparedStatement> update(
        c.prepareStatement(queries::kDeactivateDepartment));
    update->setString(1, code);
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status MysqlOrgStore::DeactivateEmployee(const std::string& employee_no) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> exists(
        c.prepareStatement(queries::kEmployeeExists));
    exists->setString(1, employee_no);
    unique_ptr<sql::ResultSet> rs(exists->executeQuery());
    if (!rs->next()) {
      return absl::NotFoundError(
          absl::StrCat("employee \"", employee_no, "\" not found"));
    }
    unique_ptr<sql::PreparedStatement> update(
        c.prepareStatement(queries::kDeactivateEmployee));
    update->setString(1, employee_no);
    update->executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace survey::store::mysql
