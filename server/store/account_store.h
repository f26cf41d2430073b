// Passwords, activation codes, lockouts and sessions of staff accounts
// (sql/011_accounts.sql, AccountService). Every change is one transaction
// that also appends its audit record. Secrets reach the store only as
// argon2id strings or HMACs. One real implementation:
// store/mysql/account_store.h.
#ifndef SURVEY_STORE_ACCOUNT_STORE_H_
#define SURVEY_STORE_ACCOUNT_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/account.h"
#include "store/audit_store.h"
#include "store/staff_store.h"

namespace survey::store {

using SecretHmac = ApiKeyHmac;  // HMAC-SHA256(pepper, purpose + secret)

// What sign-in needs to know about an account. `account` carries the
// role the organisation gives it now (follows_org) and `active` is false
// when a follows_org account's employee left.
struct SignInRecord {
  StaffAccount account;
  std::string password_hash;  // "" = none
  bool has_activation_code = false;
  domain::LockState lock;
  bool follows_org = false;
};

struct SessionInfo {
  std::string session_id;  // 16 hex digits
  std::string account_name;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_seen = 0;
  int64_t ended_at = 0;  // 0 = live
  std::string client_address;
};

struct NewSession {
  SessionInfo info;  // ended_at ignored
  SecretHmac token_hmac{};
};

// A session with its account (role as the organisation gives it now).
struct SessionCredential {
  SessionInfo info;
  SecretHmac token_hmac{};
  StaffAccount account;
};

// The password is changed only if the stored hash is still `expected_hash`
// (what was verified outside the transaction).
struct PasswordChange {
  std::string account_name;
  std::string expected_hash;
  std::string new_hash;
  std::string keep_session_id;  // every other live session ends
};

struct ActivationCode {
  SecretHmac hmac{};
  int64_t expires_at = 0;
};

// One row of the organisation accounts CSV.
struct OrgAccountRow {
  std::string account_name;
  std::string employee_no;
  std::string employee_name;
  std::string department_code;
  StaffRole role = StaffRole::kEmployee;  // as the organisation gives it
  std::string activation_code;            // "" = none issued now
  int64_t expires_at = 0;                 // of the code issued now
  bool created = false;
};

// Issues a fresh code: the plaintext (for the CSV) and what is stored.
using CodeIssuer =
    std::function<absl::StatusOr<std::pair<std::string, ActivationCode>>()>;

// The caller's employee and department names for WhoAmI.
struct AccountNames {
  std::string display_name;
  std::string department_name;
};

// Thread-safe.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // NotFound if there is no such account.
  virtual absl::StatusOr<SignInRecord> GetSignIn(const std::string& name) = 0;

  // One more failed sign-in at `now` (domain::AfterFailure), under the
  // row's lock; when it locks the account, "account.lock" is recorded in
  // the same transaction. Returns the new state. NotFound if unknown.
  virtual absl::StatusOr<domain::LockState> RecordFailure(
      const std::string& name, int64_t now,
      const domain::LockoutPolicy& policy) = 0;

  // A successful sign-in: under the row's lock, refuses (FailedPrecondition
  // "account locked") if a lock arrived meanwhile and (Unauthenticated) if
  // the password hash changed since it was verified; otherwise clears the
  // failures, stores `session` and records "session.signin".
  virtual absl::Status StartSession(const NewSession& session,
                                    const std::string& verified_hash,
                                    int64_t now) = 0;

  // First sign-in: if the account's activation code is `code` and has not
  // expired at `now`, sets `new_hash`, clears the code and the failures,
  // stores `session` and records "account.activate". Unauthenticated if
  // the code does not match (or none, or the account is unknown or
  // inactive); FailedPrecondition "account locked" if locked.
  virtual absl::Status Activate(const std::string& name, const SecretHmac& code,
                                const std::string& new_hash,
                                const NewSession& session, int64_t now) = 0;

  // Sets the new hash and ends the account's other live sessions at `now`;
  // records "account.password". Unauthenticated if the hash changed since.
  virtual absl::Status ChangePassword(const PasswordChange& change, int64_t now,
                                      const AuditActor& actor) = 0;

  // Clears the password, stores `code`, clears the lock, ends every live
  // session at `now`; records "account.reset". NotFound if unknown.
  virtual absl::Status ResetPassword(const std::string& name,
                                     const ActivationCode& code, int64_t now,
                                     const AuditActor& actor) = 0;

  // In one transaction: an account (name = employee number, follows_org)
  // with a code from `issue` for every active employee without one (no
  // account linked to it and none of its name); with `reissue`, a new code
  // for every follows_org account not yet activated. Returns one row per
  // active employee, ordered by employee number; records "account.org".
  virtual absl::StatusOr<std::vector<OrgAccountRow>> CreateOrganisationAccounts(
      bool reissue, const CodeIssuer& issue, int64_t now,
      const AuditActor& actor) = 0;

  // NotFound if unknown.
  virtual absl::StatusOr<SessionCredential> GetSession(
      const std::string& session_id) = 0;
  // Moves last_seen to `now` if it is at least `min_step` seconds older
  // (so a busy console writes once a minute, not at every call).
  virtual absl::Status TouchSession(const std::string& session_id, int64_t now,
                                    int64_t min_step) = 0;
  // Ends a live session at `now` and records `action` ("session.signout",
  // "session.revoke"); an ended one is left as it is, unrecorded. NotFound
  // if unknown.
  virtual absl::StatusOr<SessionInfo> EndSession(const std::string& session_id,
                                                 int64_t now,
                                                 const std::string& action,
                                                 const AuditActor& actor) = 0;
  // Newest first; `account_name` "" = all; at most `limit`.
  virtual absl::StatusOr<std::vector<SessionInfo>> ListSessions(
      const std::string& account_name, bool include_ended, int limit) = 0;

  virtual absl::StatusOr<AccountNames> NamesOf(
      const std::string& employee_no, const std::string& department_code) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_ACCOUNT_STORE_H_
