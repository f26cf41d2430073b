// SQL of the account store (sql/011_accounts.sql) and the columns every
// reader of a staff account uses. Binary columns are read back as HEX().
#ifndef SURVEY_STORE_MYSQL_ACCOUNT_QUERIES_H_
#define SURVEY_STORE_MYSQL_ACCOUNT_QUERIES_H_

// The account `a` as it authenticates now: name, role, department_code,
// employee_no, active. An account that follows the organisation is
// manager of the active department its employee manages (the smallest
// code, should there be several), else employee, and active only while
// its employee is. Macros so that the queries stay string literals.
#define SURVEY_MANAGED_DEPARTMENT                                      \
  "(SELECT MIN(d.code) FROM department d WHERE d.active = 1"           \
  " AND d.manager_employee_no = a.employee_no)"
#define SURVEY_ACCOUNT_COLUMNS                                         \
  " a.name,"                                                           \
  " IF(a.follows_org = 0, a.role,"                                     \
  " IF(" SURVEY_MANAGED_DEPARTMENT " IS NULL, 'employee', 'manager')),"  \
  " IF(a.follows_org = 0, a.department_code,"                          \
  " IFNULL(" SURVEY_MANAGED_DEPARTMENT ", '')),"                       \
  " a.employee_no,"                                                    \
  " a.active = 1 AND (a.follows_org = 0 OR EXISTS (SELECT 1 FROM"      \
  " employee e WHERE e.employee_no = a.employee_no AND e.active = 1))"

namespace survey::store::mysql::queries {

// ---- sign-in ----
inline constexpr char kGetSignIn[] =
    "SELECT" SURVEY_ACCOUNT_COLUMNS ", a.password_hash,"
    " a.activation_hmac IS NOT NULL, a.failed_signins,"
    " a.failure_window_start, a.locked_until, a.follows_org"
    " FROM staff_account a WHERE a.name = ?";
inline constexpr char kLockSignIn[] =
    "SELECT" SURVEY_ACCOUNT_COLUMNS ", a.password_hash,"
    " HEX(a.activation_hmac), a.activation_expires_at, a.failed_signins,"
    " a.failure_window_start, a.locked_until"
    " FROM staff_account a WHERE a.name = ? FOR UPDATE";
inline constexpr char kSetLock[] =
    "UPDATE staff_account SET failed_signins = ?, failure_window_start = ?,"
    " locked_until = ? WHERE name = ?";
inline constexpr char kSetPassword[] =
    "UPDATE staff_account SET password_hash = ?, activation_hmac = NULL,"
    " activation_expires_at = 0, failed_signins = 0,"
    " failure_window_start = 0 WHERE name = ?";
inline constexpr char kResetPassword[] =
    "UPDATE staff_account SET password_hash = '', activation_hmac = UNHEX(?),"
    " activation_expires_at = ?, failed_signins = 0, failure_window_start = 0,"
    " locked_until = 0 WHERE name = ?";

// ---- sessions ----
inline constexpr char kInsertSession[] =
    "INSERT INTO staff_session (session_id, token_hmac, account_name,"
    " created_at, expires_at, last_seen, ended_at, client_address)"
    " VALUES (?, UNHEX(?), ?, ?, ?, ?, 0, ?)";
inline constexpr char kGetSession[] =
    "SELECT s.session_id, s.account_name, s.created_at, s.expires_at,"
    " s.last_seen, s.ended_at, s.client_address, HEX(s.token_hmac),"
    SURVEY_ACCOUNT_COLUMNS
    " FROM staff_session s JOIN staff_account a ON a.name = s.account_name"
    " WHERE s.session_id = ?";
inline constexpr char kTouchSession[] =
    "UPDATE staff_session SET last_seen = ?"
    " WHERE session_id = ? AND ended_at = 0 AND last_seen <= ?";
inline constexpr char kLockSession[] =
    "SELECT session_id, account_name, created_at, expires_at, last_seen,"
    " ended_at, client_address FROM staff_session WHERE session_id = ?"
    " FOR UPDATE";
inline constexpr char kEndSession[] =
    "UPDATE staff_session SET ended_at = ? WHERE session_id = ?";
// Live sessions of an account but one ('' keeps none).
inline constexpr char kEndOtherSessions[] =
    "UPDATE staff_session SET ended_at = ?"
    " WHERE account_name = ? AND ended_at = 0 AND session_id <> ?";
inline constexpr char kListSessions[] =
    "SELECT session_id, account_name, created_at, expires_at, last_seen,"
    " ended_at, client_address FROM staff_session"
    " WHERE (? = '' OR account_name = ?) AND (? = 1 OR ended_at = 0)"
    " ORDER BY created_at DESC, session_id LIMIT ?";

// ---- organisation accounts ----
// Every active employee with the account that is theirs (the one named
// after them, else the smallest name linked to them; NULLs if none): its
// name, stored role and department, follows_org, whether it has a
// password, and the department the employee manages (NULL if none).
// FOR UPDATE: a concurrent run waits, and an ImportOrg too.
inline constexpr char kOrgEmployees[] =
    "SELECT e.employee_no, e.name, e.department_code, a.name, a.role,"
    " a.department_code, a.follows_org, a.password_hash <> '',"
    " (SELECT MIN(d.code) FROM department d WHERE d.active = 1"
    " AND d.manager_employee_no = e.employee_no)"
    " FROM employee e LEFT JOIN staff_account a ON a.name = IFNULL("
    "(SELECT s.name FROM staff_account s WHERE s.name = e.employee_no),"
    " (SELECT MIN(s.name) FROM staff_account s"
    " WHERE s.employee_no = e.employee_no))"
    " WHERE e.active = 1 ORDER BY e.employee_no FOR UPDATE";
inline constexpr char kInsertOrgAccount[] =
    "INSERT INTO staff_account (name, role, department_code, employee_no,"
    " active, password_hash, activation_hmac, activation_expires_at,"
    " follows_org) VALUES (?, 'employee', '', ?, 1, '', UNHEX(?), ?, 1)";
inline constexpr char kSetActivationCode[] =
    "UPDATE staff_account SET activation_hmac = UNHEX(?),"
    " activation_expires_at = ? WHERE name = ?";

// ---- WhoAmI ----
inline constexpr char kEmployeeName[] =
    "SELECT name FROM employee WHERE employee_no = ?";
inline constexpr char kDepartmentName[] =
    "SELECT name FROM department WHERE code = ?";

}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_ACCOUNT_QUERIES_H_
