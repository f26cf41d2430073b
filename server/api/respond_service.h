// RespondService (proto/survey/v1/respond.proto) on gRPC's callback API:
// a Submit waiting for its group commit holds no thread, and GetSurvey's
// SQL runs on a small work pool instead of a gRPC callback thread.
//
// Nothing here logs a token, a peer or the content of an answer.
//
// Guessing: every unknown or malformed token charges the caller's address
// in the AbuseLimiter (if one is given); an address whose bucket is empty
// gets RESOURCE_EXHAUSTED before its token is even looked at.
#ifndef SURVEY_API_RESPOND_SERVICE_H_
#define SURVEY_API_RESPOND_SERVICE_H_

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

 private:
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
};

}  // namespace survey::api

#endif  // SURVEY_API_RESPOND_SERVICE_H_
