// Recording staff actions in the audit log, from the API layer.
//
// Standalone (the action changes nothing else, e.g. a report read):
//   if (absl::Status s = audit_log->Record(*principal, "report.read",
//           "employee:E0001", "", R"({"period":"2026-05"})"); !s.ok()) {
//     return ToGrpcStatus(s);  // fail closed: no record, no report
//   }
// Inside the transaction of a change (so both commit or neither does): a
// store method takes a store::AuditEntry built by AuditLog::Entry(...) and
// appends it with store::mysql::MysqlAuditStore::AppendInTransaction on its
// own connection, as the last statement of its transaction.
//
// Respondents (RespondService) are never recorded.
#ifndef SURVEY_API_AUDIT_LOG_H_
#define SURVEY_API_AUDIT_LOG_H_

#include <string_view>

#include "absl/status/status.h"
#include "api/auth.h"
#include "store/audit_store.h"

namespace survey::api {

// The principal as the audit log names it.
store::AuditActor AuditActorOf(const Principal& p);

class AuditLog {
 public:
  // `store` must outlive this. Thread-safe.
  explicit AuditLog(store::AuditStore* store) : store_(store) {}

  // Appends one record in a transaction of its own. InvalidArgument naming
  // the field if it may not be recorded (domain::ValidateAuditEntry: action
  // [a-z0-9_.-]{1,64}, target <= 255 bytes, before/after "" or JSON);
  // Unavailable if the database is unreachable.
  absl::Status Record(const Principal& p, std::string_view action,
                      std::string_view target, std::string_view before_json,
                      std::string_view after_json) const;

  // The entry for a store that records inside its own transaction.
  static store::AuditEntry Entry(const Principal& p, std::string_view action,
                                 std::string_view target,
                                 std::string_view before_json,
                                 std::string_view after_json);

  store::AuditStore* store() const { return store_; }

 private:
  store::AuditStore* store_;
};

}  // namespace survey::api

#endif  // SURVEY_API_AUDIT_LOG_H_
