// AccountService: sign-in, activation, WhoAmI, sign-out, password change.
// Passwords are hashed and verified here, before and outside every
// database transaction; the store's transactions then re-check under the
// row's lock that nothing changed meanwhile.
#include "api/account_service.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "api/abuse_limiter.h"
#include "api/audit_log.h"
#include "api/client_peer.h"
#include "api/status.h"

namespace survey::api {
namespace {

constexpr char kBadCredentialsMessage[] = "wrong account name or password";
constexpr char kLockedMessage[] =
    "too many failed sign-ins: the account is locked for a while";
constexpr char kRateLimitedMessage[] =
    "too many failed sign-ins from this address; try again later";

v1::StaffRole ToProtoRole(Role r) {
  switch (r) {
    case Role::kAdmin:
      return v1::STAFF_ROLE_ADMIN;
    case Role::kHr:
      return v1::STAFF_ROLE_HR;
    case Role::kManager:
      return v1::STAFF_ROLE_MANAGER;
    case Role::kEmployee:
      return v1::STAFF_ROLE_EMPLOYEE;
  }
  return v1::STAFF_ROLE_EMPLOYEE;
}

// A name that cannot be an account is answered like an unknown one, but
// never reaches the database.
bool PlausibleName(const std::string& name) {
  return ValidateAccountName("account_name", name).ok();
}

grpc::Status Overloaded(const absl::Status& s) {
  spdlog::warn("password hashing: {}", s.ToString());
  return PublicStatus(Failure::kOverloaded);
}

}  // namespace

grpc::Status WithReason(grpc::ServerContext* ctx, grpc::StatusCode code,
                        const std::string& message, const char* reason) {
  ctx->AddTrailingMetadata("reason", reason);
  return grpc::Status(code, message);
}

bool UnknownNameLocks::Locked(const std::string& name, int64_t now) {
  absl::MutexLock lock(&mu_);
  auto it = names_.find(name);
  return it != names_.end() && domain::IsLocked(it->second, now);
}

domain::LockState UnknownNameLocks::Fail(const std::string& name, int64_t now,
                                         const domain::LockoutPolicy& policy) {
  absl::MutexLock lock(&mu_);
  if (names_.size() >= max_names_ && !names_.contains(name)) {
    // Forget what no longer matters; if that is not enough, everything
    // (memory stays bounded; the per-address budget still holds).
    absl::erase_if(names_, [&](const auto& entry) {
      const domain::LockState& s = entry.second;
      return !domain::IsLocked(s, now) &&
             now - s.window_start >= policy.window_seconds;
    });
    if (names_.size() >= max_names_) names_.clear();
  }
  domain::LockState& s = names_[name];
  s = domain::AfterFailure(s, now, policy);
  return s;
}

AccountServiceImpl::AccountServiceImpl(
    const Authenticator* auth, store::AccountStore* accounts,
    const crypto::TokenHasher* hasher, crypto::RandomSource* random,
    crypto::PasswordHasher* passwords, AbuseLimiter* limiter,
    SessionPolicy policy, std::function<int64_t()> now_unix)
    : auth_(auth),
      accounts_(accounts),
      hasher_(hasher),
      random_(random),
      passwords_(passwords),
      limiter_(limiter),
      policy_(policy),
      now_unix_(std::move(now_unix)) {}

std::string AccountServiceImpl::PeerOf(const grpc::ServerContext& ctx) const {
  return limiter_ == nullptr ? ctx.peer()
                             : ClientPeer(ctx, limiter_->trusted_gateways());
}

grpc::Status AccountServiceImpl::Failed(grpc::ServerContext* ctx,
                                        const std::string& name, bool known,
                                        const std::string& peer, int64_t now) {
  bool locked = false;
  if (known) {
    absl::StatusOr<domain::LockState> s =
        accounts_->RecordFailure(name, now, policy_.lockout);
    if (!s.ok() && !absl::IsNotFound(s.status())) return ToGrpcStatus(s.status());
    locked = s.ok() && domain::IsLocked(*s, now);
  } else if (PlausibleName(name)) {
    locked = domain::IsLocked(unknown_.Fail(name, now, policy_.lockout), now);
  }
  const bool address_ok =
      limiter_ == nullptr || limiter_->AllowStaffAuthFailure(peer);
  spdlog::warn("failed sign-in from {}{}", PeerKey(peer),
               locked ? "; account locked" : "");
  if (locked) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  if (!address_ok) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED,
                      kRateLimitedMessage, "RATE_LIMITED");
  }
  return WithReason(ctx, grpc::StatusCode::UNAUTHENTICATED,
                    kBadCredentialsMessage, kReasonBadCredentials);
}

