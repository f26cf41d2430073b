// RetentionStore on MariaDB. SQL: the constants at the top of
// retention_store.cc (this store's few statements).
#ifndef SURVEY_STORE_MYSQL_RETENTION_STORE_H_
#define SURVEY_STORE_MYSQL_RETENTION_STORE_H_

#include "store/mysql/connection_pool.h"
#include "store/retention_store.h"

namespace survey::store::mysql {

class MysqlRetentionStore : public RetentionStore {
 public:
  // `pool` must outlive this store. `chunk`: rows deleted per transaction.
  explicit MysqlRetentionStore(ConnectionPool* pool, int chunk = 10000)
      : pool_(pool), chunk_(chunk) {}

  absl::StatusOr<std::vector<ClosedCampaign>> ClosedCampaigns() override;
  absl::StatusOr<int64_t> RemoveResponses(const std::string& id, int64_t now_unix,
                                          const ChangeAudit& audit) override;

 private:
  ConnectionPool* pool_;
  int chunk_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_RETENTION_STORE_H_
