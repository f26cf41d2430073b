// AppraisalStore on MariaDB (sql/006_appraisal.sql). Every write is one
// RunInTransaction that also appends the audit entry (MysqlAuditStore::
// AppendInTransaction) and, for sheets, the change record.
#ifndef SURVEY_STORE_MYSQL_APPRAISAL_STORE_H_
#define SURVEY_STORE_MYSQL_APPRAISAL_STORE_H_

#include "store/appraisal_store.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

class MysqlAppraisalStore final : public AppraisalStore {
 public:
  // `pool` and `audit` must outlive this store.
  MysqlAppraisalStore(ConnectionPool* pool, MysqlAuditStore* audit)
      : pool_(pool), audit_(audit) {}

  absl::StatusOr<ConfigRow> GetConfig(domain::Period period) override;
  absl::StatusOr<bool> SetConfig(domain::Period period, const std::string& json,
                                 const AuditActor& actor) override;
  absl::StatusOr<StoredSheet> GetSheet(const std::string& employee_no,
                                       domain::Period period) override;
  absl::StatusOr<std::vector<StoredSheet>> ListSheets(
      domain::Period period, const std::string& department_code) override;
  absl::StatusOr<SheetWrite> UpdateSheet(
      const StoredSheet& fresh, const AuditActor& actor, std::string_view action,
      const std::function<absl::Status(StoredSheet&)>& mutate) override;
  absl::StatusOr<std::vector<SheetWrite>> UpdateSheets(
      std::span<const SheetUpdate> updates, const AuditActor& actor,
      std::string_view action) override;
  absl::StatusOr<std::vector<StoredChange>> SheetHistory(
      const std::string& employee_no, domain::Period period) override;
  absl::StatusOr<StoredDepartmentAppraisal> GetDepartmentAppraisal(
      const std::string& department_code, domain::Period period) override;
  absl::StatusOr<DepartmentWrite> UpdateDepartmentAppraisal(
      const std::string& department_code, domain::Period period,
      const AuditActor& actor, std::string_view action,
      const std::function<absl::Status(StoredDepartmentAppraisal&)>& mutate)
      override;
  absl::StatusOr<std::vector<StoredSheet>> ListSheetsBetween(
      domain::Period first, domain::Period last,
      const std::string& department_code, const std::string& employee_no) override;
  absl::StatusOr<StoredCalendar> GetCalendar() override;
  absl::StatusOr<bool> SetCalendarYear(int year, const StoredCalendar& days,
                                       const AuditActor& actor) override;
  absl::StatusOr<int> SetPayProfiles(const std::vector<StoredPayProfile>& profiles,
                                     const AuditActor& actor) override;
  absl::StatusOr<std::vector<StoredPayProfile>> PayProfilesInForce(
      domain::Period period, const std::string& department_code) override;
  absl::StatusOr<StoredAppeal> FileAppeal(
      const StoredAppeal& appeal, const AuditActor& actor,
      const std::function<absl::Status(const StoredSheet&, StoredAppeal&)>& check) override;
  absl::StatusOr<StoredAppeal> ResolveAppeal(
      int64_t id, const AuditActor& actor,
      const std::function<absl::Status(StoredAppeal&, StoredSheet&)>& decide)
      override;
  absl::StatusOr<std::vector<StoredAppeal>> ListAppeals(
      const AppealFilter& filter) override;
  absl::Status ReplaceGrading(const StoredGrading& grading,
                              const AuditActor& actor) override;
  absl::StatusOr<StoredGrading> GetGrading(
      int year, const std::string& department_code) override;

 private:
  ConnectionPool* pool_;
  MysqlAuditStore* audit_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_APPRAISAL_STORE_H_