absl::StatusOr<store::NewSession> AccountServiceImpl::NewSession(
    const std::string& account, const std::string& peer, int64_t now,
    std::string* token) const {
  absl::StatusOr<GeneratedSecret> t = GenerateSessionToken(*random_, *hasher_);
  if (!t.ok()) {
    return absl::InternalError(
        absl::StrCat("no secure randomness: ", t.status().message()));
  }
  store::NewSession s;
  s.info.session_id = t->id;
  s.info.account_name = account;
  s.info.created_at = now;
  s.info.expires_at = now + policy_.ttl_seconds;
  s.info.last_seen = now;
  s.info.client_address = PeerKey(peer).substr(0, 64);
  s.token_hmac = t->hmac;
  *token = std::move(t->secret);
  return s;
}

absl::Status AccountServiceImpl::Describe(const Principal& p,
                                          v1::Me* me) const {
  me->set_account_name(p.name);
  me->set_role(ToProtoRole(p.role));
  me->set_department_code(p.department_code);
  me->set_employee_no(p.employee_no);
  me->set_credential(p.credential);
  me->set_session_expires_at_unix(p.session_expires_at);
  me->set_display_name(p.name);
  if (accounts_ == nullptr) return absl::OkStatus();
  absl::StatusOr<store::AccountNames> names =
      accounts_->NamesOf(p.employee_no, p.department_code);
  if (!names.ok()) return names.status();
  if (!names->display_name.empty()) me->set_display_name(names->display_name);
  me->set_department_name(names->department_name);
  return absl::OkStatus();
}

