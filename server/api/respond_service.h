// RespondService (proto/survey/v1/respond.proto) on gRPC's callback API:
// a Submit waiting for its group commit holds no thread, and GetSurvey's
// SQL runs on a small work pool instead of a gRPC callback thread.
//
// Nothing here logs a token, a peer or the content of an answer.
//
// Guessing: every unknown or malformed token charges the caller's address
// in the AbuseLimiter (if one is given); an address whose bucket is empty
// gets RESOURCE_EXHAUSTED before its token is even looked at.
//
// Shutdown: every call is tracked until it is answered, so that Close() can
// answer those still waiting for the database with UNAVAILABLE
// (SHUTTING_DOWN, retry) instead of leaving them to gRPC's cancellation.
// A call is answered exactly once, by whichever comes first.
#ifndef SURVEY_API_RESPOND_SERVICE_H_
#define SURVEY_API_RESPOND_SERVICE_H_

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/abuse_limiter.h"
#include "api/work_pool.h"
#include "crypto/token.h"
#include "domain/submission.h"
#include "ingest/ingest_pipeline.h"
#include "store/survey_store.h"
#include "store/template_cache.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::api {

class RespondServiceImpl final : public v1::RespondService::CallbackService {
 public:
  // All pointers must outlive the service.
  RespondServiceImpl(const crypto::TokenHasher* hasher,
                     store::InvitationStore* invitations,
                     store::TemplateCache* templates,
                     ingest::IngestPipeline* pipeline, WorkPool* pool,
                     ingest::Clock clock, domain::TextLimits limits = {},
                     AbuseLimiter* abuse = nullptr)
      : hasher_(hasher),
        invitations_(invitations),
        templates_(templates),
        pipeline_(pipeline),
        pool_(pool),
        clock_(std::move(clock)),
        limits_(limits),
        abuse_(abuse) {}

  grpc::ServerUnaryReactor* GetSurvey(grpc::CallbackServerContext* ctx,
                                      const v1::GetSurveyRequest* request,
                                      v1::Survey* response) override;
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx,
                                   const v1::SubmitRequest* request,
                                   v1::SubmitResponse* response) override;

  // True once every call is answered and its database work has returned,
  // false if `deadline` passed first.
  bool WaitAnswered(absl::Time deadline);
  bool WaitIdle(absl::Time deadline);
  // From now on every new call is answered UNAVAILABLE SHUTTING_DOWN at
  // once (with retry-after-ms, so its app backs off); calls in flight go on.
  void Refuse();
  // After Refuse(): true once no call has arrived for `quiet`, i.e. the
  // apps heard "retry later" and back off; false if `deadline` came first.
  // Stopping gRPC only then keeps calls from being in transit when it
  // starts refusing streams (those would be CANCELLED by gRPC itself,
  // without ever reaching the service).
  bool WaitQuiet(absl::Duration quiet, absl::Time deadline);
  // Refuse(), and answers every call still waiting the same way. Returns
  // how many were waiting.
  size_t Close();

 private:
  struct Call;
  // Registers a call; nullptr (and the call answered) once closed.
  std::shared_ptr<Call> Begin(grpc::ServerUnaryReactor* reactor);
  // Answers `call` unless it was answered already; `fill` (the response
  // message) runs only if this is the answer. Returns whether it was.
  bool Answer(const std::shared_ptr<Call>& call, const grpc::Status& status,
              const std::function<void()>& fill = nullptr);
  // The call's database work returned (whether or not it was the answer).
  void End();

  absl::Status LoadSurvey(const v1::GetSurveyRequest& request,
                          v1::Survey* response);
  // False (and `reactor` finished with RESOURCE_EXHAUSTED) if `peer` has
  // used up its invalid-token budget.
  bool AdmitPeer(grpc::CallbackServerContext* ctx,
                 grpc::ServerUnaryReactor* reactor, const std::string& peer);
  // Charges `peer` if `status` says its token was unknown or malformed.
  void ChargeIfBadToken(const std::string& peer, const absl::Status& status);

  const crypto::TokenHasher* hasher_;
  store::InvitationStore* invitations_;
  store::TemplateCache* templates_;
  ingest::IngestPipeline* pipeline_;
  WorkPool* pool_;
  ingest::Clock clock_;
  domain::TextLimits limits_;
  AbuseLimiter* abuse_;

  absl::Mutex mu_;
  absl::flat_hash_set<std::shared_ptr<Call>> waiting_ ABSL_GUARDED_BY(mu_);
  int64_t working_ ABSL_GUARDED_BY(mu_) = 0;  // Begin() minus End()
  bool closed_ ABSL_GUARDED_BY(mu_) = false;  // refusing new calls
  absl::Time last_refused_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace survey::api

#endif  // SURVEY_API_RESPOND_SERVICE_H_
