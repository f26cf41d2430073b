// Staff identities and the role checks of every staff RPC.
//
// Authenticator::Authenticate is the one place that decides who calls a
// staff RPC, from (first match wins):
//   1. the development-only metadata header
//        x-survey-dev-principal: admin | hr | manager:<department> |
//        employee:<no>
//      honoured only when the server runs with --insecure (ignored
//      otherwise, as if absent);
//   2. an API key: metadata "authorization: Bearer ssk_<key_id>_<secret>",
//      created by an admin (AdminService.CreateApiKey), stored only as
//      HMAC-SHA256(pepper, "apikey:" + key), with expiry and revocation;
//   3. a console session: "authorization: Bearer sss_<session_id>_<secret>"
//      from AccountService.SignIn (api/session_token.h), refused once
//      ended, expired or idle;
//   4. a client certificate the server verified against --tls-client-ca:
//      its subject CN is the staff account name.
// The account must exist and be active; its role (and department or
// employee number) is read at every call, so a change or deactivation takes
// effect at once. Anything else is UNAUTHENTICATED; an address that keeps
// failing is answered RESOURCE_EXHAUSTED for a while (AbuseLimiter's staff
// bucket) without its credential being looked at.
#ifndef SURVEY_API_AUTH_H_
#define SURVEY_API_AUTH_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "api/session_token.h"
#include "store/staff_store.h"

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace survey::api {

class AbuseLimiter;

enum class Role { kAdmin, kHr, kManager, kEmployee };

struct Principal {
  Role role;
  std::string department_code;  // kManager: the department managed
  // kEmployee: the employee; other roles: the account's own employee
  // record if linked ("" otherwise), so nobody reviews their own sheet.
  std::string employee_no;
  std::string name;             // for audit and logs
  // How the caller signed in: "dev", "api_key", "session", "certificate".
  // (Default member initializers keep older aggregate initialisations
  // free of -Wmissing-field-initializers.)
  std::string credential = {};
  std::string session_id = {};     // sessions only
  int64_t session_expires_at = 0;  // sessions only (unix seconds)
};

// "admin" | "hr" | "manager" | "employee".
std::string_view RoleName(Role role);

inline constexpr char kDevPrincipalHeader[] = "x-survey-dev-principal";
inline constexpr char kAuthorizationHeader[] = "authorization";

// Parses the dev header value. InvalidArgument on anything else.
absl::StatusOr<Principal> ParseDevPrincipal(std::string_view value);

// ---- API keys ----
//
// A key is "ssk_" + key_id (16 lower-case hex digits, 64 random bits, the
// public handle shown in listings) + "_" + secret (a 26-character base32
// token, 128 random bits).
inline constexpr char kApiKeyPrefix[] = "ssk_";

struct GeneratedApiKey {
  std::string key_id;
  std::string key;  // the whole bearer key, shown once
  store::ApiKeyHmac hmac{};
};

// A fresh key from `random`, or the error of random.Fill() (never a weak
// key).
absl::StatusOr<GeneratedApiKey> GenerateApiKey(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher);
// What is stored for `key`: HMAC-SHA256(pepper, "apikey:" + key).
store::ApiKeyHmac ApiKeyHmacOf(const crypto::TokenHasher& hasher,
                               std::string_view key);
// The key id of a well-formed key; InvalidArgument otherwise (the message
// never repeats the input).
absl::StatusOr<std::string> ParseApiKeyId(std::string_view key);

// The principal an active account authenticates as.
Principal PrincipalOf(const store::StaffAccount& account);

class Authenticator {
 public:
  // Development identities only (no staff store): every real credential is
  // refused. For tests of role checks.
  explicit Authenticator(bool allow_dev_header)
      : allow_dev_header_(allow_dev_header) {}
  // Real credentials. `staff` and `hasher` must outlive this; `limiter` may
  // be null (no per-address limit); `now_unix` gives unix seconds.
  Authenticator(bool allow_dev_header, store::StaffStore* staff,
                const crypto::TokenHasher* hasher, AbuseLimiter* limiter,
                std::function<int64_t()> now_unix);

  // Also accept console sessions from `sessions` (must outlive this).
  // Call before serving.
  void SetSessions(store::AccountStore* sessions, SessionPolicy policy) {
    sessions_ = sessions;
    session_policy_ = policy;
  }

  // Unauthenticated if no usable identity is present; ResourceExhausted if
  // the caller's address failed too often; Unavailable if the database
  // cannot be asked.
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& ctx) const;

 private:
  absl::StatusOr<Principal> FromApiKey(std::string_view header) const;
  absl::StatusOr<Principal> FromCertificate(const std::string& cn) const;
  absl::StatusOr<Principal> FromSession(std::string_view token) const;

  bool allow_dev_header_;
  store::StaffStore* staff_ = nullptr;
  const crypto::TokenHasher* hasher_ = nullptr;
  AbuseLimiter* limiter_ = nullptr;
  std::function<int64_t()> now_unix_;
  store::AccountStore* sessions_ = nullptr;
  SessionPolicy session_policy_;
};

// Staff account names (= certificate CNs): 1..64 of [A-Za-z0-9 ._@-],
// starting with a letter or digit, not ending with a space. OK or
// InvalidArgument "<field>: ...".
inline constexpr size_t kMaxAccountNameLength = 64;
absl::Status ValidateAccountName(std::string_view field, std::string_view name);

// PermissionDenied unless `p` is HR or admin.
absl::Status RequireHrOrAdmin(const Principal& p);
// PermissionDenied unless `p` is an admin.
absl::Status RequireAdmin(const Principal& p);
// PermissionDenied unless `p` may see the organisation data of department
// `code` (HR/admin: any; manager: their own).
absl::Status RequireDepartmentScope(const Principal& p, std::string_view code);

}  // namespace survey::api

#endif  // SURVEY_API_AUTH_H_
