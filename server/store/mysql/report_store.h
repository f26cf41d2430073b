// ReportStore on MariaDB.
#ifndef SURVEY_STORE_MYSQL_REPORT_STORE_H_
#define SURVEY_STORE_MYSQL_REPORT_STORE_H_

#include "store/mysql/connection_pool.h"
#include "store/mysql/read_routing.h"
#include "store/report_store.h"

namespace survey::store::mysql {

class MysqlReportStore final : public ReportStore {
 public:
  explicit MysqlReportStore(ConnectionPool* pool) : pool_(pool) {}
  // Reads from wherever `routing` says at each call (a replica that has
  // caught up, else the primary). `routing` must outlive this store.
  explicit MysqlReportStore(ReadRouting* routing) : routing_(routing) {}

  absl::StatusOr<std::vector<CampaignInfo>> Campaigns(
      domain::CampaignKind kind, domain::Period first,
      domain::Period last) override;
  absl::StatusOr<std::vector<CampaignInfo>> CampaignsById(
      const std::string& id_or_empty) override;
  absl::StatusOr<std::vector<AggregateRow>> Aggregates(
      const CellFilter& filter) override;
  absl::StatusOr<std::vector<IssuedRow>> Issued(const CellFilter& filter) override;
  absl::StatusOr<std::vector<TextRow>> Texts(const CellFilter& filter) override;
  absl::StatusOr<std::vector<MemberRow>> Members(const MemberFilter& filter) override;
  absl::Status ForEachResponse(
      const std::string& campaign_id, int page,
      const std::function<absl::Status(const ResponseRow&)>& row) override;

 private:
  // The aggregate rows of campaigns whose figures are built.
  absl::StatusOr<std::vector<AggregateRow>> StoredAggregates(const CellFilter& filter);

  // Where this call reads: the routing's choice, else `pool_`.
  ConnectionPool& Pool() { return routing_ != nullptr ? routing_->ForRead() : *pool_; }

  ConnectionPool* pool_ = nullptr;
  ReadRouting* routing_ = nullptr;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_REPORT_STORE_H_
