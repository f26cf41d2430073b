// DatabaseProbe on its own connection (outside the pool, so an exhausted
// pool does not read as a dead database).
#ifndef SURVEY_STORE_MYSQL_PROBE_H_
#define SURVEY_STORE_MYSQL_PROBE_H_

#include <memory>

#include "store/database.h"
#include "store/db_url.h"

namespace sql {
class Connection;
}

namespace survey::store::mysql {

class MysqlProbe : public DatabaseProbe {
 public:
  explicit MysqlProbe(DbConfig config);
  ~MysqlProbe() override;
  absl::Status Ping() override;

 private:
  DbConfig config_;
  std::unique_ptr<sql::Connection> connection_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_PROBE_H_
