// ReportStore on MariaDB.
#ifndef SURVEY_STORE_MYSQL_REPORT_STORE_H_
#define SURVEY_STORE_MYSQL_REPORT_STORE_H_

#include "store/mysql/connection_pool.h"
#include "store/report_store.h"

namespace survey::store::mysql {

class MysqlReportStore final : public ReportStore {
 public:
  explicit MysqlReportStore(ConnectionPool* pool) : pool_(pool) {}

 private:
  ConnectionPool* pool_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_REPORT_STORE_H_
