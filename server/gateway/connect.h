// The Connect protocol (connectrpc.com/docs/protocol), as the browser
// gateway speaks it: unary calls and server-streaming calls. Pure functions
// from one HTTP request to one gRPC call and from the gRPC outcome back to
// the HTTP response (for a stream: its envelopes). Generic
// over methods: the request and response types come from the protobuf
// descriptors compiled into the binary, JSON uses protobuf's JSON mapping.
#ifndef SURVEY_GATEWAY_CONNECT_H_
#define SURVEY_GATEWAY_CONNECT_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/status.h>
#include <grpcpp/support/string_ref.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace survey::gateway {

enum class Codec { kJson, kProto };

using Metadata = std::multimap<std::string, std::string>;

// "application/json", "application/json; charset=utf-8" -> kJson;
// "application/proto" -> kProto; anything else nullopt (HTTP 415).
std::optional<Codec> CodecFor(absl::string_view content_type);
const char* ContentType(Codec codec);

// Server streams: "application/connect+json" -> kJson,
// "application/connect+proto" -> kProto; anything else nullopt.
std::optional<Codec> StreamCodecFor(absl::string_view content_type);
const char* StreamContentType(Codec codec);
// True if the content type names the streaming protocol at all
// ("application/connect+..."), even with a codec we lack.
bool IsStreamContentType(absl::string_view content_type);

// Envelope flags: the message is compressed; the message is the
// EndStreamResponse (the last one of a response stream).
inline constexpr uint8_t kFlagCompressed = 0x01;
inline constexpr uint8_t kFlagEndStream = 0x02;
inline constexpr size_t kEnvelopeHeaderBytes = 5;
// One enveloped message: flags, 4-byte big-endian length, the message.
std::string Envelope(uint8_t flags, absl::string_view message);
// The request of a server-streaming call: exactly one uncompressed
// envelope holding `message`. INVALID_ARGUMENT (MESSAGE_MALFORMED) otherwise.
grpc::Status ParseRequestEnvelope(absl::string_view body, std::string* message);
// The EndStreamResponse JSON: {"error": {...}} unless `status` is OK, and
// the server's forwardable trailers as {"metadata": {"key": ["value"]}}.
std::string EndStreamBody(const grpc::Status& status, const Metadata& trailers);

// A gRPC call's received metadata as owned strings.
Metadata CopyMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& in);

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
// The same as a JSON value (for the EndStreamResponse).
nlohmann::json ErrorJson(const grpc::Status& status);

// The value as an HTTP header carries it: -bin values in unpadded base64;
// nullopt if it holds bytes a header cannot.
std::optional<std::string> HeaderValue(absl::string_view key, absl::string_view value);

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
