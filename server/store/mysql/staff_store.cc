#include "store/mysql/staff_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "domain/audit_chain.h"
#include "store/mysql/staff_queries.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;
namespace q = queries;

// Columns: name, role, department_code, employee_no, active (from `first`).
StaffAccount ReadAccount(sql::ResultSet& rs, int first = 1) {
  StaffAccount a;
  a.name = rs.getString(first);
  // The ENUM holds exactly the four words.
  a.role = ParseStaffRole(std::string(rs.getString(first + 1)))
               .value_or(StaffRole::kEmployee);
  a.department_code = rs.getString(first + 2);
  a.employee_no = rs.getString(first + 3);
  a.active = rs.getBoolean(first + 4);
  return a;
}

// Columns: key_id, account_name, created_at, expires_at, revoked_at,
// created_by.
ApiKeyInfo ReadKey(sql::ResultSet& rs) {
  ApiKeyInfo k;
  k.key_id = rs.getString(1);
  k.account_name = rs.getString(2);
  k.created_at = rs.getInt64(3);
  k.expires_at = rs.getInt64(4);
  k.revoked_at = rs.getInt64(5);
  k.created_by = rs.getString(6);
  return k;
}

bool SameAccount(const StaffAccount& a, const StaffAccount& b) {
  return a.name == b.name && a.role == b.role &&
         a.department_code == b.department_code &&
         a.employee_no == b.employee_no && a.active == b.active;
}

bool Exists(sql::Connection& c, const char* query, const std::string& key) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(query));
  st->setString(1, key);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  return rs->next();
}

std::string HexOf(const ApiKeyHmac& h) {
  domain::AuditDigest d;
  std::copy(h.begin(), h.end(), d.begin());
  return domain::AuditDigestHex(d);
}

}  // namespace

std::string StaffAccountJson(const StaffAccount& a) {
  nlohmann::ordered_json j;
  j["name"] = a.name;
  j["role"] = std::string(StaffRoleName(a.role));
  j["department_code"] = a.department_code;
  j["employee_no"] = a.employee_no;
  j["active"] = a.active;
  return j.dump();
}

std::string ApiKeyJson(const ApiKeyInfo& k) {
  nlohmann::ordered_json j;
  j["key_id"] = k.key_id;
  j["account_name"] = k.account_name;
  j["created_at"] = k.created_at;
  j["expires_at"] = k.expires_at;
  j["revoked_at"] = k.revoked_at;
  return j.dump();
}

absl::StatusOr<UpsertOutcome> MysqlStaffStore::UpsertAccount(
    const StaffAccount& requested, const AuditActor& actor) {
  UpsertOutcome outcome;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        outcome = UpsertOutcome{};
        StaffAccount account = requested;
        unique_ptr<sql::PreparedStatement> lock(
            c.prepareStatement(q::kLockStaffAccount));
        lock->setString(1, account.name);
        unique_ptr<sql::ResultSet> rs(lock->executeQuery());
        if (rs->next()) outcome.before = ReadAccount(*rs);
        outcome.created = !outcome.before.has_value();

        if (account.role == StaffRole::kManager &&
            !Exists(c, q::kDepartmentExists, account.department_code)) {
          return absl::InvalidArgumentError(
              absl::StrCat("department_code: no department \"",
                           account.department_code, "\""));
        }
        // A manager is linked to the employee the organisation names as
        // the department's manager, unless the admin links another (kept
        // when the account is upserted again for the same department).
        if (account.role == StaffRole::kManager && account.employee_no.empty() &&
            outcome.before.has_value() && outcome.before->role == StaffRole::kManager &&
            outcome.before->department_code == account.department_code) {
          account.employee_no = outcome.before->employee_no;
        }
        if (account.role == StaffRole::kManager && account.employee_no.empty()) {
          unique_ptr<sql::PreparedStatement> m(
              c.prepareStatement(q::kDepartmentManager));
          m->setString(1, account.department_code);
          unique_ptr<sql::ResultSet> mr(m->executeQuery());
          if (mr->next() && !mr->isNull(1)) account.employee_no = mr->getString(1);
        }
        if (!account.employee_no.empty() &&
            !Exists(c, q::kEmployeeExistsShared, account.employee_no)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "employee_no: no employee \"", account.employee_no, "\""));
        }
        outcome.after = account;
        bool was_admin = outcome.before.has_value() && outcome.before->active &&
                         outcome.before->role == StaffRole::kAdmin;
        bool is_admin = account.active && account.role == StaffRole::kAdmin;
        if (was_admin && !is_admin &&
            !Exists(c, q::kLockOtherActiveAdmins, account.name)) {
          return absl::FailedPreconditionError(absl::StrCat(
              "\"", account.name,
              "\" is the last active admin; make another admin first"));
        }
        if (outcome.before.has_value() &&
            SameAccount(*outcome.before, account)) {
          return absl::OkStatus();  // unchanged: nothing to write or record
        }
        unique_ptr<sql::PreparedStatement> upsert(
            c.prepareStatement(q::kUpsertStaffAccount));
        upsert->setString(1, account.name);
        upsert->setString(2, std::string(StaffRoleName(account.role)));
        upsert->setString(3, account.department_code);
        upsert->setString(4, account.employee_no);
        upsert->setBoolean(5, account.active);
        upsert->executeUpdate();

        AuditEntry entry;
        entry.actor = actor;
        entry.action = "staff.upsert";
        entry.target = absl::StrCat("staff:", account.name);
        entry.before_json =
            outcome.before.has_value() ? StaffAccountJson(*outcome.before) : "";
        entry.after_json = StaffAccountJson(account);
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        return seq.status();
      });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<StaffAccount> MysqlStaffStore::GetAccount(
    const std::string& name) {
  return WithConnection(
      *pool_, "get staff account",
      [&](sql::Connection& c) -> absl::StatusOr<StaffAccount> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kGetStaffAccount));
        st->setString(1, name);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              absl::StrCat("staff account \"", name, "\" not found"));
        }
        return ReadAccount(*rs);
      });
}

