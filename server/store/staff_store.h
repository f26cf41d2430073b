// Staff accounts and their API keys (sql/004_staff_audit.sql). Every
// change is recorded in the audit log in the same transaction. One real
// implementation: store/mysql/staff_store.h.
#ifndef SURVEY_STORE_STAFF_STORE_H_
#define SURVEY_STORE_STAFF_STORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/audit_store.h"

namespace survey::store {

enum class StaffRole { kAdmin, kHr, kManager, kEmployee };

// "admin" | "hr" | "manager" | "employee" (the ENUM of staff_account.role).
inline std::string_view StaffRoleName(StaffRole role) {
  switch (role) {
    case StaffRole::kAdmin:
      return "admin";
    case StaffRole::kHr:
      return "hr";
    case StaffRole::kManager:
      return "manager";
    case StaffRole::kEmployee:
      return "employee";
  }
  return "employee";
}

inline std::optional<StaffRole> ParseStaffRole(std::string_view word) {
  for (StaffRole r : {StaffRole::kAdmin, StaffRole::kHr, StaffRole::kManager,
                      StaffRole::kEmployee}) {
    if (StaffRoleName(r) == word) return r;
  }
  return std::nullopt;
}

struct StaffAccount {
  std::string name;  // login name = client certificate CN
  StaffRole role = StaffRole::kEmployee;
  std::string department_code;  // kManager only
  // The account's own employee record ("" = none): required for kEmployee;
  // for kManager the department's named manager unless set; optional for
  // the others. Nobody reviews the sheet of their own employee record.
  std::string employee_no;
  bool active = true;
};

// HMAC-SHA256(pepper, "apikey:" + key): the only trace of a key that is
// stored. Same type as crypto::Sha256Digest.
using ApiKeyHmac = std::array<uint8_t, 32>;

struct ApiKeyInfo {
  std::string key_id;
  std::string account_name;
  int64_t created_at = 0;  // unix seconds
  int64_t expires_at = 0;
  int64_t revoked_at = 0;  // 0 = not revoked
  std::string created_by;  // principal name of the creator
};

struct NewApiKey {
  ApiKeyInfo info;  // revoked_at ignored
  ApiKeyHmac key_hmac{};
};

// What authentication needs: the key and the account it belongs to.
struct ApiKeyCredential {
  ApiKeyInfo info;
  ApiKeyHmac key_hmac{};
  StaffAccount account;
};

struct UpsertOutcome {
  bool created = false;
  std::optional<StaffAccount> before;
  StaffAccount after;  // as stored (a manager's employee link filled in)
};

// Thread-safe.
class StaffStore {
 public:
  virtual ~StaffStore() = default;

  // Creates or replaces `account` and records "staff.upsert" (target
  // "staff:<name>", before/after as JSON) by `actor`, in one transaction.
  // The caller validates the fields' shape; this checks, under locks, that
  // a manager's department and a linked employee number exist
  // (InvalidArgument naming the field otherwise), links a manager without
  // an employee number to the department's named manager, and refuses
  // (FailedPrecondition) to demote or deactivate the last active admin.
  virtual absl::StatusOr<UpsertOutcome> UpsertAccount(
      const StaffAccount& account, const AuditActor& actor) = 0;

  // NotFound if unknown.
  virtual absl::StatusOr<StaffAccount> GetAccount(const std::string& name) = 0;
  // Ordered by name.
  virtual absl::StatusOr<std::vector<StaffAccount>> ListAccounts() = 0;

  // Stores `key` and records "apikey.create" (target "apikey:<key_id>", no
  // secret) in one transaction. NotFound if the account is unknown;
  // FailedPrecondition if it is inactive; AlreadyExists if the key id is
  // taken (only with a broken random source).
  virtual absl::Status CreateApiKey(const NewApiKey& key,
                                    const AuditActor& actor) = 0;

  // Marks the key revoked at `now` (unix seconds) and records
  // "apikey.revoke", in one transaction; a key already revoked is left as
  // it is and nothing is recorded. NotFound if unknown. Returns the key.
  virtual absl::StatusOr<ApiKeyInfo> RevokeApiKey(const std::string& key_id,
                                                  int64_t now,
                                                  const AuditActor& actor) = 0;

  // Keys of `account_name` ("" = all), ordered by account, then creation.
  virtual absl::StatusOr<std::vector<ApiKeyInfo>> ListApiKeys(
      const std::string& account_name) = 0;

  // NotFound if the key id is unknown.
  virtual absl::StatusOr<ApiKeyCredential> GetApiKeyCredential(
      const std::string& key_id) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_STAFF_STORE_H_
