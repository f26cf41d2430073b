// The audit log of staff actions (sql/004_staff_audit.sql,
// domain/audit_chain.h). One real implementation:
// store/mysql/audit_store.h, which can also append inside another store's
// transaction so that a change and its record commit together.
#ifndef SURVEY_STORE_AUDIT_STORE_H_
#define SURVEY_STORE_AUDIT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/audit_chain.h"

namespace survey::store {

// Who did it, in the words of the audit log (api::Principal is converted
// by api/audit_log.h).
struct AuditActor {
  std::string name;  // account name, or "dev:..." / "system:..."
  std::string role;  // admin | hr | manager | employee | system
};

class AuditStore;

// What to record; seq, time and hashes are assigned by the store.
struct AuditEntry {
  AuditActor actor;
  std::string action;       // e.g. "report.read"
  std::string target;       // e.g. "employee:E0001"
  std::string before_json;  // JSON text or ""
  std::string after_json;   // JSON text or ""
};

// The log and the actor of a change that a store records inside the
// change's own transaction (with MySQL: MysqlAuditStore::AppendInTransaction
// on the change's connection, so both commit or neither does).
struct ChangeAudit {
  AuditStore* log = nullptr;
  AuditActor actor;
};

struct AuditFilter {
  std::string action;     // "" = every action
  int64_t after_seq = 0;  // ascending: seq > after_seq
  int64_t before_seq =
      0;  // descending (newest_first): seq < before_seq; 0 = no bound
  bool newest_first = false;
  int limit = 100;
};

// Thread-safe.
class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `entry` in a transaction of its own (for actions that change
  // nothing else, such as reading a report). InvalidArgument (naming the
  // field) if the entry may not be recorded (domain::ValidateAuditEntry);
  // Unavailable if the database is unreachable. Returns the seq.
  virtual absl::StatusOr<int64_t> Record(const AuditEntry& entry) = 0;

  // Records matching `filter`, ordered by seq.
  virtual absl::StatusOr<std::vector<domain::AuditRecord>> List(
      const AuditFilter& filter) = 0;

  // Re-hashes the whole chain in one consistent snapshot and compares it
  // with the stored hashes, seals and chain head (and `anchor`, if given).
  virtual absl::StatusOr<domain::AuditVerdict> Verify(
      const std::optional<domain::AuditAnchor>& anchor) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_AUDIT_STORE_H_
