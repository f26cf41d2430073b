// Per-call logging at --log-level debug and trace (issue 18): each call
// gets a request id (a per-process counter, "r42") and is logged with its
// method, duration and status code; staff calls also with the status
// message (the server's decision: PERMISSION_DENIED and why). Trace also
// logs the start of each call with the metadata keys it carries.
//
// Never logged: metadata values (API keys, dev identities), messages'
// contents (tokens, answers), peers' addresses, and for RespondService the
// status message too (it concerns one respondent's token). At info and
// above this costs one level check per call.
#ifndef SURVEY_API_CALL_LOG_H_
#define SURVEY_API_CALL_LOG_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace survey::api {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeCallLogInterceptorFactory();

}  // namespace survey::api

#endif  // SURVEY_API_CALL_LOG_H_
