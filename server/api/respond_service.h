// RespondService (proto/survey/v1/respond.proto) on gRPC's callback API, so
// that a Submit waiting for its group commit holds no thread.
#ifndef SURVEY_API_RESPOND_SERVICE_H_
#define SURVEY_API_RESPOND_SERVICE_H_

#include "survey/v1/respond.grpc.pb.h"

namespace survey::api {

// GetSurvey and Submit answer UNIMPLEMENTED (from the generated base) until
// the mobile-path issue lands them.
class RespondServiceImpl final : public v1::RespondService::CallbackService {};

}  // namespace survey::api

#endif  // SURVEY_API_RESPOND_SERVICE_H_
