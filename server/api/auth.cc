#include "api/auth.h"

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/abuse_limiter.h"
#include "api/client_peer.h"

namespace survey::api {
namespace {

constexpr size_t kKeyIdHexDigits = 16;
constexpr char kCommonNameProperty[] = "x509_common_name";

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// The only metadata value of `key`, or nullopt if absent. More than one is
// an error (ambiguous identity).
absl::StatusOr<std::optional<std::string_view>> SingleHeader(
    const grpc::ServerContextBase& ctx, const char* key) {
  auto [begin, end] = ctx.client_metadata().equal_range(key);
  if (begin == end) return std::optional<std::string_view>();
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError(
        absl::StrCat("more than one ", key, " header"));
  }
  return std::optional<std::string_view>(
      std::string_view(begin->second.data(), begin->second.size()));
}

// The CN of a client certificate the TLS layer verified, if any.
std::optional<std::string> VerifiedCommonName(
    const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return std::nullopt;
  std::vector<grpc::string_ref> cns =
      auth->FindPropertyValues(kCommonNameProperty);
  if (cns.size() != 1) return std::nullopt;
  return std::string(cns[0].data(), cns[0].size());
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kHr:
      return "hr";
    case Role::kManager:
      return "manager";
    case Role::kEmployee:
      return "employee";
  }
  return "employee";
}

absl::StatusOr<Principal> ParseDevPrincipal(std::string_view value) {
  size_t colon = value.find(':');
  std::string_view role = value.substr(0, colon);
  std::string_view scope = colon == std::string_view::npos
                               ? std::string_view()
                               : value.substr(colon + 1);
  std::pair<std::string_view, std::string_view> parts{role, scope};
  Principal p;
  p.name = absl::StrCat("dev:", std::string(value));
  if (parts.first == "admin" && parts.second.empty()) {
    p.role = Role::kAdmin;
  } else if (parts.first == "hr" && parts.second.empty()) {
    p.role = Role::kHr;
  } else if (parts.first == "manager" && !parts.second.empty()) {
    p.role = Role::kManager;
    p.department_code = std::string(parts.second);
  } else if (parts.first == "employee" && !parts.second.empty()) {
    p.role = Role::kEmployee;
    p.employee_no = std::string(parts.second);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        kDevPrincipalHeader,
        ": expected admin, hr, manager:<department> or employee:<number>"));
  }
  return p;
}

absl::StatusOr<GeneratedApiKey> GenerateApiKey(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher) {
  uint8_t id[kKeyIdHexDigits / 2];
  if (absl::Status s = random.Fill(id, sizeof id); !s.ok()) return s;
  absl::StatusOr<std::string> secret = crypto::GenerateToken(random);
  if (!secret.ok()) return secret.status();
  GeneratedApiKey out;
  out.key_id = crypto::ToHex(absl::MakeConstSpan(id, sizeof id));
  out.key = absl::StrCat(kApiKeyPrefix, out.key_id, "_", *secret);
  out.hmac = ApiKeyHmacOf(hasher, out.key);
  return out;
}

store::ApiKeyHmac ApiKeyHmacOf(const crypto::TokenHasher& hasher,
                               std::string_view key) {
  std::string input = "apikey:";
  input.append(key.data(), key.size());
  return hasher.Hmac(input);
}

absl::StatusOr<std::string> ParseApiKeyId(std::string_view key) {
  constexpr size_t kPrefix = sizeof(kApiKeyPrefix) - 1;
  constexpr size_t kLength =
      kPrefix + kKeyIdHexDigits + 1 + crypto::kTokenLength;
  if (key.size() != kLength || !key.starts_with(kApiKeyPrefix) ||
      key[kPrefix + kKeyIdHexDigits] != '_' ||
      !IsLowerHex(key.substr(kPrefix, kKeyIdHexDigits))) {
    return absl::InvalidArgumentError("not an API key (ssk_<id>_<secret>)");
  }
  return std::string(key.substr(kPrefix, kKeyIdHexDigits));
}

Principal PrincipalOf(const store::StaffAccount& account) {
  Principal p;
  switch (account.role) {
    case store::StaffRole::kAdmin:
      p.role = Role::kAdmin;
      break;
    case store::StaffRole::kHr:
      p.role = Role::kHr;
      break;
    case store::StaffRole::kManager:
      p.role = Role::kManager;
      break;
    case store::StaffRole::kEmployee:
      p.role = Role::kEmployee;
      break;
  }
  if (p.role == Role::kManager) p.department_code = account.department_code;
  // Every role: nobody reviews the sheet of their own employee record.
  p.employee_no = account.employee_no;
  p.name = account.name;
  return p;
}

