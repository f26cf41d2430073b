// Sign-in, activation, lockout and passwords. Sessions and organisation
// accounts: account_sessions.cc.
#include "store/mysql/account_store.h"

#include <cppconn/prepared_statement.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/audit_chain.h"
#include "store/mysql/account_queries.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;
namespace q = queries;
using namespace account_internal;  // NOLINT: this file's own helpers

// What the locked row holds (kLockSignIn).
struct LockedAccount {
  StaffAccount account;
  std::string password_hash;
  std::string activation_hex;  // "" = none
  int64_t activation_expires_at = 0;
  domain::LockState lock;
};

std::optional<LockedAccount> LockAccount(sql::Connection& c,
                                         const std::string& name) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kLockSignIn));
  st->setString(1, name);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  if (!rs->next()) return std::nullopt;
  LockedAccount a;
  a.account = ReadEffectiveAccount(*rs, 1);
  a.password_hash = rs->getString(6);
  // HEX() answers in upper case, AuditDigestHex (Hex below) in lower.
  a.activation_hex =
      rs->isNull(7) ? "" : absl::AsciiStrToLower(std::string(rs->getString(7)));
  a.activation_expires_at = rs->getInt64(8);
  a.lock.failures = rs->getInt(9);
  a.lock.window_start = rs->getInt64(10);
  a.lock.locked_until = rs->getInt64(11);
  return a;
}

void WriteLock(sql::Connection& c, const std::string& name,
               const domain::LockState& s) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kSetLock));
  st->setInt(1, s.failures);
  st->setInt64(2, s.window_start);
  st->setInt64(3, s.locked_until);
  st->setString(4, name);
  st->executeUpdate();
}

void SetPassword(sql::Connection& c, const std::string& name,
                 const std::string& hash) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kSetPassword));
  st->setString(1, hash);
  st->setString(2, name);
  st->executeUpdate();
}

int EndOtherSessions(sql::Connection& c, const std::string& name,
                     const std::string& keep, int64_t now) {
  unique_ptr<sql::PreparedStatement> st(
      c.prepareStatement(q::kEndOtherSessions));
  st->setInt64(1, now);
  st->setString(2, name);
  st->setString(3, keep);
  return st->executeUpdate();
}

AuditActor ActorOf(const StaffAccount& a) {
  return AuditActor{a.name, std::string(StaffRoleName(a.role))};
}

absl::Status Locked() {
  return absl::FailedPreconditionError("account locked");
}

absl::Status BadCredentials() {
  return absl::UnauthenticatedError("bad credentials");
}

}  // namespace

namespace account_internal {

StaffAccount ReadEffectiveAccount(sql::ResultSet& rs, int first) {
  StaffAccount a;
  a.name = rs.getString(first);
  a.role = ParseStaffRole(std::string(rs.getString(first + 1)))
               .value_or(StaffRole::kEmployee);
  a.department_code = rs.getString(first + 2);
  a.employee_no = rs.getString(first + 3);
  a.active = rs.getBoolean(first + 4);
  return a;
}

SessionInfo ReadSession(sql::ResultSet& rs) {
  SessionInfo s;
  s.session_id = rs.getString(1);
  s.account_name = rs.getString(2);
  s.created_at = rs.getInt64(3);
  s.expires_at = rs.getInt64(4);
  s.last_seen = rs.getInt64(5);
  s.ended_at = rs.getInt64(6);
  s.client_address = rs.getString(7);
  return s;
}

std::string Hex(const SecretHmac& h) {
  domain::AuditDigest d;
  std::copy(h.begin(), h.end(), d.begin());
  return domain::AuditDigestHex(d);
}

void InsertSession(sql::Connection& c, const NewSession& s) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kInsertSession));
  st->setString(1, s.info.session_id);
  st->setString(2, Hex(s.token_hmac));
  st->setString(3, s.info.account_name);
  st->setInt64(4, s.info.created_at);
  st->setInt64(5, s.info.expires_at);
  st->setInt64(6, s.info.last_seen);
  st->setString(7, s.info.client_address);
  st->executeUpdate();
}

std::string SessionJson(const SessionInfo& s) {
  nlohmann::ordered_json j;
  j["session_id"] = s.session_id;
  j["account_name"] = s.account_name;
  j["created_at"] = s.created_at;
  j["expires_at"] = s.expires_at;
  j["ended_at"] = s.ended_at;
  j["client_address"] = s.client_address;
  return j.dump();
}

}  // namespace account_internal

absl::StatusOr<SignInRecord> MysqlAccountStore::GetSignIn(
    const std::string& name) {
  return WithConnection(
      *pool_, "read sign-in", [&](sql::Connection& c) -> absl::StatusOr<SignInRecord> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kGetSignIn));
        st->setString(1, name);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) return absl::NotFoundError("no such account");
        SignInRecord r;
        r.account = ReadEffectiveAccount(*rs, 1);
        r.password_hash = rs->getString(6);
        r.has_activation_code = rs->getBoolean(7);
        r.lock.failures = rs->getInt(8);
        r.lock.window_start = rs->getInt64(9);
        r.lock.locked_until = rs->getInt64(10);
        r.follows_org = rs->getBoolean(11);
        return r;
      });
}

