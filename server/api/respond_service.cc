#include "api/respond_service.h"

#include "absl/strings/str_cat.h"
#include "api/client_peer.h"
#include "api/status.h"
#include "domain/campaign.h"

namespace survey::api {
namespace {

// Bounds of any template (domain/form.h ValidateTemplate): checked before
// the template is known, so a huge request is refused without a lookup.
constexpr size_t kMaxScores = 200;
constexpr size_t kMaxReasons = 10;
constexpr size_t kMaxSubmissionIdBytes = 128;

constexpr char kMalformedToken[] = "token: malformed";
constexpr char kUnknownToken[] = "unknown survey token";  // also the store's

// A guess: the token does not parse, or no invitation has it.
bool IsBadToken(const absl::Status& s) {
  return (absl::IsInvalidArgument(s) && s.message() == kMalformedToken) ||
         (absl::IsNotFound(s) && s.message() == kUnknownToken);
}

// A failed lookup is no verdict on the token: retryable stays retryable,
// anything else is internal (never NOT_FOUND, "unknown token", to the app).
absl::Status LookupFailure(const absl::Status& s) {
  if (absl::IsUnavailable(s) || absl::IsAborted(s)) return s;
  return absl::InternalError(s.ToString());
}

absl::StatusOr<std::array<uint8_t, 32>> HashToken(
    const crypto::TokenHasher& hasher, const std::string& token) {
  absl::StatusOr<std::string> normalized = crypto::NormalizeToken(token);
  if (!normalized.ok()) {
    // Never echo the token back.
    return absl::InvalidArgumentError(kMalformedToken);
  }
  return hasher.Hmac(*normalized);
}

}  // namespace

bool RespondServiceImpl::AdmitPeer(grpc::CallbackServerContext* ctx,
                                   grpc::ServerUnaryReactor* reactor,
                                   const std::string& peer) {
  if (abuse_ == nullptr || abuse_->InvalidTokenAllowed(peer)) return true;
  ctx->AddTrailingMetadata("retry-after-ms", "10000");
  reactor->Finish(grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      "too many invalid survey tokens from this address; try again later"));
  return false;
}

void RespondServiceImpl::ChargeIfBadToken(const std::string& peer,
                                          const absl::Status& status) {
  if (abuse_ != nullptr && IsBadToken(status)) abuse_->RecordInvalidToken(peer);
}

grpc::ServerUnaryReactor* RespondServiceImpl::Submit(
    grpc::CallbackServerContext* ctx, const v1::SubmitRequest* request,
    v1::SubmitResponse*) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::string peer =
      abuse_ == nullptr ? std::string() : ClientPeer(*ctx, abuse_->trusted_gateways());
  if (!AdmitPeer(ctx, reactor, peer)) return reactor;
  absl::StatusOr<std::array<uint8_t, 32>> hmac = HashToken(*hasher_, request->token());
  if (!hmac.ok()) {
    ChargeIfBadToken(peer, hmac.status());
    reactor->Finish(ToGrpcStatus(hmac.status()));
    return reactor;
  }
  if (request->submission_id().size() > kMaxSubmissionIdBytes) {
    reactor->Finish(ToGrpcStatus(
        absl::InvalidArgumentError("submission_id: longer than 128 bytes")));
    return reactor;
  }
  domain::Submission answer{
      {request->scores().begin(), request->scores().end()},
      {request->reasons().begin(), request->reasons().end()},
      request->comment()};
  // Pure checks first: bad input never reaches the database and the token
  // stays usable. The score count is checked against the template in the
  // batch (it needs the campaign the token belongs to).
  if (absl::Status s = domain::ValidateSubmissionWithoutTemplate(
          answer, limits_, kMaxScores, kMaxReasons);
      !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  std::shared_ptr<Call> call = Begin(reactor);
  if (call == nullptr) return reactor;
  store::SubmitItem item{*hmac, std::move(answer.scores),
                         std::move(answer.reasons), std::move(answer.comment)};
  absl::Status queued = pipeline_->Enqueue(
      std::move(item),
      [this, call, peer = std::move(peer)](absl::Status outcome) {
        ChargeIfBadToken(peer, outcome);
        Answer(call, ToGrpcStatus(outcome));
        End();
      });
  if (!queued.ok()) {
    Answer(call, PublicStatus(queued.message() == ingest::kShuttingDown
                                  ? Failure::kShuttingDown
                                  : Failure::kOverloaded));
    End();
  }
  return reactor;
}

grpc::ServerUnaryReactor* RespondServiceImpl::GetSurvey(
    grpc::CallbackServerContext* ctx, const v1::GetSurveyRequest* request,
    v1::Survey* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::string peer =
      abuse_ == nullptr ? std::string() : ClientPeer(*ctx, abuse_->trusted_gateways());
  if (!AdmitPeer(ctx, reactor, peer)) return reactor;
  std::shared_ptr<Call> call = Begin(reactor);
  if (call == nullptr) return reactor;
  // The work owns copies: after Close() has answered the call, gRPC frees
  // its request and response while the work may still be reading.
  bool queued = pool_->Submit([this, call, request = *request, response, peer] {
    v1::Survey survey;
    absl::Status status = LoadSurvey(request, &survey);
    ChargeIfBadToken(peer, status);
    Answer(call, ToGrpcStatus(status), [&] { response->Swap(&survey); });
    End();
  });
  if (!queued) {
    Answer(call, PublicStatus(Failure::kOverloaded));
    End();
  }
  return reactor;
}

struct RespondServiceImpl::Call {
  grpc::ServerUnaryReactor* reactor;
  bool answered = false;  // guarded by the service's mu_
};

