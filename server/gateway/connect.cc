#include "gateway/connect.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace survey::gateway {
namespace {

namespace pb = google::protobuf;

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* type) {
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(type);
  return prototype == nullptr ? nullptr : std::unique_ptr<pb::Message>(prototype->New());
}

grpc::Status Malformed(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

}  // namespace

std::optional<Codec> CodecFor(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  if (absl::EqualsIgnoreCase(media, "application/json")) return Codec::kJson;
  if (absl::EqualsIgnoreCase(media, "application/proto")) return Codec::kProto;
  return std::nullopt;
}

const char* ContentType(Codec codec) {
  return codec == Codec::kJson ? "application/json" : "application/proto";
}

std::optional<Codec> StreamCodecFor(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  if (absl::EqualsIgnoreCase(media, "application/connect+json")) return Codec::kJson;
  if (absl::EqualsIgnoreCase(media, "application/connect+proto")) return Codec::kProto;
  return std::nullopt;
}

const char* StreamContentType(Codec codec) {
  return codec == Codec::kJson ? "application/connect+json" : "application/connect+proto";
}

bool IsStreamContentType(absl::string_view content_type) {
  return absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(content_type),
                                    "application/connect+");
}

std::string Envelope(uint8_t flags, absl::string_view message) {
  const uint32_t n = static_cast<uint32_t>(message.size());
  std::string out;
  out.reserve(kEnvelopeHeaderBytes + message.size());
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(message.data(), message.size());
  return out;
}

grpc::Status ParseRequestEnvelope(absl::string_view body, std::string* message) {
  if (body.size() < kEnvelopeHeaderBytes) {
    return Malformed("request body: expected one enveloped message");
  }
  const auto byte = [&body](size_t i) { return static_cast<uint8_t>(body[i]); };
  const uint8_t flags = byte(0);
  const uint64_t n = (uint64_t{byte(1)} << 24) | (uint64_t{byte(2)} << 16) |
                     (uint64_t{byte(3)} << 8) | uint64_t{byte(4)};
  if (flags != 0) {
    // No compression is offered (no connect-accept-encoding), and a
    // request stream never carries an end-of-stream message.
    return Malformed("request body: envelope flags must be 0");
  }
  if (body.size() - kEnvelopeHeaderBytes != n) {
    return Malformed("request body: a server-streaming call takes exactly one message");
  }
  message->assign(body.data() + kEnvelopeHeaderBytes, n);
  return grpc::Status::OK;
}

Metadata CopyMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& in) {
  Metadata out;
  for (const auto& [k, v] : in) {
    out.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

std::string EndStreamBody(const grpc::Status& status, const Metadata& trailers) {
  nlohmann::json end = nlohmann::json::object();
  if (!status.ok()) end["error"] = ErrorJson(status);
  nlohmann::json metadata = nlohmann::json::object();
  for (const auto& [key, value] : trailers) {
    if (!Forwardable(key)) continue;
    std::optional<std::string> v = HeaderValue(key, value);
    if (!v) continue;
    metadata[key].push_back(*v);
  }
  if (!metadata.empty()) end["metadata"] = std::move(metadata);
  try {
    return end.dump();
  } catch (const nlohmann::json::exception&) {
    // A message that is not UTF-8: the code alone still says what happened.
    nlohmann::json bare = nlohmann::json::object();
    if (!status.ok()) bare["error"] = {{"code", CodeName(status.error_code())}};
    return bare.dump();
  }
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "ok";
    case grpc::StatusCode::CANCELLED: return "canceled";
    case grpc::StatusCode::UNKNOWN: return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND: return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS: return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED: return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "failed_precondition";
    case grpc::StatusCode::ABORTED: return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED: return "unimplemented";
    case grpc::StatusCode::INTERNAL: return "internal";
    case grpc::StatusCode::UNAVAILABLE: return "unavailable";
    case grpc::StatusCode::DATA_LOSS: return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED: return "unauthenticated";
    default: return "unknown";
  }
}

int HttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    default: return 500;  // unknown, internal, data_loss
  }
}