Authenticator::Authenticator(bool allow_dev_header, store::StaffStore* staff,
                             const crypto::TokenHasher* hasher,
                             AbuseLimiter* limiter,
                             std::function<int64_t()> now_unix)
    : allow_dev_header_(allow_dev_header),
      staff_(staff),
      hasher_(hasher),
      limiter_(limiter),
      now_unix_(std::move(now_unix)) {}

absl::StatusOr<Principal> Authenticator::FromApiKey(
    std::string_view header) const {
  // "Bearer <key>"; the scheme is case-insensitive (RFC 7235).
  constexpr std::string_view kScheme = "bearer ";
  bool scheme_ok = header.size() > kScheme.size();
  for (size_t i = 0; scheme_ok && i < kScheme.size(); ++i) {
    scheme_ok = absl::ascii_tolower(static_cast<unsigned char>(header[i])) ==
                kScheme[i];
  }
  if (!scheme_ok) {
    return absl::UnauthenticatedError(
        "authorization: expected \"Bearer <API key>\"");
  }
  std::string_view key = header.substr(kScheme.size());
  while (!key.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(key.front()))) {
    key.remove_prefix(1);
  }
  while (!key.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(key.back()))) {
    key.remove_suffix(1);
  }
  if (IsSessionToken(key)) return FromSession(key);
  absl::StatusOr<std::string> key_id = ParseApiKeyId(key);
  if (!key_id.ok()) return absl::UnauthenticatedError("invalid API key");
  if (staff_ == nullptr || hasher_ == nullptr) {
    return absl::UnauthenticatedError("API keys are not accepted here");
  }
  absl::StatusOr<store::ApiKeyCredential> cred =
      staff_->GetApiKeyCredential(*key_id);
  if (absl::IsNotFound(cred.status())) {
    return absl::UnauthenticatedError("invalid API key");
  }
  if (!cred.ok()) return cred.status();
  store::ApiKeyHmac hmac = ApiKeyHmacOf(*hasher_, key);
  if (!crypto::ConstantTimeEquals(
          std::string_view(reinterpret_cast<const char*>(hmac.data()),
                           hmac.size()),
          std::string_view(reinterpret_cast<const char*>(cred->key_hmac.data()),
                           cred->key_hmac.size()))) {
    return absl::UnauthenticatedError("invalid API key");
  }
  // The secret matched: the holder may learn why the key no longer works.
  if (cred->info.revoked_at != 0) {
    return absl::UnauthenticatedError(
        absl::StrCat("API key ", cred->info.key_id, " was revoked"));
  }
  if (now_unix_() >= cred->info.expires_at) {
    return absl::UnauthenticatedError(
        absl::StrCat("API key ", cred->info.key_id, " has expired"));
  }
  if (!cred->account.active) {
    return absl::UnauthenticatedError(
        absl::StrCat("staff account \"", cred->account.name, "\" is inactive"));
  }
  Principal p = PrincipalOf(cred->account);
  p.credential = "api_key";
  return p;
}

absl::StatusOr<Principal> Authenticator::FromSession(
    std::string_view token) const {
  absl::StatusOr<std::string> id = ParseSessionId(token);
  if (!id.ok() || sessions_ == nullptr || hasher_ == nullptr) {
    return absl::UnauthenticatedError("invalid session");
  }
  absl::StatusOr<store::SessionCredential> cred = sessions_->GetSession(*id);
  if (absl::IsNotFound(cred.status())) {
    return absl::UnauthenticatedError("invalid session");
  }
  if (!cred.ok()) return cred.status();
  store::SecretHmac hmac = SessionHmacOf(*hasher_, token);
  if (!crypto::ConstantTimeEquals(
          std::string_view(reinterpret_cast<const char*>(hmac.data()),
                           hmac.size()),
          std::string_view(
              reinterpret_cast<const char*>(cred->token_hmac.data()),
              cred->token_hmac.size()))) {
    return absl::UnauthenticatedError("invalid session");
  }
  // The secret matched: the holder may learn why it no longer works.
  const int64_t now = now_unix_();
  const store::SessionInfo& s = cred->info;
  if (s.ended_at != 0) return absl::UnauthenticatedError("session ended");
  if (now >= s.expires_at) return absl::UnauthenticatedError("session expired");
  if (now - s.last_seen >= session_policy_.idle_seconds) {
    return absl::UnauthenticatedError("session idle for too long");
  }
  if (!cred->account.active) {
    return absl::UnauthenticatedError("account inactive");
  }
  if (now - s.last_seen >= session_policy_.touch_step_seconds) {
    // A failed touch only shortens the session's idle allowance.
    if (absl::Status t = sessions_->TouchSession(
            s.session_id, now, session_policy_.touch_step_seconds);
        !t.ok()) {
      spdlog::warn("session {}: last_seen not moved: {}", s.session_id,
                   t.ToString());
    }
  }
  Principal p = PrincipalOf(cred->account);
  p.credential = "session";
  p.session_id = s.session_id;
  p.session_expires_at = s.expires_at;
  return p;
}

