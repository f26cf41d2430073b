// ResponseStore on MariaDB: the group-commit transaction of DESIGN §3.
#ifndef SURVEY_STORE_MYSQL_RESPONSE_STORE_H_
#define SURVEY_STORE_MYSQL_RESPONSE_STORE_H_

#include "crypto/random.h"
#include "store/mysql/connection_pool.h"
#include "store/response_store.h"

namespace survey::store::mysql {

class MysqlResponseStore : public ResponseStore {
 public:
  // All three must outlive the store. `random` gives response ids and the
  // shuffle; if it fails, the batch fails closed (nothing written).
  MysqlResponseStore(ConnectionPool* pool, TemplateResolver templates,
                     crypto::RandomSource* random)
      : pool_(pool), templates_(std::move(templates)), random_(random) {}

  absl::StatusOr<std::vector<absl::Status>> SubmitBatch(
      std::span<const SubmitItem> items, int64_t now_unix) override;

 private:
  ConnectionPool* pool_;
  TemplateResolver templates_;
  crypto::RandomSource* random_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_RESPONSE_STORE_H_
