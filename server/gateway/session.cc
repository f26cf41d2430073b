#include "gateway/session.h"

#include <google/protobuf/message.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace survey::gateway {
namespace {

namespace pb = google::protobuf;

constexpr char kCookieAttributes[] = "; HttpOnly; Secure; SameSite=Strict; Path=/";

grpc::Status Refused(std::string message) {
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::move(message));
}

// "host:443" over https and "host:80" over http are "host".
std::string Authority(absl::string_view authority, bool https) {
  absl::ConsumeSuffix(&authority, https ? ":443" : ":80");
  return absl::AsciiStrToLower(authority);
}

}  // namespace

bool PlausibleToken(absl::string_view token) {
  if (token.empty() || token.size() > 512) return false;
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

std::optional<std::string> SessionFromCookies(const std::vector<std::string>& cookie_headers) {
  std::optional<std::string> found;
  int count = 0;
  for (const std::string& header : cookie_headers) {
    for (absl::string_view pair : absl::StrSplit(header, ';')) {
      pair = absl::StripAsciiWhitespace(pair);
      const size_t eq = pair.find('=');
      if (eq == absl::string_view::npos) continue;
      // Cookie names are case-sensitive (RFC 6265 5.4).
      if (absl::StripAsciiWhitespace(pair.substr(0, eq)) != kSessionCookieName) continue;
      absl::string_view value = absl::StripAsciiWhitespace(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      ++count;
      found = std::string(value);
    }
  }
  if (count != 1 || !PlausibleToken(*found)) return std::nullopt;
  return found;
}

std::string SessionCookie(absl::string_view token, int64_t max_age_seconds) {
  return absl::StrCat(kSessionCookieName, "=", token, kCookieAttributes,
                      "; Max-Age=", std::max<int64_t>(0, max_age_seconds));
}

std::string ExpiredSessionCookie() {
  return absl::StrCat(kSessionCookieName, "=", kCookieAttributes, "; Max-Age=0");
}

bool SameOrigin(absl::string_view origin, absl::string_view host, bool https) {
  absl::string_view scheme = https ? "https://" : "http://";
  if (host.empty() || !absl::StartsWithIgnoreCase(origin, scheme)) return false;
  absl::string_view authority = origin.substr(scheme.size());
  // An origin is scheme://host[:port], nothing after it.
  if (authority.empty() || authority.find_first_of("/?#@ ") != absl::string_view::npos) {
    return false;
  }
  return Authority(authority, https) == Authority(host, https);
}

grpc::Status CheckCsrf(const std::vector<std::string>& csrf_headers,
                       const std::vector<std::string>& origins, absl::string_view host,
                       bool https) {
  if (csrf_headers.size() != 1 || absl::StripAsciiWhitespace(csrf_headers[0]) != "1") {
    return Refused(absl::StrCat("staff calls need the header ", kCsrfHeader, ": 1"));
  }
  if (origins.size() > 1) return Refused("more than one Origin header");
  if (origins.size() == 1 && !SameOrigin(origins[0], host, https)) {
    return Refused("cross-origin staff call refused");
  }
  return grpc::Status::OK;
}

grpc::Status TakeSessionToken(const pb::Descriptor* type, std::string* wire,
                              std::string* token, int64_t* expires_at_unix) {
  const pb::FieldDescriptor* token_field = type->FindFieldByName(kSessionTokenField);
  const pb::FieldDescriptor* expires_field = type->FindFieldByName(kExpiresAtField);
  if (token_field == nullptr || token_field->is_repeated() ||
      token_field->type() != pb::FieldDescriptor::TYPE_STRING || expires_field == nullptr ||
      expires_field->is_repeated() || expires_field->type() != pb::FieldDescriptor::TYPE_INT64) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "not a sign-in response");
  }
  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no type");
  std::unique_ptr<pb::Message> message(prototype->New());
  if (!message->ParseFromString(*wire)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "response does not parse");
  }
  const pb::Reflection* reflection = message->GetReflection();
  *token = reflection->GetString(*message, token_field);
  *expires_at_unix = reflection->GetInt64(*message, expires_field);
  reflection->ClearField(message.get(), token_field);
  // The same message without the token: unknown fields (a newer server's)
  // are kept, so nothing else changes for the browser.
  if (!message->SerializeToString(wire)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "response does not serialise");
  }
  return grpc::Status::OK;
}

}  // namespace survey::gateway