std::shared_ptr<RespondServiceImpl::Call> RespondServiceImpl::Begin(
    grpc::ServerUnaryReactor* reactor) {
  {
    absl::MutexLock lock(&mu_);
    if (!closed_) {
      auto call = std::make_shared<Call>(Call{reactor});
      waiting_.insert(call);
      ++working_;
      return call;
    }
    last_refused_ = absl::Now();
  }
  reactor->Finish(PublicStatus(Failure::kShuttingDown));
  return nullptr;
}

bool RespondServiceImpl::Answer(const std::shared_ptr<Call>& call,
                                const grpc::Status& status,
                                const std::function<void()>& fill) {
  {
    absl::MutexLock lock(&mu_);
    if (call->answered) return false;
    call->answered = true;
    waiting_.erase(call);
  }
  if (fill) fill();
  call->reactor->Finish(status);
  return true;
}

void RespondServiceImpl::End() {
  absl::MutexLock lock(&mu_);
  --working_;
}

bool RespondServiceImpl::WaitAnswered(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return waiting_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
}

bool RespondServiceImpl::WaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return working_ == 0; };
  return mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
}

void RespondServiceImpl::Refuse() {
  absl::MutexLock lock(&mu_);
  if (!closed_) last_refused_ = absl::Now();  // wait `quiet` from here
  closed_ = true;
}

bool RespondServiceImpl::WaitQuiet(absl::Duration quiet, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (true) {
    absl::Time quiet_at = last_refused_ + quiet;
    if (absl::Now() >= quiet_at) return true;
    if (quiet_at > deadline) return false;
    // Sleeps until then; an arrival meanwhile only moves it later.
    absl::Time seen = last_refused_;
    auto arrived = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return last_refused_ != seen;
    };
    mu_.AwaitWithDeadline(absl::Condition(&arrived), quiet_at);
  }
}

size_t RespondServiceImpl::Close() {
  std::vector<std::shared_ptr<Call>> left;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    for (const std::shared_ptr<Call>& call : waiting_) {
      call->answered = true;
      left.push_back(call);
    }
    waiting_.clear();
  }
  // Their answers may still be committed later (an in-doubt batch): the
  // app retries with the same token and hears ALREADY_EXISTS (respond.proto).
  for (const std::shared_ptr<Call>& call : left) {
    call->reactor->Finish(PublicStatus(Failure::kShuttingDown));
  }
  return left.size();
}

absl::Status RespondServiceImpl::LoadSurvey(const v1::GetSurveyRequest& request,
                                            v1::Survey* out) {
  absl::StatusOr<std::array<uint8_t, 32>> hmac = HashToken(*hasher_, request.token());
  if (!hmac.ok()) return hmac.status();
  absl::StatusOr<store::InvitationView> view = invitations_->FindByTokenHmac(*hmac);
  if (!view.ok()) {
    if (absl::IsNotFound(view.status())) {
      return absl::NotFoundError(kUnknownToken);
    }
    return LookupFailure(view.status());
  }
  // Same order of checks as the Submit batch.
  if (view->state == domain::InvitationState::kUsed) {
    return absl::AlreadyExistsError("this survey was already answered");
  }
  if (view->state == domain::InvitationState::kRevoked) {
    return absl::FailedPreconditionError("invitation revoked");
  }
  if (view->expires_at <= clock_()) {
    return absl::FailedPreconditionError("invitation expired");
  }
  const domain::Campaign& campaign = view->campaign;
  if (campaign.state != domain::CampaignState::kOpen) {
    return absl::FailedPreconditionError(absl::StrCat(
        "survey is not open (",
        std::string(domain::CampaignStateName(campaign.state)), ")"));
  }
  absl::StatusOr<std::shared_ptr<const domain::Template>> form =
      templates_->Get(campaign.template_key, campaign.template_version);
  if (!form.ok()) return LookupFailure(form.status());

  const std::string& locale = request.locale().empty() ? "zh" : request.locale();
  out->set_kind(campaign.kind == domain::CampaignKind::kCustomerSatisfaction
                    ? v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION
                    : v1::CAMPAIGN_KIND_CROSS_EVALUATION);
  out->set_title(campaign.title.Pick(locale));
  out->set_period(campaign.period);
  out->set_subject_name(view->subject_name);
  out->set_subject_department_name(view->subject_department_name);
  out->set_evaluating_department_name(view->group_name);
  for (const domain::Indicator& indicator : (*form)->indicators) {
    v1::SurveyIndicator* i = out->add_indicators();
    i->set_key(indicator.key);
    i->set_label(indicator.label.Pick(locale));
    i->set_weight_percent(indicator.weight_percent);
    for (const domain::SubIndicator& sub : indicator.subs) {
      v1::SurveySubIndicator* s = i->add_sub_indicators();
      s->set_key(sub.key);
      s->set_label(sub.label.Pick(locale));
      s->set_description(sub.description.Pick(locale));
    }
  }
  for (const domain::ScaleBand& band : (*form)->bands) {
    v1::SurveyBand* b = out->add_bands();
    b->set_low(band.low);
    b->set_high(band.high);
    b->set_label(band.label.Pick(locale));
  }
  out->set_scale_min((*form)->scale_min);
  out->set_scale_max((*form)->scale_max);
  out->set_reason_max_chars(static_cast<int32_t>(limits_.reason_max));
  out->set_comment_max_chars(static_cast<int32_t>(limits_.comment_max));
  out->set_expires_at_unix(view->expires_at);
  // Which language LocalizedText::Pick chose for `locale`.
  static const domain::LocalizedText kProbe{"zh", "en"};
  out->set_locale(kProbe.Pick(locale));
  return absl::OkStatus();
}

}  // namespace survey::api