grpc::Status DecodeRequest(const pb::Descriptor* type, Codec codec,
                           absl::string_view body, std::string* wire) {
  std::unique_ptr<pb::Message> message = NewMessage(type);
  if (message == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no type");
  if (codec == Codec::kJson) {
    pb::util::JsonParseOptions options;
    // An app built from newer protos may send fields this build lacks.
    options.ignore_unknown_fields = true;
    if (body.empty()) body = "{}";
    pb::util::Status parsed = pb::util::JsonStringToMessage(
        pb::StringPiece(body.data(), body.size()), message.get(), options);
    if (!parsed.ok()) {
      return Malformed("request body: not a " + type->full_name() + " in JSON");
    }
  } else if (!message->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Malformed("request body: not a " + type->full_name());
  }
  if (!message->SerializeToString(wire)) return Malformed("request body: too large");
  return grpc::Status::OK;
}

grpc::Status EncodeResponse(const pb::Descriptor* type, Codec codec,
                            absl::string_view wire, std::string* body) {
  if (codec == Codec::kProto) {
    body->assign(wire.data(), wire.size());
    return grpc::Status::OK;
  }
  std::unique_ptr<pb::Message> message = NewMessage(type);
  if (message == nullptr ||
      !message->ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "response does not parse");
  }
  pb::util::Status printed = pb::util::MessageToJsonString(*message, body);
  if (!printed.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "response to JSON");
  return grpc::Status::OK;
}

nlohmann::json ErrorJson(const grpc::Status& status) {
  nlohmann::json error = {{"code", CodeName(status.error_code())}};
  if (!status.error_message().empty()) error["message"] = status.error_message();
  return error;
}

std::string ErrorBody(const grpc::Status& status) {
  // The server's messages are UTF-8; anything else is not passed on.
  nlohmann::json error = ErrorJson(status);
  try {
    return error.dump();
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json{{"code", CodeName(status.error_code())}}.dump();
  }
}

bool Forwardable(absl::string_view key) {
  if (key.empty() || key.front() == ':') return false;
  for (absl::string_view reserved : {"grpc-", "connect-", "trailer-"}) {
    if (absl::StartsWithIgnoreCase(key, reserved)) return false;
  }
  for (absl::string_view hop : {"content-type", "te", "user-agent", "content-length",
                               "content-encoding", "accept-encoding", "set-cookie"}) {
    if (absl::EqualsIgnoreCase(key, hop)) return false;
  }
  return true;
}

std::optional<std::string> HeaderValue(absl::string_view key, absl::string_view value) {
  std::string v = absl::EndsWith(key, "-bin") ? absl::Base64Escape(value) : std::string(value);
  if (absl::EndsWith(key, "-bin")) {
    while (!v.empty() && v.back() == '=') v.pop_back();
  }
  for (char c : v) {
    if (c < 0x20 || c > 0x7e) return std::nullopt;  // not a valid header value
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> ResponseHeaders(
    const Metadata& initial, const Metadata& trailers) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const std::string& prefix, const std::string& key,
                    const std::string& value) {
    if (!Forwardable(key)) return;
    std::optional<std::string> v = HeaderValue(key, value);
    if (v) out.emplace_back(prefix + key, std::move(*v));
  };
  for (const auto& [k, v] : initial) add("", k, v);
  for (const auto& [k, v] : trailers) add("trailer-", k, v);
  return out;
}

std::string LibraryFailureReason(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE: return kReasonBusy;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return kReasonTimeout;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (absl::StrContains(status.error_message(), "message larger than max") ||
          absl::StrContains(status.error_message(), "larger than max")) {
        return kReasonMessageTooLarge;
      }
      return "";
    default: return "";
  }
}

}  // namespace survey::gateway