absl::StatusOr<std::vector<StaffAccount>> MysqlStaffStore::ListAccounts() {
  return WithConnection(
      *pool_, "list staff accounts",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<StaffAccount>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kListStaffAccounts));
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<StaffAccount> out;
        while (rs->next()) out.push_back(ReadAccount(*rs));
        return out;
      });
}

absl::Status MysqlStaffStore::CreateApiKey(const NewApiKey& key,
                                           const AuditActor& actor) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> lock(
        c.prepareStatement(q::kLockStaffAccount));
    lock->setString(1, key.info.account_name);
    unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (!rs->next()) {
      return absl::NotFoundError(absl::StrCat(
          "staff account \"", key.info.account_name, "\" not found"));
    }
    if (!ReadAccount(*rs).active) {
      return absl::FailedPreconditionError(absl::StrCat(
          "staff account \"", key.info.account_name, "\" is inactive"));
    }
    unique_ptr<sql::PreparedStatement> insert(
        c.prepareStatement(q::kInsertApiKey));
    insert->setString(1, key.info.key_id);
    insert->setString(2, HexOf(key.key_hmac));
    insert->setString(3, key.info.account_name);
    insert->setInt64(4, key.info.created_at);
    insert->setInt64(5, key.info.expires_at);
    insert->setString(6, key.info.created_by);
    try {
      insert->executeUpdate();
    } catch (const sql::SQLException& e) {
      if (ClassifySqlError(e.getErrorCode()) == SqlErrorClass::kDuplicate) {
        return absl::AlreadyExistsError("API key id already taken");
      }
      throw;
    }
    AuditEntry entry;
    entry.actor = actor;
    entry.action = "apikey.create";
    entry.target = absl::StrCat("apikey:", key.info.key_id);
    ApiKeyInfo info = key.info;
    info.revoked_at = 0;
    entry.after_json = ApiKeyJson(info);
    return audit_->AppendInTransaction(c, entry).status();
  });
}

absl::StatusOr<ApiKeyInfo> MysqlStaffStore::RevokeApiKey(
    const std::string& key_id, int64_t now, const AuditActor& actor) {
  ApiKeyInfo info;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        unique_ptr<sql::PreparedStatement> lock(
            c.prepareStatement(q::kLockApiKey));
        lock->setString(1, key_id);
        unique_ptr<sql::ResultSet> rs(lock->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              absl::StrCat("API key \"", key_id, "\" not found"));
        }
        info = ReadKey(*rs);
        if (info.revoked_at != 0) return absl::OkStatus();
        ApiKeyInfo before = info;
        info.revoked_at = now;
        unique_ptr<sql::PreparedStatement> update(
            c.prepareStatement(q::kRevokeApiKey));
        update->setInt64(1, now);
        update->setString(2, key_id);
        update->executeUpdate();
        AuditEntry entry;
        entry.actor = actor;
        entry.action = "apikey.revoke";
        entry.target = absl::StrCat("apikey:", key_id);
        entry.before_json = ApiKeyJson(before);
        entry.after_json = ApiKeyJson(info);
        return audit_->AppendInTransaction(c, entry).status();
      });
  if (!status.ok()) return status;
  return info;
}

absl::StatusOr<std::vector<ApiKeyInfo>> MysqlStaffStore::ListApiKeys(
    const std::string& account_name) {
  return WithConnection(
      *pool_, "list API keys",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<ApiKeyInfo>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kListApiKeys));
        st->setString(1, account_name);
        st->setString(2, account_name);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<ApiKeyInfo> out;
        while (rs->next()) out.push_back(ReadKey(*rs));
        return out;
      });
}

absl::StatusOr<ApiKeyCredential> MysqlStaffStore::GetApiKeyCredential(
    const std::string& key_id) {
  return WithConnection(
      *pool_, "get API key",
      [&](sql::Connection& c) -> absl::StatusOr<ApiKeyCredential> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kGetApiKeyCredential));
        st->setString(1, key_id);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError("API key not found");
        }
        ApiKeyCredential cred;
        cred.info = ReadKey(*rs);
        absl::StatusOr<domain::AuditDigest> hmac =
            domain::ParseAuditDigestHex(std::string(rs->getString(7)));
        if (!hmac.ok()) return absl::InternalError("malformed API key hash");
        std::copy(hmac->begin(), hmac->end(), cred.key_hmac.begin());
        cred.account = ReadAccount(*rs, 8);
        return cred;
      });
}

}  // namespace survey::store::mysql
