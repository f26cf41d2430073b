// Every call's failure carries machine-readable trailers, whichever service
// and code path made it (one interceptor instead of one line per RPC):
//
//   reason          every failure (api/error_reason.h; the list is in
//                   respond.proto "Error contract"); the fixed failures of
//                   api/status.h keep theirs: DATABASE_UNAVAILABLE,
//                   DATABASE_BUSY, OVERLOADED, SHUTTING_DOWN, INTERNAL
//   field           with FIELD_INVALID, the field the message names
//   line, column    with CSV_INVALID, where in the uploaded CSV file
//   retry-after-ms  for the retryable ones, unless the handler set its own
//
// It is also the last line of defence of "no internals to callers": a
// status that still carries driver text or a URL (api/status.h
// LooksInternal) is logged and sent without its message.
#ifndef SURVEY_API_STATUS_TRAILERS_H_
#define SURVEY_API_STATUS_TRAILERS_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace survey::api {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeStatusTrailersInterceptorFactory();

}  // namespace survey::api

#endif  // SURVEY_API_STATUS_TRAILERS_H_
