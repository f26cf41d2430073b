#include "store/mysql/org_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/mysql/audit_store.h"
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

// ---- audit (store/org_store.h: OrgAudit)

// The record has to be appended on the change's own connection, which only
// the MySQL audit log can do (MysqlAuditStore::AppendInTransaction). It is
// passed per call because the server builds this store before its audit
// log; a log of another kind cannot record here, so nothing is changed.
absl::StatusOr<MysqlAuditStore*> AuditLogOf(const OrgAudit& audit) {
  auto* log = dynamic_cast<MysqlAuditStore*>(audit.log);
  if (log == nullptr) {
    return absl::FailedPreconditionError(
        "organisation changes are recorded in the audit log, and there is none");
  }
  return log;
}

nlohmann::json DepartmentJson(const domain::Department& d) {
  return {{"name", d.name}, {"manager_employee_no", d.manager_employee_no},
          {"active", d.active}};
}

nlohmann::json EmployeeJson(const domain::Employee& e) {
  return {{"name", e.name},
          {"department_code", e.department_code},
          {"post_type", std::string(domain::PostTypeName(e.post_type))},
          {"position", std::string(domain::PositionName(e.position))},
          {"active", e.active}};
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One created or changed record of an import: "departments" or
// "employees", its key, and the record before (null if new) and after.
struct OrgChange {
  const char* table;
  std::string key;
  nlohmann::json before, after;
};

// What importing `departments` and `employees` changes, against the stored
// organisation read on `c` (whose keys the import has locked).
std::vector<OrgChange> ImportChanges(sql::Connection& c,
                                     const std::vector<domain::Department>& departments,
                                     const std::vector<domain::Employee>& employees) {
  std::map<std::string, nlohmann::json> stored_departments, stored_employees;
  {
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(queries::kListDepartments));
    st->setBoolean(1, true);
    unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      domain::Department d = ReadDepartment(*rs);
      stored_departments[d.code] = DepartmentJson(d);
    }
  }
  {
    unique_ptr<sql::Statement> st(c.createStatement());
    unique_ptr<sql::ResultSet> rs(st->executeQuery(queries::kAllEmployees));
    while (rs->next()) {
      domain::Employee e = ReadEmployee(*rs);
      stored_employees[e.employee_no] = EmployeeJson(e);
    }
  }
  std::vector<OrgChange> out;
  auto compare = [&](const char* table, const std::map<std::string, nlohmann::json>& stored,
                     const std::string& key, nlohmann::json after) {
    auto it = stored.find(key);
    nlohmann::json before = it == stored.end() ? nlohmann::json() : it->second;
    if (before != after) out.push_back({table, key, std::move(before), std::move(after)});
  };
  for (domain::Department d : departments) {
    d.active = true;  // an import (re)activates what it names
    compare("departments", stored_departments, d.code, DepartmentJson(d));
  }
  for (domain::Employee e : employees) {
    e.active = true;
    compare("employees", stored_employees, e.employee_no, EmployeeJson(e));
  }
  return out;
}

// Appends the audit records of an import, kPerRecord changes to a record
// (so that each stays well under domain::kMaxAuditJsonBytes).
absl::Status AppendImportRecords(sql::Connection& c, MysqlAuditStore& log,
                                 const AuditActor& actor,
                                 const std::vector<OrgChange>& changes) {
  constexpr size_t kPerRecord = 500;
  for (size_t begin = 0; begin < changes.size(); begin += kPerRecord) {
    nlohmann::json before = {{"departments", nlohmann::json::object()},
                             {"employees", nlohmann::json::object()}};
    nlohmann::json after = before;
    for (size_t i = begin; i < std::min(changes.size(), begin + kPerRecord); ++i) {
      before[changes[i].table][changes[i].key] = changes[i].before;
      after[changes[i].table][changes[i].key] = changes[i].after;
    }
    AuditEntry entry{actor, "org.import", "org", Dump(before), Dump(after)};
    if (absl::Status s = log.AppendInTransaction(c, entry).status(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportCounts> MysqlOrgStore::ImportOrg(
    const std::vector<domain::Department>& departments,
    const std::vector<domain::Employee>& employees, const OrgAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = AuditLogOf(audit);
  if (!log.ok()) return log.status();
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
    const std::vector<OrgChange> changes = ImportChanges(c, departments, employees);
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
    // Last in the transaction (store/mysql/audit_store.h).
    return AppendImportRecords(c, **log, audit.actor, changes);
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

absl::Status MysqlOrgStore::DeactivateDepartment(const std::string& code,
                                                 const OrgAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = AuditLogOf(audit);
  if (!log.ok()) return log.status();
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
    unique_ptr<sql::PreparedStatement> get(c.prepareStatement(queries::kGetDepartment));
    get->setString(1, code);
    unique_ptr<sql::ResultSet> row(get->executeQuery());
    row->next();
    domain::Department d = ReadDepartment(*row);
    if (!d.active) return absl::OkStatus();  // unchanged: nothing to record
    unique_ptr<sql::PreparedStatement> update(
        c.prepareStatement(queries::kDeactivateDepartment));
    update->setString(1, code);
    update->executeUpdate();
    const std::string before = Dump(DepartmentJson(d));
    d.active = false;
    AuditEntry entry{audit.actor, "org.deactivate", absl::StrCat("department:", code),
                     before, Dump(DepartmentJson(d))};
    return (*log)->AppendInTransaction(c, entry).status();
  });
}

absl::Status MysqlOrgStore::DeactivateEmployee(const std::string& employee_no,
                                               const OrgAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = AuditLogOf(audit);
  if (!log.ok()) return log.status();
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> exists(
        c.prepareStatement(queries::kEmployeeExists));
    exists->setString(1, employee_no);
    unique_ptr<sql::ResultSet> rs(exists->executeQuery());
    if (!rs->next()) {
      return absl::NotFoundError(
          absl::StrCat("employee \"", employee_no, "\" not found"));
    }
    unique_ptr<sql::PreparedStatement> get(c.prepareStatement(queries::kGetEmployee));
    get->setString(1, employee_no);
    unique_ptr<sql::ResultSet> row(get->executeQuery());
    row->next();
    domain::Employee e = ReadEmployee(*row);
    if (!e.active) return absl::OkStatus();  // unchanged: nothing to record
    unique_ptr<sql::PreparedStatement> update(
        c.prepareStatement(queries::kDeactivateEmployee));
    update->setString(1, employee_no);
    update->executeUpdate();
    const std::string before = Dump(EmployeeJson(e));
    e.active = false;
    AuditEntry entry{audit.actor, "org.deactivate", absl::StrCat("employee:", employee_no),
                     before, Dump(EmployeeJson(e))};
    return (*log)->AppendInTransaction(c, entry).status();
  });
}

}  // namespace survey::store::mysql