grpc::Status AccountServiceImpl::SignIn(grpc::ServerContext* ctx,
                                        const v1::SignInRequest* req,
                                        v1::SignInResponse* resp) {
  if (req->account_name().empty() || req->password().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        req->account_name().empty() ? "account_name: required"
                                    : "password: required"));
  }
  if (req->password().size() > domain::kMaxPasswordBytes) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("password: at most ", domain::kMaxPasswordBytes, " bytes")));
  }
  const std::string peer = PeerOf(*ctx);
  if (limiter_ != nullptr && !limiter_->StaffAuthAllowed(peer)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED,
                      kRateLimitedMessage, "RATE_LIMITED");
  }
  const std::string& name = req->account_name();
  const int64_t now = now_unix_();
  std::optional<store::SignInRecord> record;
  if (PlausibleName(name)) {
    absl::StatusOr<store::SignInRecord> r = accounts_->GetSignIn(name);
    if (r.ok()) {
      record = std::move(*r);
    } else if (!absl::IsNotFound(r.status())) {
      return ToGrpcStatus(r.status());
    }
  }
  if (record.has_value() ? domain::IsLocked(record->lock, now)
                         : unknown_.Locked(name, now)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  // Unknown, inactive and not yet activated accounts cost the same
  // verification (against a dummy hash) as a wrong password.
  const bool usable = record.has_value() && record->account.active;
  absl::StatusOr<bool> match = passwords_->Verify(
      usable ? record->password_hash : std::string(), req->password());
  if (!match.ok()) return Overloaded(match.status());
  if (!*match) return Failed(ctx, name, record.has_value(), peer, now);

  std::string token;
  absl::StatusOr<store::NewSession> session = NewSession(name, peer, now, &token);
  if (!session.ok()) return ToGrpcStatus(session.status());
  absl::Status started =
      accounts_->StartSession(*session, record->password_hash, now);
  if (absl::IsFailedPrecondition(started)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  if (absl::IsUnauthenticated(started)) {
    return WithReason(ctx, grpc::StatusCode::UNAUTHENTICATED,
                      kBadCredentialsMessage, kReasonBadCredentials);
  }
  if (!started.ok()) return ToGrpcStatus(started);
  Principal p = PrincipalOf(record->account);
  p.credential = "session";
  p.session_id = session->info.session_id;
  p.session_expires_at = session->info.expires_at;
  resp->set_session_token(token);
  resp->set_expires_at_unix(session->info.expires_at);
  if (absl::Status s = Describe(p, resp->mutable_me()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::Activate(grpc::ServerContext* ctx,
                                          const v1::ActivateRequest* req,
                                          v1::SignInResponse* resp) {
  for (const auto& [field, value] :
       {std::pair{"account_name", &req->account_name()},
        std::pair{"activation_code", &req->activation_code()},
        std::pair{"new_password", &req->new_password()}}) {
    if (value->empty()) {
      return ToGrpcStatus(
          absl::InvalidArgumentError(absl::StrCat(field, ": required")));
    }
  }
  const std::string& name = req->account_name();
  if (absl::Status s = domain::CheckPasswordPolicy("new_password", name,
                                                   req->new_password());
      !s.ok()) {
    return WithReason(ctx, grpc::StatusCode::INVALID_ARGUMENT,
                      std::string(s.message()), kReasonWeakPassword);
  }
  const std::string peer = PeerOf(*ctx);
  if (limiter_ != nullptr && !limiter_->StaffAuthAllowed(peer)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED,
                      kRateLimitedMessage, "RATE_LIMITED");
  }
  const int64_t now = now_unix_();
  std::optional<store::SignInRecord> record;
  if (PlausibleName(name)) {
    absl::StatusOr<store::SignInRecord> r = accounts_->GetSignIn(name);
    if (r.ok()) {
      record = std::move(*r);
    } else if (!absl::IsNotFound(r.status())) {
      return ToGrpcStatus(r.status());
    }
  }
  if (record.has_value() ? domain::IsLocked(record->lock, now)
                         : unknown_.Locked(name, now)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  // Hashed whether or not the account exists (same cost either way).
  absl::StatusOr<std::string> hash = passwords_->Hash(req->new_password());
  if (!hash.ok()) {
    if (absl::IsUnavailable(hash.status())) return Overloaded(hash.status());
    return ToGrpcStatus(hash.status());
  }
  absl::StatusOr<store::SecretHmac> code =
      ActivationHmacOf(*hasher_, req->activation_code());
  if (!record.has_value() || !code.ok()) {
    return Failed(ctx, name, record.has_value(), peer, now);
  }
  std::string token;
  absl::StatusOr<store::NewSession> session = NewSession(name, peer, now, &token);
  if (!session.ok()) return ToGrpcStatus(session.status());
  absl::Status done = accounts_->Activate(name, *code, *hash, *session, now);
  if (absl::IsFailedPrecondition(done)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  if (absl::IsUnauthenticated(done)) return Failed(ctx, name, true, peer, now);
  if (!done.ok()) return ToGrpcStatus(done);
  Principal p = PrincipalOf(record->account);
  p.credential = "session";
  p.session_id = session->info.session_id;
  p.session_expires_at = session->info.expires_at;
  resp->set_session_token(token);
  resp->set_expires_at_unix(session->info.expires_at);
  if (absl::Status s = Describe(p, resp->mutable_me()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::WhoAmI(grpc::ServerContext* ctx,
                                        const v1::WhoAmIRequest*, v1::Me* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  return ToGrpcStatus(Describe(*p, resp));
}

grpc::Status AccountServiceImpl::SignOut(grpc::ServerContext* ctx,
                                         const v1::SignOutRequest*,
                                         v1::SignOutResponse*) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (p->credential != "session") return grpc::Status::OK;
  absl::StatusOr<store::SessionInfo> ended = accounts_->EndSession(
      p->session_id, now_unix_(), "session.signout", AuditActorOf(*p));
  return ToGrpcStatus(ended.status());
}

grpc::Status AccountServiceImpl::ChangePassword(
    grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
    v1::ChangePasswordResponse*) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (p->credential == "dev") {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "a development identity has no password"));
  }
  if (req->current_password().empty() ||
      req->current_password().size() > domain::kMaxPasswordBytes) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "current_password: required, at most 256 bytes"));
  }
  if (absl::Status s = domain::CheckPasswordPolicy("new_password", p->name,
                                                   req->new_password());
      !s.ok()) {
    return WithReason(ctx, grpc::StatusCode::INVALID_ARGUMENT,
                      std::string(s.message()), kReasonWeakPassword);
  }
  const std::string peer = PeerOf(*ctx);
  const int64_t now = now_unix_();
  absl::StatusOr<store::SignInRecord> record = accounts_->GetSignIn(p->name);
  if (!record.ok()) return ToGrpcStatus(record.status());
  if (domain::IsLocked(record->lock, now)) {
    return WithReason(ctx, grpc::StatusCode::RESOURCE_EXHAUSTED, kLockedMessage,
                      kReasonAccountLocked);
  }
  absl::StatusOr<bool> match =
      passwords_->Verify(record->password_hash, req->current_password());
  if (!match.ok()) return Overloaded(match.status());
  if (!*match) return Failed(ctx, p->name, true, peer, now);
  absl::StatusOr<std::string> hash = passwords_->Hash(req->new_password());
  if (!hash.ok()) {
    if (absl::IsUnavailable(hash.status())) return Overloaded(hash.status());
    return ToGrpcStatus(hash.status());
  }
  store::PasswordChange change;
  change.account_name = p->name;
  change.expected_hash = record->password_hash;
  change.new_hash = *hash;
  change.keep_session_id = p->session_id;
  absl::Status s = accounts_->ChangePassword(change, now, AuditActorOf(*p));
  if (absl::IsUnauthenticated(s)) {
    return WithReason(ctx, grpc::StatusCode::UNAUTHENTICATED,
                      kBadCredentialsMessage, kReasonBadCredentials);
  }
  return ToGrpcStatus(s);
}

}  // namespace survey::api
