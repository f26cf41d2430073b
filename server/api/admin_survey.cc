// AdminService: templates, campaigns and invitations (admin.proto). The
// organisation RPCs are in admin_service.cc.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "api/admin_service.h"
#include "api/convert_survey.h"
#include "api/invitation_plan.h"
#include "api/status.h"
#include "domain/period.h"

namespace survey::api {
namespace {

// Tokens are generated and stored this many at a time (one transaction
// each), so a huge issue never holds one long transaction.
constexpr size_t kChunk = 500;

// Prefixes a domain message with the request field and spells its path the
// way the proto does (the domain says "subs", the proto "sub_indicators").
absl::Status InField(const std::string& field, const absl::Status& s) {
  std::string message(s.message());
  size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    message = absl::StrCat(
        absl::StrReplaceAll(message.substr(0, colon),
                            {{".subs", ".sub_indicators"}}),
        message.substr(colon));
  }
  return absl::Status(s.code(), absl::StrCat(field, ".", message));
}

absl::Status CheckCampaignId(const std::string& field, const std::string& id) {
  bool ok = id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be a campaign id (32 lower-case hex digits)"));
}

void ToProto(const store::CampaignRecord& r, v1::Campaign* out) {
  api::ToProto(r.campaign, out);
  out->set_invitations_issued(r.invitations_issued);
  out->set_responses(r.responses);
}

}  // namespace

absl::StatusOr<store::ChangeAudit> AdminServiceImpl::CheckSurveyCaller(
    const grpc::ServerContext& ctx) const {
  absl::StatusOr<Principal> p = auth_->Authenticate(ctx);
  if (!p.ok()) return p.status();
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return s;
  // Every change here is audited in its own transaction, so no audit log
  // means no survey RPCs.
  if (templates_ == nullptr || campaigns_ == nullptr ||
      invitations_ == nullptr || hasher_ == nullptr || random_ == nullptr ||
      audit_ == nullptr) {
    return absl::UnimplementedError(
        "templates and campaigns are not configured on this server");
  }
  return store::ChangeAudit{audit_, AuditActorOf(*p)};
}