absl::StatusOr<domain::LockState> MysqlAccountStore::RecordFailure(
    const std::string& name, int64_t now, const domain::LockoutPolicy& policy) {
  domain::LockState after;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        std::optional<LockedAccount> a = LockAccount(c, name);
        if (!a.has_value()) return absl::NotFoundError("no such account");
        after = domain::AfterFailure(a->lock, now, policy);
        WriteLock(c, name, after);
        if (!domain::JustLocked(a->lock, after, now)) return absl::OkStatus();
        nlohmann::ordered_json j;
        j["locked_until"] = after.locked_until;
        j["failures"] = policy.max_failures;
        j["window_seconds"] = policy.window_seconds;
        AuditEntry entry;
        entry.actor = AuditActor{"system:sign-in", "system"};
        entry.action = "account.lock";
        entry.target = absl::StrCat("staff:", name);
        entry.after_json = j.dump();
        return audit_->AppendInTransaction(c, entry).status();
      });
  if (!status.ok()) return status;
  return after;
}

absl::Status MysqlAccountStore::StartSession(const NewSession& session,
                                             const std::string& verified_hash,
                                             int64_t now) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    std::optional<LockedAccount> a = LockAccount(c, session.info.account_name);
    if (!a.has_value() || !a->account.active) return BadCredentials();
    if (domain::IsLocked(a->lock, now)) return Locked();
    if (a->password_hash.empty() || a->password_hash != verified_hash) {
      return BadCredentials();  // changed or reset since it was verified
    }
    if (a->lock.failures != 0) WriteLock(c, a->account.name, domain::LockState{});
    InsertSession(c, session);
    AuditEntry entry;
    entry.actor = ActorOf(a->account);
    entry.action = "session.signin";
    entry.target = absl::StrCat("session:", session.info.session_id);
    entry.after_json = SessionJson(session.info);
    return audit_->AppendInTransaction(c, entry).status();
  });
}

absl::Status MysqlAccountStore::Activate(const std::string& name,
                                         const SecretHmac& code,
                                         const std::string& new_hash,
                                         const NewSession& session,
                                         int64_t now) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    std::optional<LockedAccount> a = LockAccount(c, name);
    if (!a.has_value() || !a->account.active) return BadCredentials();
    if (domain::IsLocked(a->lock, now)) return Locked();
    if (a->activation_hex.empty() || a->activation_hex != Hex(code) ||
        now >= a->activation_expires_at) {
      return BadCredentials();
    }
    SetPassword(c, name, new_hash);  // clears the code: it works once
    EndOtherSessions(c, name, "", now);
    InsertSession(c, session);
    nlohmann::ordered_json j;
    j["session_id"] = session.info.session_id;
    j["client_address"] = session.info.client_address;
    AuditEntry entry;
    entry.actor = ActorOf(a->account);
    entry.action = "account.activate";
    entry.target = absl::StrCat("staff:", name);
    entry.after_json = j.dump();
    return audit_->AppendInTransaction(c, entry).status();
  });
}

absl::Status MysqlAccountStore::ChangePassword(const PasswordChange& change,
                                               int64_t now,
                                               const AuditActor& actor) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    std::optional<LockedAccount> a = LockAccount(c, change.account_name);
    if (!a.has_value() || !a->account.active) return BadCredentials();
    if (a->password_hash.empty() || a->password_hash != change.expected_hash) {
      return BadCredentials();
    }
    SetPassword(c, change.account_name, change.new_hash);
    int ended =
        EndOtherSessions(c, change.account_name, change.keep_session_id, now);
    nlohmann::ordered_json j;
    j["other_sessions_ended"] = ended;
    AuditEntry entry;
    entry.actor = actor;
    entry.action = "account.password";
    entry.target = absl::StrCat("staff:", change.account_name);
    entry.after_json = j.dump();
    return audit_->AppendInTransaction(c, entry).status();
  });
}

absl::Status MysqlAccountStore::ResetPassword(const std::string& name,
                                              const ActivationCode& code,
                                              int64_t now,
                                              const AuditActor& actor) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    std::optional<LockedAccount> a = LockAccount(c, name);
    if (!a.has_value()) {
      return absl::NotFoundError(absl::StrCat("staff account \"", name, "\" not found"));
    }
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kResetPassword));
    st->setString(1, Hex(code.hmac));
    st->setInt64(2, code.expires_at);
    st->setString(3, name);
    st->executeUpdate();
    int ended = EndOtherSessions(c, name, "", now);
    nlohmann::ordered_json j;
    j["had_password"] = !a->password_hash.empty();
    j["code_expires_at"] = code.expires_at;
    j["sessions_ended"] = ended;
    AuditEntry entry;
    entry.actor = actor;
    entry.action = "account.reset";
    entry.target = absl::StrCat("staff:", name);
    entry.after_json = j.dump();
    return audit_->AppendInTransaction(c, entry).status();
  });
}

}  // namespace survey::store::mysql
