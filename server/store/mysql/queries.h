// Every SQL statement of the MySQL store, as named constants: one place to
// read what the store does to the database. The schema lives in sql/.
#ifndef SURVEY_STORE_MYSQL_QUERIES_H_
#define SURVEY_STORE_MYSQL_QUERIES_H_

namespace survey::store::mysql::queries {

// ---- organisation ----
inline constexpr char kLockDepartmentCodes[] =
    "SELECT code FROM department FOR UPDATE";
inline constexpr char kLockEmployeeNos[] =
    "SELECT employee_no FROM employee FOR UPDATE";
// Affected rows: 1 inserted, 2 updated, 0 unchanged (MariaDB semantics).
inline constexpr char kUpsertDepartment[] =
    "INSERT INTO department (code, name, manager_employee_no, active)"
    " VALUES (?, ?, ?, 1)"
    " ON DUPLICATE KEY UPDATE name = VALUES(name),"
    " manager_employee_no = VALUES(manager_employee_no), active = 1";
inline constexpr char kUpsertEmployee[] =
    "INSERT INTO employee"
    " (employee_no, name, department_code, post_type, position, active)"
    " VALUES (?, ?, ?, ?, ?, 1)"
    " ON DUPLICATE KEY UPDATE name = VALUES(name),"
    " department_code = VALUES(department_code),"
    " post_type = VALUES(post_type), position = VALUES(position), active = 1";
inline constexpr char kListDepartments[] =
    "SELECT code, name, COALESCE(manager_employee_no, ''), active"
    " FROM department WHERE active = 1 OR ? ORDER BY code";
inline constexpr char kGetDepartment[] =
    "SELECT code, name, COALESCE(manager_employee_no, ''), active"
    " FROM department WHERE code = ?";
inline constexpr char kListEmployees[] =
    "SELECT employee_no, name, department_code, post_type, position, active"
    " FROM employee"
    " WHERE (? = '' OR department_code = ?) AND (active = 1 OR ?)"
    " AND employee_no > ? ORDER BY employee_no LIMIT ?";
// Every employee, for the audit record of an import (after the key locks).
inline constexpr char kAllEmployees[] =
    "SELECT employee_no, name, department_code, post_type, position, active"
    " FROM employee";
inline constexpr char kGetEmployee[] =
    "SELECT employee_no, name, department_code, post_type, position, active"
    " FROM employee WHERE employee_no = ?";
inline constexpr char kLockDepartment[] =
    "SELECT active FROM department WHERE code = ? FOR UPDATE";
inline constexpr char kCountActiveEmployeesOf[] =
    "SELECT COUNT(*) FROM employee WHERE department_code = ? AND active = 1";
inline constexpr char kDeactivateDepartment[] =
    "UPDATE department SET active = 0 WHERE code = ?";
inline constexpr char kDeactivateEmployee[] =
    "UPDATE employee SET active = 0 WHERE employee_no = ?";
inline constexpr char kEmployeeExists[] =
    "SELECT 1 FROM employee WHERE employee_no = ? FOR UPDATE";

// ---- campaign membership (sql/008_campaign_membership.sql) ----
// At open: every employee's department now, replacing rows written by
// invitations issued while the campaign was a draft. Customer-satisfaction
// campaigns only (a cross-evaluation's subjects and groups are departments,
// fixed on each invitation).
inline constexpr char kFreezeMembership[] =
    "INSERT INTO campaign_member (campaign_id, employee_no, department_code)"
    " SELECT c.id, e.employee_no, e.department_code FROM campaign c"
    " JOIN employee e WHERE c.id = ? AND c.kind = 'customer_satisfaction'"
    " ON DUPLICATE KEY UPDATE campaign_member.department_code = VALUES(department_code)";
// At issue: employees not frozen yet (they joined later) get their
// department now; existing rows are kept. Followed by "(?, ?, ...)".
inline constexpr char kAddMembersHead[] =
    "INSERT INTO campaign_member (campaign_id, employee_no, department_code)"
    " SELECT c.id, e.employee_no, e.department_code FROM campaign c"
    " JOIN employee e WHERE c.id = ? AND c.kind = 'customer_satisfaction'"
    " AND e.employee_no IN (";
inline constexpr char kAddMembersTail[] =
    ") ON DUPLICATE KEY UPDATE"
    " campaign_member.department_code = campaign_member.department_code";

// ---- health ----
inline constexpr char kPing[] = "SELECT 1";

}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_QUERIES_H_