grpc::Status AdminServiceImpl::CreateTemplate(
    grpc::ServerContext* ctx, const v1::CreateTemplateRequest* req,
    v1::Template* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  domain::Template t = FromProto(req->template_());
  t.version = 1;  // ignored on input; the store assigns the real one
  if (absl::Status s = domain::ValidateTemplate(t); !s.ok()) {
    return ToGrpcStatus(InField("template", s));
  }
  absl::StatusOr<int> version = templates_->Create(t, *audit);
  if (!version.ok()) return ToGrpcStatus(version.status());
  t.version = *version;
  ToProto(t, /*in_use=*/false, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetTemplate(grpc::ServerContext* ctx,
                                           const v1::GetTemplateRequest* req,
                                           v1::Template* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (req->key().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("key: required"));
  }
  if (req->version() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("version: 0 (latest) or a version >= 1"));
  }
  absl::StatusOr<store::StoredTemplate> t =
      templates_->Get(req->key(), req->version());
  if (!t.ok()) return ToGrpcStatus(t.status());
  ToProto(t->tmpl, t->in_use, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListTemplates(grpc::ServerContext* ctx,
                                             const v1::ListTemplatesRequest*,
                                             v1::ListTemplatesResponse* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  absl::StatusOr<std::vector<store::StoredTemplate>> all = templates_->List();
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const store::StoredTemplate& t : *all) {
    ToProto(t.tmpl, t.in_use, resp->add_templates());
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::CreateCampaign(
    grpc::ServerContext* ctx, const v1::CreateCampaignRequest* req,
    v1::Campaign* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  absl::StatusOr<domain::Campaign> c = FromProto(req->campaign());
  if (!c.ok()) return ToGrpcStatus(c.status());
  if (c->anonymity_k == 0) c->anonymity_k = domain::kDefaultAnonymityK;
  // A default must not contradict an explicit k above it.
  if (c->comment_k == 0) {
    c->comment_k = std::max(domain::kDefaultCommentK, c->anonymity_k);
  }
  if (absl::Status s = domain::ValidateNewCampaign(*c); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<crypto::Id128> id = crypto::RandomId128(*random_);
  if (!id.ok()) {
    return ToGrpcStatus(absl::InternalError(absl::StrCat(
        "no secure randomness for a campaign id: ",
        std::string(id.status().message()))));
  }
  c->id = crypto::ToHex(absl::MakeConstSpan(*id));
  absl::StatusOr<store::CampaignRecord> r = campaigns_->Create(*c, *audit);
  if (!r.ok()) return ToGrpcStatus(r.status());
  ToProto(*r, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetCampaign(grpc::ServerContext* ctx,
                                           const v1::GetCampaignRequest* req,
                                           v1::Campaign* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (absl::Status s = CheckCampaignId("id", req->id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<store::CampaignRecord> r = campaigns_->Get(req->id());
  if (!r.ok()) return ToGrpcStatus(r.status());
  ToProto(*r, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListCampaigns(
    grpc::ServerContext* ctx, const v1::ListCampaignsRequest* req,
    v1::ListCampaignsResponse* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  store::CampaignFilter filter;
  if (!req->period().empty()) {
    absl::StatusOr<domain::Period> p = domain::Period::Parse(req->period());
    if (!p.ok()) return ToGrpcStatus(InField("period", p.status()));
    filter.period = req->period();
  }
  if (req->state() != v1::CAMPAIGN_STATE_UNSPECIFIED) {
    filter.state = FromProto(req->state());
    if (!filter.state) {
      return ToGrpcStatus(absl::InvalidArgumentError("state: unknown value"));
    }
  }
  absl::StatusOr<std::vector<store::CampaignRecord>> all =
      campaigns_->List(filter);
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const store::CampaignRecord& r : *all) ToProto(r, resp->add_campaigns());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::Move(grpc::ServerContext* ctx,
                                    const std::string& id,
                                    domain::CampaignState to,
                                    v1::Campaign* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (absl::Status s = CheckCampaignId("id", id); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<store::CampaignRecord> r = campaigns_->Transition(id, to, *audit);
  if (!r.ok()) return ToGrpcStatus(r.status());
  ToProto(*r, resp);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::OpenCampaign(
    grpc::ServerContext* ctx, const v1::CampaignTransitionRequest* req,
    v1::Campaign* resp) {
  return Move(ctx, req->id(), domain::CampaignState::kOpen, resp);
}

grpc::Status AdminServiceImpl::CloseCampaign(
    grpc::ServerContext* ctx, const v1::CampaignTransitionRequest* req,
    v1::Campaign* resp) {
  return Move(ctx, req->id(), domain::CampaignState::kClosed, resp);
}

grpc::Status AdminServiceImpl::IssueInvitations(
    grpc::ServerContext* ctx, const v1::IssueInvitationsRequest* req,
    grpc::ServerWriter<v1::IssuedInvitation>* writer) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (absl::Status s = CheckCampaignId("campaign_id", req->campaign_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<store::CampaignRecord> campaign =
      campaigns_->Get(req->campaign_id());
  if (!campaign.ok()) return ToGrpcStatus(campaign.status());
  if (campaign->campaign.state == domain::CampaignState::kClosed) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "campaign is closed; it takes no more invitations"));
  }
  absl::StatusOr<int64_t> expires_at = ResolveExpiry(
      req->expires_at_unix(), absl::ToUnixSeconds(absl::Now()));
  if (!expires_at.ok()) return ToGrpcStatus(expires_at.status());
  absl::StatusOr<std::string> link_base = ResolveLinkBase(req->link_base());
  if (!link_base.ok()) return ToGrpcStatus(link_base.status());
  absl::StatusOr<Org> org = LoadOrg(*org_);
  if (!org.ok()) return ToGrpcStatus(org.status());
  absl::StatusOr<std::vector<Planned>> plan =
      campaign->campaign.kind == domain::CampaignKind::kCustomerSatisfaction
          ? PlanCustomer(*req, *org)
          : PlanCrossEvaluation(*req, *org);
  if (!plan.ok()) return ToGrpcStatus(plan.status());

  // Storage order: a uniformly random permutation of the plan (Fisher–Yates
  // with the injected secure source). The request is the distribution list
  // (ticket order, department member order), and the order rows reach the
  // database shows in the redo log, the undo log and the pages' record heap
  // order; stored in request order, the n-th HMAC in any of them was the
  // n-th person on HR's list. Chunks are slices of the permutation, so not
  // even which 500 people share a transaction follows the list.
  std::vector<size_t> order(plan->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t k = order.size(); k > 1; --k) {
    absl::StatusOr<uint64_t> j = crypto::RandomBelow(*random_, k);
    if (!j.ok()) {
      return ToGrpcStatus(absl::InternalError(absl::StrCat(
          "no secure randomness; nothing issued: ", std::string(j.status().message()))));
    }
    std::swap(order[k - 1], order[*j]);
  }

  // Per chunk: generate, commit. Streaming starts once every chunk is
  // committed, in request order (HR's files list the events as asked), so
  // every token the caller sees is answerable; the price is holding the
  // plaintext tokens of one call (at most kMaxInvitationsPerCall, a few
  // MB) until then. If the stream breaks (client gone) afterwards, the
  // tokens are stored but never delivered; nobody holds them, they expire
  // unused, and HR simply issues more.
  std::vector<std::string> tokens(plan->size());
  for (size_t begin = 0; begin < order.size(); begin += kChunk) {
    if (ctx->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by client");
    }
    const size_t end = std::min(order.size(), begin + kChunk);
    std::vector<store::NewInvitation> rows;
    for (size_t k = begin; k < end; ++k) {
      absl::StatusOr<std::string> token = crypto::GenerateToken(*random_);
      if (!token.ok()) {
        // Fail closed: never a weak token, and nothing more is issued.
        return ToGrpcStatus(absl::InternalError(absl::StrCat(
            "no secure randomness; issued ", begin, " of ", plan->size(),
            " invitations: ", std::string(token.status().message()))));
      }
      const Planned& p = (*plan)[order[k]];
      rows.push_back({hasher_->Hmac(*token), p.kind, p.subject_code,
                      p.group_code, *expires_at});
      tokens[order[k]] = *std::move(token);
    }
    if (absl::Status s = invitations_->Insert(req->campaign_id(), rows, *audit);
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  for (size_t i = 0; i < plan->size(); ++i) {
    v1::IssuedInvitation out;
    FillIssued((*plan)[i], tokens[i], *link_base, *expires_at, &out);
    if (!writer->Write(out)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by client");
    }
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::RevokeInvitations(
    grpc::ServerContext* ctx, const v1::RevokeInvitationsRequest* req,
    v1::RevokeInvitationsResponse* resp) {
  absl::StatusOr<store::ChangeAudit> audit = CheckSurveyCaller(*ctx);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (req->tokens_size() > kMaxInvitationsPerCall) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("tokens: at most ", kMaxInvitationsPerCall, " per call")));
  }
  std::vector<store::TokenHmac> hmacs;
  hmacs.reserve(req->tokens_size());
  for (int i = 0; i < req->tokens_size(); ++i) {
    absl::StatusOr<std::string> token = crypto::NormalizeToken(req->tokens(i));
    if (!token.ok()) {
      // Never echo the input: it may be a real token with a typo.
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("tokens[", i, "]: malformed")));
    }
    hmacs.push_back(hasher_->Hmac(*token));
  }
  absl::StatusOr<store::RevokeCounts> counts = invitations_->Revoke(hmacs, *audit);
  if (!counts.ok()) return ToGrpcStatus(counts.status());
  resp->set_revoked(counts->revoked);
  resp->set_already_used(counts->already_used);
  resp->set_unknown(counts->unknown);
  return grpc::Status::OK;
}

}  // namespace survey::api
