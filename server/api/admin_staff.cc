// AdminService: staff accounts, API keys and the audit log (admin.proto,
// "staff access"). Admin only. Every change is audited by the store in the
// transaction that makes it.
#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/admin_service.h"
#include "api/status.h"
#include "domain/org.h"

namespace survey::api {
namespace {

constexpr int64_t kDefaultKeyLifetime = int64_t{90} * 24 * 3600;
constexpr int64_t kMaxKeyLifetime = int64_t{2} * 366 * 24 * 3600;
constexpr int kDefaultAuditPage = 100;
constexpr int kMaxAuditPage = 1000;

int64_t NowUnix() { return absl::ToUnixSeconds(absl::Now()); }

absl::Status ValidateKeyId(std::string_view id) {
  bool ok = id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError("key_id: 16 lower-case hex digits");
}

absl::StatusOr<store::StaffAccount> FromProto(const v1::StaffAccount& a) {
  if (absl::Status s = ValidateAccountName("name", a.name()); !s.ok()) return s;
  store::StaffAccount out;
  out.name = a.name();
  out.active = a.active();
  out.department_code = a.department_code();
  out.employee_no = a.employee_no();
  switch (a.role()) {
    case v1::STAFF_ROLE_ADMIN:
      out.role = store::StaffRole::kAdmin;
      break;
    case v1::STAFF_ROLE_HR:
      out.role = store::StaffRole::kHr;
      break;
    case v1::STAFF_ROLE_MANAGER:
      out.role = store::StaffRole::kManager;
      break;
    case v1::STAFF_ROLE_EMPLOYEE:
      out.role = store::StaffRole::kEmployee;
      break;
    default:
      return absl::InvalidArgumentError(
          "role: one of admin, hr, manager, employee");
  }
  bool wants_department = out.role == store::StaffRole::kManager;
  // Any account may be linked to its own employee record (so that nobody
  // reviews their own sheet); an employee account must be.
  bool wants_employee = out.role == store::StaffRole::kEmployee;
  if (wants_department) {
    if (absl::Status s =
            domain::ValidateCode("department_code", out.department_code);
        !s.ok()) {
      return s;
    }
  } else if (!out.department_code.empty()) {
    return absl::InvalidArgumentError(
        "department_code: only a manager account has a department");
  }
  if (wants_employee || !out.employee_no.empty()) {
    if (absl::Status s = domain::ValidateCode("employee_no", out.employee_no);
        !s.ok()) {
      return s;
    }
  }
  return out;
}

void ToProto(const store::StaffAccount& a, v1::StaffAccount* out) {
  out->set_name(a.name);
  switch (a.role) {
    case store::StaffRole::kAdmin:
      out->set_role(v1::STAFF_ROLE_ADMIN);
      break;
    case store::StaffRole::kHr:
      out->set_role(v1::STAFF_ROLE_HR);
      break;
    case store::StaffRole::kManager:
      out->set_role(v1::STAFF_ROLE_MANAGER);
      break;
    case store::StaffRole::kEmployee:
      out->set_role(v1::STAFF_ROLE_EMPLOYEE);
      break;
  }
  out->set_department_code(a.department_code);
  out->set_employee_no(a.employee_no);
  out->set_active(a.active);
}

void ToProto(const store::ApiKeyInfo& k, v1::ApiKey* out) {
  out->set_key_id(k.key_id);
  out->set_account_name(k.account_name);
  out->set_created_at_unix(k.created_at);
  out->set_expires_at_unix(k.expires_at);
  out->set_revoked_at_unix(k.revoked_at);
  out->set_created_by(k.created_by);
}

void ToProto(const domain::AuditRecord& r, v1::AuditRecord* out) {
  out->set_seq(r.seq);
  out->set_at_unix_micros(r.at_micros);
  out->set_principal_name(r.principal_name);
  out->set_principal_role(r.principal_role);
  out->set_action(r.action);
  out->set_target(r.target);
  out->set_before_json(r.before_json);
  out->set_after_json(r.after_json);
  out->set_prev_hash(domain::AuditDigestHex(r.prev_hash));
  out->set_hash(domain::AuditDigestHex(r.hash));
}

}  // namespace

absl::StatusOr<Principal> AdminServiceImpl::StaffAdmin(
    const grpc::ServerContext& ctx) const {
  absl::StatusOr<Principal> p = auth_->Authenticate(ctx);
  if (!p.ok()) return p.status();
  if (absl::Status s = RequireAdmin(*p); !s.ok()) return s;
  if (staff_ == nullptr || audit_ == nullptr || hasher_ == nullptr ||
      random_ == nullptr) {
    return absl::UnimplementedError(
        "staff accounts are not configured on this server");
  }
  return p;
}

grpc::Status AdminServiceImpl::UpsertStaffAccount(grpc::ServerContext* ctx,
                                                  const v1::StaffAccount* req,
                                                  v1::StaffAccount* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<store::StaffAccount> account = FromProto(*req);
  if (!account.ok()) return ToGrpcStatus(account.status());
  absl::StatusOr<store::UpsertOutcome> outcome =
      staff_->UpsertAccount(*account, AuditActorOf(*p));
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  ToProto(outcome->after, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListStaffAccounts(
    grpc::ServerContext* ctx, const v1::ListStaffAccountsRequest*,
    v1::ListStaffAccountsResponse* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  absl::StatusOr<std::vector<store::StaffAccount>> all = staff_->ListAccounts();
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const store::StaffAccount& a : *all) ToProto(a, resp->add_accounts());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::CreateApiKey(grpc::ServerContext* ctx,
                                            const v1::CreateApiKeyRequest* req,
                                            v1::CreateApiKeyResponse* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = ValidateAccountName("account_name", req->account_name());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  int64_t now = NowUnix();
  int64_t expires = req->expires_at_unix() == 0 ? now + kDefaultKeyLifetime
                                                : req->expires_at_unix();
  if (expires <= now || expires > now + kMaxKeyLifetime) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "expires_at_unix: must lie in the future and at most 2 years ahead "
        "(0 = 90 days)"));
  }
  absl::StatusOr<GeneratedApiKey> key = GenerateApiKey(*random_, *hasher_);
  if (!key.ok()) {
    return ToGrpcStatus(absl::InternalError(
        absl::StrCat("no secure randomness: ", key.status().message())));
  }
  store::NewApiKey record;
  record.info.key_id = key->key_id;
  record.info.account_name = req->account_name();
  record.info.created_at = now;
  record.info.expires_at = expires;
  record.info.created_by = p->name;
  record.key_hmac = key->hmac;
  if (absl::Status s = staff_->CreateApiKey(record, AuditActorOf(*p));
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  resp->set_key_id(key->key_id);
  resp->set_secret(key->key);
  resp->set_expires_at_unix(expires);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::RevokeApiKey(grpc::ServerContext* ctx,
                                            const v1::RevokeApiKeyRequest* req,
                                            v1::RevokeApiKeyResponse*) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = ValidateKeyId(req->key_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<store::ApiKeyInfo> info =
      staff_->RevokeApiKey(req->key_id(), NowUnix(), AuditActorOf(*p));
  return ToGrpcStatus(info.status());
}

grpc::Status AdminServiceImpl::ListApiKeys(grpc::ServerContext* ctx,
                                           const v1::ListApiKeysRequest* req,
                                           v1::ListApiKeysResponse* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (!req->account_name().empty()) {
    if (absl::Status s =
            ValidateAccountName("account_name", req->account_name());
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  absl::StatusOr<std::vector<store::ApiKeyInfo>> keys =
      staff_->ListApiKeys(req->account_name());
  if (!keys.ok()) return ToGrpcStatus(keys.status());
  for (const store::ApiKeyInfo& k : *keys) ToProto(k, resp->add_keys());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::VerifyAudit(grpc::ServerContext* ctx,
                                           const v1::VerifyAuditRequest* req,
                                           v1::VerifyAuditResponse* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  std::optional<domain::AuditAnchor> anchor;
  if (req->anchor_seq() != 0 || !req->anchor_hash().empty()) {
    if (req->anchor_seq() < 1) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          "anchor_seq: a record number (1 or more)"));
    }
    absl::StatusOr<domain::AuditDigest> hash =
        domain::ParseAuditDigestHex(req->anchor_hash());
    if (!hash.ok()) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("anchor_hash: ", hash.status().message())));
    }
    anchor = domain::AuditAnchor{req->anchor_seq(), *hash};
  }
  absl::StatusOr<domain::AuditVerdict> verdict = audit_->Verify(anchor);
  if (!verdict.ok()) return ToGrpcStatus(verdict.status());
  resp->set_records(verdict->records);
  resp->set_intact(verdict->intact);
  resp->set_first_bad_record(verdict->first_bad_seq);
  resp->set_problem(verdict->problem);
  if (verdict->intact) {
    resp->set_head_seq(verdict->head_seq);
    resp->set_head_hash(domain::AuditDigestHex(verdict->head_hash));
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListAudit(grpc::ServerContext* ctx,
                                         const v1::ListAuditRequest* req,
                                         v1::ListAuditResponse* resp) {
  absl::StatusOr<Principal> p = StaffAdmin(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (req->page_size() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("page_size: must not be negative"));
  }
  int page_size = req->page_size() == 0
                      ? kDefaultAuditPage
                      : std::min(req->page_size(), kMaxAuditPage);
  int64_t cursor = 0;
  if (!req->page_token().empty() &&
      (!absl::SimpleAtoi(req->page_token(), &cursor) || cursor < 0)) {
    return ToGrpcStatus(absl::InvalidArgumentError("page_token: not a token"));
  }
  bool action_ok =
      req->action().size() <= domain::kMaxAuditActionBytes &&
      std::all_of(req->action().begin(), req->action().end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-';
      });
  if (!action_ok) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "action: an action name such as report.read, or empty for all"));
  }
  store::AuditFilter filter;
  filter.action = req->action();
  filter.newest_first = req->newest_first();
  if (filter.newest_first) {
    filter.before_seq = cursor;
  } else {
    filter.after_seq = cursor;
  }
  filter.limit = page_size + 1;  // one more tells whether a page follows
  absl::StatusOr<std::vector<domain::AuditRecord>> records =
      audit_->List(filter);
  if (!records.ok()) return ToGrpcStatus(records.status());
  bool more = static_cast<int>(records->size()) > page_size;
  if (more) records->resize(page_size);
  for (const domain::AuditRecord& r : *records) ToProto(r, resp->add_records());
  if (more) resp->set_next_page_token(absl::StrCat(records->back().seq));
  return grpc::Status::OK;
}

}  // namespace survey::api
