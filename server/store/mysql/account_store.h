// AccountStore on MariaDB (sql/011_accounts.sql); every change appends its
// audit record through `audit` inside its own transaction.
#ifndef SURVEY_STORE_MYSQL_ACCOUNT_STORE_H_
#define SURVEY_STORE_MYSQL_ACCOUNT_STORE_H_

#include <cppconn/connection.h>
#include <cppconn/resultset.h>

#include "store/account_store.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

class MysqlAccountStore : public AccountStore {
 public:
  // `pool` and `audit` must outlive this store.
  MysqlAccountStore(ConnectionPool* pool, MysqlAuditStore* audit)
      : pool_(pool), audit_(audit) {}

  absl::StatusOr<SignInRecord> GetSignIn(const std::string& name) override;
  absl::StatusOr<domain::LockState> RecordFailure(
      const std::string& name, int64_t now,
      const domain::LockoutPolicy& policy) override;
  absl::Status StartSession(const NewSession& session,
                            const std::string& verified_hash,
                            int64_t now) override;
  absl::Status Activate(const std::string& name, const SecretHmac& code,
                        const std::string& new_hash, const NewSession& session,
                        int64_t now) override;
  absl::Status ChangePassword(const PasswordChange& change, int64_t now,
                              const AuditActor& actor) override;
  absl::Status ResetPassword(const std::string& name,
                             const ActivationCode& code, int64_t now,
                             const AuditActor& actor) override;
  absl::StatusOr<std::vector<OrgAccountRow>> CreateOrganisationAccounts(
      bool reissue, const CodeIssuer& issue, int64_t now,
      const AuditActor& actor) override;
  absl::StatusOr<SessionCredential> GetSession(
      const std::string& session_id) override;
  absl::Status TouchSession(const std::string& session_id, int64_t now,
                            int64_t min_step) override;
  absl::StatusOr<SessionInfo> EndSession(const std::string& session_id,
                                         int64_t now, const std::string& action,
                                         const AuditActor& actor) override;
  absl::StatusOr<std::vector<SessionInfo>> ListSessions(
      const std::string& account_name, bool include_ended, int limit) override;
  absl::StatusOr<AccountNames> NamesOf(
      const std::string& employee_no,
      const std::string& department_code) override;

 private:
  ConnectionPool* pool_;
  MysqlAuditStore* audit_;
};

// Shared by the two files of the implementation.
namespace account_internal {
// Columns of SURVEY_ACCOUNT_COLUMNS from `first`.
StaffAccount ReadEffectiveAccount(sql::ResultSet& rs, int first);
// Columns: session_id, account_name, created_at, expires_at, last_seen,
// ended_at, client_address.
SessionInfo ReadSession(sql::ResultSet& rs);
std::string Hex(const SecretHmac& h);
// Inserts the session row (the account row is locked by the caller).
void InsertSession(sql::Connection& c, const NewSession& s);
// The JSON the audit log records for a session (never its token).
std::string SessionJson(const SessionInfo& s);
}  // namespace account_internal

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_ACCOUNT_STORE_H_
