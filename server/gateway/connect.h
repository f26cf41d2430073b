// The Connect protocol's unary calls (connectrpc.com/docs/protocol), as the
// browser gateway speaks them: pure functions from one HTTP request to one
// gRPC call and from the gRPC outcome back to one HTTP response. Generic
// over methods: the request and response types come from the protobuf
// descriptors compiled into the binary, JSON uses protobuf's JSON mapping.
#ifndef SURVEY_GATEWAY_CONNECT_H_
#define SURVEY_GATEWAY_CONNECT_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/status.h>

#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace survey::gateway {

enum class Codec { kJson, kProto };

// "application/json", "application/json; charset=utf-8" -> kJson;
// "application/proto" -> kProto; anything else nullopt (HTTP 415).
std::optional<Codec> CodecFor(absl::string_view content_type);
const char* ContentType(Codec codec);

// Connect's code name ("not_found") and HTTP status (404) of a gRPC code.
const char* CodeName(grpc::StatusCode code);
int HttpStatus(grpc::StatusCode code);

// Reasons the gateway itself gives (the server's are in respond.proto).
inline constexpr char kReasonMessageTooLarge[] = "MESSAGE_TOO_LARGE";
inline constexpr char kReasonMessageMalformed[] = "MESSAGE_MALFORMED";
inline constexpr char kReasonUnknownMethod[] = "UNKNOWN_METHOD";
inline constexpr char kReasonBusy[] = "BUSY";
inline constexpr char kReasonTimeout[] = "TIMEOUT";

// The request body (`codec`) as the binary protobuf of `type`.
// INVALID_ARGUMENT (MESSAGE_MALFORMED) if it does not parse.
grpc::Status DecodeRequest(const google::protobuf::Descriptor* type, Codec codec,
                           absl::string_view body, std::string* wire);
// The binary protobuf `wire` of `type` in `codec`.
grpc::Status EncodeResponse(const google::protobuf::Descriptor* type, Codec codec,
                            absl::string_view wire, std::string* body);

// Connect's error body: {"code": "...", "message": "..."}.
std::string ErrorBody(const grpc::Status& status);

using Metadata = std::multimap<std::string, std::string>;

// Metadata a server sent that may be passed to a browser: not gRPC's own
// (grpc-*, content-type, te, :pseudo), nor reserved by Connect (connect-*).
bool Forwardable(absl::string_view key);
// HTTP headers for a response: the server's initial metadata as is, its
// trailers prefixed "trailer-"; -bin values in unpadded base64.
std::vector<std::pair<std::string, std::string>> ResponseHeaders(
    const Metadata& initial, const Metadata& trailers);

// The reason for a failure the gRPC library made itself (the server never
// saw the call, so no `reason` trailer came): UNAVAILABLE -> BUSY,
// DEADLINE_EXCEEDED -> TIMEOUT, RESOURCE_EXHAUSTED about a message size ->
// MESSAGE_TOO_LARGE; "" otherwise.
std::string LibraryFailureReason(const grpc::Status& status);

}  // namespace survey::gateway

#endif  // SURVEY_GATEWAY_CONNECT_H_
