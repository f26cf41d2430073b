// StaffStore on MariaDB; every change is audited through `audit` inside
// its own transaction.
#ifndef SURVEY_STORE_MYSQL_STAFF_STORE_H_
#define SURVEY_STORE_MYSQL_STAFF_STORE_H_

#include "store/mysql/audit_store.h"
#include "store/mysql/connection_pool.h"
#include "store/staff_store.h"

namespace survey::store::mysql {

class MysqlStaffStore : public StaffStore {
 public:
  // `pool` and `audit` must outlive this store.
  MysqlStaffStore(ConnectionPool* pool, MysqlAuditStore* audit)
      : pool_(pool), audit_(audit) {}

  absl::StatusOr<UpsertOutcome> UpsertAccount(const StaffAccount& account,
                                              const AuditActor& actor) override;
  absl::StatusOr<StaffAccount> GetAccount(const std::string& name) override;
  absl::StatusOr<std::vector<StaffAccount>> ListAccounts() override;
  absl::Status CreateApiKey(const NewApiKey& key,
                            const AuditActor& actor) override;
  absl::StatusOr<ApiKeyInfo> RevokeApiKey(const std::string& key_id,
                                          int64_t now,
                                          const AuditActor& actor) override;
  absl::StatusOr<std::vector<ApiKeyInfo>> ListApiKeys(
      const std::string& account_name) override;
  absl::StatusOr<ApiKeyCredential> GetApiKeyCredential(
      const std::string& key_id) override;

 private:
  ConnectionPool* pool_;
  MysqlAuditStore* audit_;
};

// The JSON the audit log records for an account / a key (never a secret).
std::string StaffAccountJson(const StaffAccount& a);
std::string ApiKeyJson(const ApiKeyInfo& k);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_STAFF_STORE_H_
