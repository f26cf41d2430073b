// AuditStore on MariaDB, and the append other MySQL stores call inside
// their own transactions:
//
//   RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
//     ... the change ...
//     absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
//     if (!seq.ok()) return seq.status();  // rolls the change back too
//     return absl::OkStatus();
//   });
//
// Append last in the transaction: the chain head row is then locked only
// for the rest of the transaction, and the lock order is always "the
// change's rows, then the head" (a deadlock would be retried anyway).
#ifndef SURVEY_STORE_MYSQL_AUDIT_STORE_H_
#define SURVEY_STORE_MYSQL_AUDIT_STORE_H_

#include <functional>
#include <span>

#include "store/audit_store.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

class MysqlAuditStore : public AuditStore {
 public:
  // `pool` must outlive this store. `sha256` is crypto::Sha256; `seal` is
  // HMAC-SHA256 under the server's pepper (see domain/audit_chain.h);
  // `now_micros` gives unix microseconds.
  MysqlAuditStore(ConnectionPool* pool, domain::AuditDigestFunction sha256,
                  domain::AuditDigestFunction seal,
                  std::function<int64_t()> now_micros);

  absl::StatusOr<int64_t> Record(const AuditEntry& entry) override;
  absl::StatusOr<std::vector<domain::AuditRecord>> List(
      const AuditFilter& filter) override;
  absl::StatusOr<domain::AuditVerdict> Verify(
      const std::optional<domain::AuditAnchor>& anchor) override;

  // Appends `entry` inside the transaction open on `c` and returns its
  // seq. InvalidArgument (nothing written) if the entry may not be
  // recorded: return it from the transaction body so the change is rolled
  // back with it. SQL errors are thrown as sql::SQLException, like every
  // other statement of the body (RunInTransaction handles them).
  absl::StatusOr<int64_t> AppendInTransaction(sql::Connection& c,
                                              const AuditEntry& entry);
  // The same for several entries, chained in their order, with one lock of
  // the chain head, one INSERT and one move of the head (a push of 200
  // sheets appended them one by one in 600 statements). Returns the last
  // seq (0 when `entries` is empty). All or none are valid.
  absl::StatusOr<int64_t> AppendAllInTransaction(sql::Connection& c,
                                                 std::span<const AuditEntry> entries);

  // `audit.log` as the MySQL log that can append inside another store's
  // transaction; FailedPrecondition if it is absent or of another kind
  // (then the change must not be made: it could not be recorded).
  static absl::StatusOr<MysqlAuditStore*> Of(const ChangeAudit& audit);

 private:
  ConnectionPool* pool_;
  domain::AuditDigestFunction sha256_;
  domain::AuditDigestFunction seal_;
  std::function<int64_t()> now_micros_;
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_AUDIT_STORE_H_
