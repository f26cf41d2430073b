// TemplateStore, CampaignStore and InvitationStore on MariaDB.
#ifndef SURVEY_STORE_MYSQL_SURVEY_STORE_H_
#define SURVEY_STORE_MYSQL_SURVEY_STORE_H_

#include "store/mysql/connection_pool.h"
#include "store/survey_store.h"

namespace survey::store::mysql {

// Each store: `pool` must outlive it. Thread-safe.
class MysqlTemplateStore : public TemplateStore {
 public:
  explicit MysqlTemplateStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<int> Create(const domain::Template& t,
                             const ChangeAudit& audit) override;
  absl::StatusOr<StoredTemplate> Get(const std::string& key,
                                     int version) override;
  absl::StatusOr<std::vector<StoredTemplate>> List() override;
  absl::Status EnsureDefault(const domain::Template& t) override;

 private:
  ConnectionPool* pool_;
};

class MysqlCampaignStore : public CampaignStore {
 public:
  explicit MysqlCampaignStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<CampaignRecord> Create(const domain::Campaign& c,
                                        const ChangeAudit& audit) override;
  absl::StatusOr<CampaignRecord> Get(const std::string& id) override;
  absl::StatusOr<std::vector<CampaignRecord>> List(
      const CampaignFilter& filter) override;
  absl::StatusOr<CampaignRecord> Transition(const std::string& id,
                                            domain::CampaignState to,
                                            const ChangeAudit& audit) override;

 private:
  ConnectionPool* pool_;
};

class MysqlInvitationStore : public InvitationStore {
 public:
  explicit MysqlInvitationStore(ConnectionPool* pool) : pool_(pool) {}

  absl::Status Insert(const std::string& campaign_id,
                      const std::vector<NewInvitation>& invitations,
                      const ChangeAudit& audit) override;
  absl::StatusOr<RevokeCounts> Revoke(const std::vector<TokenHmac>& hmacs,
                                      const ChangeAudit& audit) override;
  absl::StatusOr<InvitationView> FindByTokenHmac(
      const TokenHmac& hmac) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_SURVEY_STORE_H_