absl::StatusOr<Principal> Authenticator::FromCertificate(
    const std::string& cn) const {
  if (staff_ == nullptr) {
    return absl::UnauthenticatedError(
        "client certificates are not accepted here");
  }
  // Only names an account can have reach the database (the CN was signed
  // by our CA, but may hold anything).
  if (!ValidateAccountName("CN", cn).ok()) {
    return absl::UnauthenticatedError(
        "the client certificate's CN is not a staff account name");
  }
  absl::StatusOr<store::StaffAccount> account = staff_->GetAccount(cn);
  if (absl::IsNotFound(account.status())) {
    return absl::UnauthenticatedError(absl::StrCat(
        "no staff account \"", cn, "\" (the client certificate's CN)"));
  }
  if (!account.ok()) return account.status();
  if (!account->active) {
    return absl::UnauthenticatedError(
        absl::StrCat("staff account \"", account->name, "\" is inactive"));
  }
  Principal p = PrincipalOf(*account);
  p.credential = "certificate";
  return p;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& ctx) const {
  if (allow_dev_header_) {
    absl::StatusOr<std::optional<std::string_view>> dev =
        SingleHeader(ctx, kDevPrincipalHeader);
    if (!dev.ok()) return dev.status();
    if (dev->has_value()) {
      absl::StatusOr<Principal> p = ParseDevPrincipal(**dev);
      if (!p.ok()) return absl::UnauthenticatedError(p.status().message());
      p->credential = "dev";
      return p;
    }
  }
  absl::StatusOr<std::optional<std::string_view>> bearer =
      SingleHeader(ctx, kAuthorizationHeader);
  std::optional<std::string> cn = VerifiedCommonName(ctx);
  if (bearer.ok() && !bearer->has_value() && !cn.has_value()) {
    return absl::UnauthenticatedError(
        "staff identity required: a client certificate or an API key "
        "(authorization: Bearer ...)");
  }
  // Through survey-gateway, the browser's address (api/client_peer.h): the
  // gateway's own would make every console user share one budget.
  std::string peer = limiter_ == nullptr
                         ? ctx.peer()
                         : ClientPeer(ctx, limiter_->trusted_gateways());
  if (limiter_ != nullptr && !limiter_->StaffAuthAllowed(peer)) {
    return absl::ResourceExhaustedError(
        "too many failed authentications from this address; try again later");
  }
  absl::StatusOr<Principal> p = !bearer.ok()
                                    ? absl::StatusOr<Principal>(bearer.status())
                                : bearer->has_value() ? FromApiKey(**bearer)
                                                      : FromCertificate(*cn);
  if (p.ok() || !absl::IsUnauthenticated(p.status())) return p;
  spdlog::warn("staff authentication failed from {}: {}", PeerKey(peer),
               std::string(p.status().message()));
  if (limiter_ != nullptr && !limiter_->AllowStaffAuthFailure(peer)) {
    return absl::ResourceExhaustedError(
        "too many failed authentications from this address; try again later");
  }
  return p;
}

absl::Status ValidateAccountName(std::string_view field,
                                 std::string_view name) {
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '_' ||
           c == '@' || c == '-';
  };
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  bool ok = !name.empty() && name.size() <= kMaxAccountNameLength &&
            std::all_of(name.begin(), name.end(), name_char) &&
            alnum(name.front()) && name.back() != ' ';
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(field),
      ": 1..64 characters of A-Z a-z 0-9 space . _ @ -, starting with "
      "a letter or digit, not ending with a space"));
}

absl::Status RequireHrOrAdmin(const Principal& p) {
  if (p.role == Role::kAdmin || p.role == Role::kHr) return absl::OkStatus();
  return absl::PermissionDeniedError("only HR and admins may do this");
}

absl::Status RequireAdmin(const Principal& p) {
  if (p.role == Role::kAdmin) return absl::OkStatus();
  return absl::PermissionDeniedError("only admins may do this");
}

absl::Status RequireDepartmentScope(const Principal& p, std::string_view code) {
  if (p.role == Role::kAdmin || p.role == Role::kHr) return absl::OkStatus();
  if (p.role == Role::kManager && p.department_code == code) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("no access to department \"", std::string(code), "\""));
}

}  // namespace survey::api
