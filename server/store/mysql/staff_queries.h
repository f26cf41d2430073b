// SQL of the staff and audit stores (sql/004_staff_audit.sql).
// Binary columns are read back as HEX() so no driver quirk can cut them.
#ifndef SURVEY_STORE_MYSQL_STAFF_QUERIES_H_
#define SURVEY_STORE_MYSQL_STAFF_QUERIES_H_

#include "store/mysql/account_queries.h"  // SURVEY_ACCOUNT_COLUMNS

namespace survey::store::mysql::queries {

// ---- staff accounts ----
inline constexpr char kLockStaffAccount[] =
    "SELECT name, role, department_code, employee_no, active"
    " FROM staff_account WHERE name = ? FOR UPDATE";
// Readers see an account as it authenticates now (an account that follows
// the organisation takes its role from it: account_queries.h).
inline constexpr char kGetStaffAccount[] =
    "SELECT" SURVEY_ACCOUNT_COLUMNS " FROM staff_account a WHERE a.name = ?";
inline constexpr char kListStaffAccounts[] =
    "SELECT" SURVEY_ACCOUNT_COLUMNS " FROM staff_account a ORDER BY a.name";
inline constexpr char kUpsertStaffAccount[] =
    "INSERT INTO staff_account"
    " (name, role, department_code, employee_no, active)"
    " VALUES (?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE role = VALUES(role),"
    " department_code = VALUES(department_code),"
    " employee_no = VALUES(employee_no), active = VALUES(active),"
    " follows_org = 0";  // an admin's choice ends following the organisation
// Locks every active admin row: two concurrent demotions of the last two
// admins serialise here, and the second sees the first.
inline constexpr char kLockOtherActiveAdmins[] =
    "SELECT name FROM staff_account"
    " WHERE role = 'admin' AND active = 1 AND name <> ? FOR UPDATE";
inline constexpr char kDepartmentExists[] =
    "SELECT 1 FROM department WHERE code = ? LOCK IN SHARE MODE";
inline constexpr char kDepartmentManager[] =
    "SELECT manager_employee_no FROM department WHERE code = ? LOCK IN SHARE MODE";
inline constexpr char kEmployeeExistsShared[] =
    "SELECT 1 FROM employee WHERE employee_no = ? LOCK IN SHARE MODE";

// ---- API keys ----
inline constexpr char kInsertApiKey[] =
    "INSERT INTO api_key (key_id, key_hmac, account_name, created_at,"
    " expires_at, revoked_at, created_by) VALUES (?, UNHEX(?), ?, ?, ?, 0, ?)";
inline constexpr char kLockApiKey[] =
    "SELECT key_id, account_name, created_at, expires_at, revoked_at,"
    " created_by FROM api_key WHERE key_id = ? FOR UPDATE";
inline constexpr char kRevokeApiKey[] =
    "UPDATE api_key SET revoked_at = ? WHERE key_id = ?";
inline constexpr char kListApiKeys[] =
    "SELECT key_id, account_name, created_at, expires_at, revoked_at,"
    " created_by FROM api_key WHERE ? = '' OR account_name = ?"
    " ORDER BY account_name, created_at, key_id";
// The key with its account, for authentication.
inline constexpr char kGetApiKeyCredential[] =
    "SELECT k.key_id, k.account_name, k.created_at, k.expires_at,"
    " k.revoked_at, k.created_by, HEX(k.key_hmac),"
    SURVEY_ACCOUNT_COLUMNS
    " FROM api_key k JOIN staff_account a ON a.name = k.account_name"
    " WHERE k.key_id = ?";

// ---- audit log ----
inline constexpr char kLockAuditHead[] =
    "SELECT last_seq, HEX(last_hash) FROM audit_chain_head WHERE id = 1"
    " FOR UPDATE";
inline constexpr char kReadAuditHead[] =
    "SELECT last_seq, HEX(last_hash) FROM audit_chain_head WHERE id = 1";
inline constexpr char kInsertAudit[] =
    "INSERT INTO audit_log (seq, at_us, principal_name, principal_role,"
    " action, target, before_json, after_json, prev_hash, hash, seal)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, UNHEX(?), UNHEX(?), UNHEX(?))";
inline constexpr char kMoveAuditHead[] =
    "UPDATE audit_chain_head SET last_seq = ?, last_hash = UNHEX(?)"
    " WHERE id = 1";
// Every row (the verifier must see inserted rows too, even with odd seq).
inline constexpr char kScanAudit[] =
    "SELECT seq, at_us, principal_name, principal_role, action, target,"
    " before_json, after_json, HEX(prev_hash), HEX(hash), HEX(seal)"
    " FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?";
inline constexpr char kListAuditAscending[] =
    "SELECT seq, at_us, principal_name, principal_role, action, target,"
    " before_json, after_json, HEX(prev_hash), HEX(hash), HEX(seal)"
    " FROM audit_log WHERE (? = '' OR action = ?) AND seq > ?"
    " ORDER BY seq LIMIT ?";
inline constexpr char kListAuditDescending[] =
    "SELECT seq, at_us, principal_name, principal_role, action, target,"
    " before_json, after_json, HEX(prev_hash), HEX(hash), HEX(seal)"
    " FROM audit_log WHERE (? = '' OR action = ?) AND (? = 0 OR seq < ?)"
    " ORDER BY seq DESC LIMIT ?";

}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_STAFF_QUERIES_H_
