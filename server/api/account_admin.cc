// AccountService for HR and admins: accounts for the whole organisation,
// password resets, sessions. Every change is audited by the store in its
// own transaction.
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/account_service.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/csv.h"

namespace survey::api {
namespace {

constexpr int kMaxSessionsListed = 1000;
constexpr size_t kChunkBytes = 32 * 1024;

std::string IsoUtc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// A cell a spreadsheet will not run as a formula: names are people's text.
std::string Cell(std::string_view text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' ||
                        text[0] == '@')) {
    return domain::CsvEscape(absl::StrCat("'", std::string(text)));
  }
  return domain::CsvEscape(text);
}

void ToProto(const store::SessionInfo& s, v1::Session* out) {
  out->set_session_id(s.session_id);
  out->set_account_name(s.account_name);
  out->set_created_at_unix(s.created_at);
  out->set_expires_at_unix(s.expires_at);
  out->set_last_seen_unix(s.last_seen);
  out->set_ended_at_unix(s.ended_at);
  out->set_client_address(s.client_address);
}

}  // namespace

grpc::Status AccountServiceImpl::CreateOrganisationAccounts(
    grpc::ServerContext* ctx, const v1::CreateOrganisationAccountsRequest* req,
    grpc::ServerWriter<v1::AccountsChunk>* writer) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  const int64_t now = now_unix_();
  const int64_t expires = now + policy_.activation_seconds;
  store::CodeIssuer issue =
      [&]() -> absl::StatusOr<std::pair<std::string, store::ActivationCode>> {
    absl::StatusOr<GeneratedSecret> code = GenerateActivationCode(*random_, *hasher_);
    if (!code.ok()) {
      return absl::InternalError(
          absl::StrCat("no secure randomness: ", code.status().message()));
    }
    return std::pair{code->secret, store::ActivationCode{code->hmac, expires}};
  };
  // Committed before anything is sent: a client that goes away meanwhile
  // loses the codes, and HR runs it again with reissue_codes.
  absl::StatusOr<std::vector<store::OrgAccountRow>> rows =
      accounts_->CreateOrganisationAccounts(req->reissue_codes(), issue, now,
                                            AuditActorOf(*p));
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  std::string buffer =
      "account_name,employee_no,name,department_code,role,activation_code,"
      "expires_at\n";
  for (const store::OrgAccountRow& r : *rows) {
    absl::StrAppend(&buffer, Cell(r.account_name), ",", Cell(r.employee_no), ",",
                    Cell(r.employee_name), ",", Cell(r.department_code), ",",
                    std::string(store::StaffRoleName(r.role)), ",", r.activation_code, ",",
                    r.activation_code.empty() ? "" : IsoUtc(r.expires_at), "\n");
    if (buffer.size() >= kChunkBytes) {
      v1::AccountsChunk chunk;
      chunk.set_data(std::move(buffer));
      buffer.clear();
      if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client gone");
    }
  }
  v1::AccountsChunk chunk;
  chunk.set_data(std::move(buffer));
  writer->Write(chunk);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ResetPassword(grpc::ServerContext* ctx,
                                               const v1::ResetPasswordRequest* req,
                                               v1::ResetPasswordResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (absl::Status s = ValidateAccountName("account_name", req->account_name());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<store::SignInRecord> target = accounts_->GetSignIn(req->account_name());
  if (!target.ok()) return ToGrpcStatus(target.status());
  const store::StaffRole role = target->account.role;
  if (p->role != Role::kAdmin &&
      (role == store::StaffRole::kAdmin || role == store::StaffRole::kHr)) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "only admins may reset the password of an HR or admin account"));
  }
  const int64_t now = now_unix_();
  absl::StatusOr<GeneratedSecret> code = GenerateActivationCode(*random_, *hasher_);
  if (!code.ok()) {
    return ToGrpcStatus(absl::InternalError(
        absl::StrCat("no secure randomness: ", code.status().message())));
  }
  store::ActivationCode stored{code->hmac, now + policy_.activation_seconds};
  if (absl::Status s = accounts_->ResetPassword(req->account_name(), stored, now,
                                                AuditActorOf(*p));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  resp->set_activation_code(code->secret);
  resp->set_expires_at_unix(stored.expires_at);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ListSessions(grpc::ServerContext* ctx,
                                              const v1::ListSessionsRequest* req,
                                              v1::ListSessionsResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (!req->account_name().empty()) {
    if (absl::Status s = ValidateAccountName("account_name", req->account_name());
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  absl::StatusOr<std::vector<store::SessionInfo>> sessions = accounts_->ListSessions(
      req->account_name(), req->include_ended(), kMaxSessionsListed);
  if (!sessions.ok()) return ToGrpcStatus(sessions.status());
  for (const store::SessionInfo& s : *sessions) ToProto(s, resp->add_sessions());
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::RevokeSession(grpc::ServerContext* ctx,
                                               const v1::RevokeSessionRequest* req,
                                               v1::RevokeSessionResponse*) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (!IsSessionId(req->session_id())) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("session_id: 16 lower-case hex digits"));
  }
  absl::StatusOr<store::SessionInfo> ended = accounts_->EndSession(
      req->session_id(), now_unix_(), "session.revoke", AuditActorOf(*p));
  return ToGrpcStatus(ended.status());
}

}  // namespace survey::api
