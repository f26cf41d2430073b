// AccountService (account.proto): password sign-in, activation codes and
// sessions of the staff console. Sign-in and account management:
// account_service.cc; organisation accounts, resets and session admin:
// account_admin.cc.
//
// Decisions the issue left open:
// - Every failure of SignIn/Activate looks alike (UNAUTHENTICATED,
//   reason BAD_CREDENTIALS, the same message), and an unknown account
//   costs the same argon2id verification as a known one. Unknown names
//   are also locked out after the same failures, in this server's memory
//   (UnknownNameLocks), so the lock itself does not tell that an account
//   exists; real accounts lock in the database, across servers.
// - The attempt that locks the account is already answered ACCOUNT_LOCKED;
//   while locked nothing is verified and the lock is not extended.
// - HR may reset only employee and manager accounts (an HR reset of an
//   admin would hand HR the admin's sign-in); admins reset any.
// - SignOut by a caller that is not signed in with a session is OK and
//   does nothing.
#ifndef SURVEY_API_ACCOUNT_SERVICE_H_
#define SURVEY_API_ACCOUNT_SERVICE_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "api/auth.h"
#include "api/session_token.h"
#include "crypto/password.h"
#include "store/account_store.h"
#include "survey/v1/account.grpc.pb.h"

namespace survey::api {

class AbuseLimiter;

// Failed sign-ins of names that are no account, per server (bounded).
class UnknownNameLocks {
 public:
  explicit UnknownNameLocks(size_t max_names = 10000) : max_names_(max_names) {}
  bool Locked(const std::string& name, int64_t now);
  // Returns the state after one more failure.
  domain::LockState Fail(const std::string& name, int64_t now,
                         const domain::LockoutPolicy& policy);

 private:
  size_t max_names_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, domain::LockState> names_ ABSL_GUARDED_BY(mu_);
};

class AccountServiceImpl final : public v1::AccountService::Service {
 public:
  // Every pointer must outlive the service; `limiter` may be null.
  AccountServiceImpl(const Authenticator* auth, store::AccountStore* accounts,
                     const crypto::TokenHasher* hasher,
                     crypto::RandomSource* random,
                     crypto::PasswordHasher* passwords, AbuseLimiter* limiter,
                     SessionPolicy policy, std::function<int64_t()> now_unix);

  grpc::Status SignIn(grpc::ServerContext* ctx, const v1::SignInRequest* req,
                      v1::SignInResponse* resp) override;
  grpc::Status Activate(grpc::ServerContext* ctx,
                        const v1::ActivateRequest* req,
                        v1::SignInResponse* resp) override;
  grpc::Status WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest* req,
                      v1::Me* resp) override;
  grpc::Status SignOut(grpc::ServerContext* ctx, const v1::SignOutRequest* req,
                       v1::SignOutResponse* resp) override;
  grpc::Status ChangePassword(grpc::ServerContext* ctx,
                              const v1::ChangePasswordRequest* req,
                              v1::ChangePasswordResponse* resp) override;
  grpc::Status CreateOrganisationAccounts(
      grpc::ServerContext* ctx, const v1::CreateOrganisationAccountsRequest* req,
      grpc::ServerWriter<v1::AccountsChunk>* writer) override;
  grpc::Status ResetPassword(grpc::ServerContext* ctx,
                             const v1::ResetPasswordRequest* req,
                             v1::ResetPasswordResponse* resp) override;
  grpc::Status ListSessions(grpc::ServerContext* ctx,
                            const v1::ListSessionsRequest* req,
                            v1::ListSessionsResponse* resp) override;
  grpc::Status RevokeSession(grpc::ServerContext* ctx,
                             const v1::RevokeSessionRequest* req,
                             v1::RevokeSessionResponse* resp) override;

 private:
  // The end of a failed attempt on `name` (known: the database's lock;
  // unknown: UnknownNameLocks) by `peer`: ACCOUNT_LOCKED if this locked
  // it, RATE_LIMITED if the address is over its budget, else
  // BAD_CREDENTIALS.
  grpc::Status Failed(grpc::ServerContext* ctx, const std::string& name,
                      bool known, const std::string& peer, int64_t now);
  // A new session for `account` (not yet stored).
  absl::StatusOr<store::NewSession> NewSession(const std::string& account,
                                               const std::string& peer,
                                               int64_t now,
                                               std::string* token) const;
  // Fills `me` for `p`.
  absl::Status Describe(const Principal& p, v1::Me* me) const;
  std::string PeerOf(const grpc::ServerContext& ctx) const;

  const Authenticator* auth_;
  store::AccountStore* accounts_;
  const crypto::TokenHasher* hasher_;
  crypto::RandomSource* random_;
  crypto::PasswordHasher* passwords_;
  AbuseLimiter* limiter_;
  SessionPolicy policy_;
  std::function<int64_t()> now_unix_;
  UnknownNameLocks unknown_;
};

// The reasons this service adds (status trailer `reason`).
inline constexpr char kReasonBadCredentials[] = "BAD_CREDENTIALS";
inline constexpr char kReasonAccountLocked[] = "ACCOUNT_LOCKED";
inline constexpr char kReasonWeakPassword[] = "WEAK_PASSWORD";

// Answers with `reason` in the trailer (api/status_trailers.h keeps it).
grpc::Status WithReason(grpc::ServerContext* ctx, grpc::StatusCode code,
                        const std::string& message, const char* reason);

}  // namespace survey::api

#endif  // SURVEY_API_ACCOUNT_SERVICE_H_
