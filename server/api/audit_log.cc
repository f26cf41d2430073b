#include "api/audit_log.h"

namespace survey::api {

store::AuditActor AuditActorOf(const Principal& p) {
  return store::AuditActor{p.name, std::string(RoleName(p.role))};
}

store::AuditEntry AuditLog::Entry(const Principal& p, std::string_view action,
                                  std::string_view target,
                                  std::string_view before_json,
                                  std::string_view after_json) {
  store::AuditEntry e;
  e.actor = AuditActorOf(p);
  e.action = std::string(action);
  e.target = std::string(target);
  e.before_json = std::string(before_json);
  e.after_json = std::string(after_json);
  return e;
}

absl::Status AuditLog::Record(const Principal& p, std::string_view action,
                              std::string_view target,
                              std::string_view before_json,
                              std::string_view after_json) const {
  return store_->Record(Entry(p, action, target, before_json, after_json))
      .status();
}

}  // namespace survey::api
