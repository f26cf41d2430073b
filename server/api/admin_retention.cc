// AdminService.ApplyRetention (admin.proto): the answers of closed
// campaigns past retention are removed; their figures stay.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/admin_service.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/retention.h"

namespace survey::api {
namespace {

v1::CampaignKind KindToProto(domain::CampaignKind kind) {
  return kind == domain::CampaignKind::kCrossEvaluation ? v1::CAMPAIGN_KIND_CROSS_EVALUATION
                                                         : v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION;
}

}  // namespace

void AdminServiceImpl::EnableRetention(store::RetentionStore* store,
                                       domain::RetentionPolicy policy, absl::TimeZone zone,
                                       std::function<int64_t()> now_unix) {
  retention_ = store;
  retention_policy_ = policy;
  zone_ = zone;
  now_unix_ = std::move(now_unix);
}

grpc::Status AdminServiceImpl::ApplyRetention(grpc::ServerContext* ctx,
                                              const v1::ApplyRetentionRequest* req,
                                              v1::ApplyRetentionResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  if (retention_ == nullptr || audit_ == nullptr) {
    return ToGrpcStatus(absl::UnimplementedError("retention is not configured on this server"));
  }
  const int64_t now = now_unix_();
  const absl::CivilSecond local = absl::ToCivilSecond(absl::FromUnixSeconds(now), zone_);
  absl::StatusOr<domain::Period> today =
      domain::Period::FromYearMonth(static_cast<int>(local.year()), local.month());
  if (!today.ok()) return ToGrpcStatus(absl::InternalError("the clock is out of range"));
  resp->set_today(today->ToString());

  absl::StatusOr<std::vector<store::ClosedCampaign>> closed = retention_->ClosedCampaigns();
  if (!closed.ok()) return ToGrpcStatus(closed.status());
  const store::ChangeAudit audit{audit_, AuditActorOf(*p)};
  for (const store::ClosedCampaign& c : *closed) {
    v1::RetentionOutcome* out = resp->add_campaigns();
    out->set_campaign_id(c.id);
    out->set_kind(KindToProto(c.kind));
    out->set_period(c.period.ToString());
    if (absl::StatusOr<domain::Period> from =
            domain::RemovableFrom(retention_policy_, c.kind, c.period);
        from.ok()) {
      out->set_removable_from(from->ToString());
    }
    if (c.removal_done) {
      out->set_outcome("removed_earlier");
      continue;
    }
    // A removal begun by an earlier run is finished whatever the policy
    // says now: its audit record already announced it.
    if (c.responses_removed_at == 0 &&
        !domain::PastRetention(retention_policy_, c.kind, c.period, *today)) {
      out->set_outcome("kept");
      continue;
    }
    if (req->dry_run()) {
      out->set_outcome("would_remove");
      out->set_responses_removed(c.responses);
      continue;
    }
    absl::StatusOr<int64_t> removed = retention_->RemoveResponses(c.id, now, audit);
    if (!removed.ok()) return ToGrpcStatus(removed.status());
    out->set_outcome("removed");
    out->set_responses_removed(*removed);
  }
  return grpc::Status::OK;
}

}  // namespace survey::api
