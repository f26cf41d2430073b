// The staff console's calls through the gateway (issue 15): the session
// cookie and the refusal of cross-site requests. Pure functions; the
// gateway (gateway.cc) applies them to every call of a staff service.
//
// The browser never holds the session token where a script can read it:
// the gateway takes `session_token` out of AccountService.SignIn and
// Activate answers and keeps it in an HttpOnly; Secure; SameSite=Strict
// cookie, and turns that cookie back into `authorization: Bearer <token>`
// upstream. Because a cookie rides along with any request the browser
// makes, a staff call must also prove it comes from the console's own
// scripts: the custom header `x-survey-csrf: 1` (a cross-site form cannot
// set a header, and a cross-site fetch with one needs a CORS preflight that
// the gateway never grants), and an `Origin`, if sent, equal to the
// gateway's own.
#ifndef SURVEY_GATEWAY_SESSION_H_
#define SURVEY_GATEWAY_SESSION_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace survey::gateway {

inline constexpr char kSessionCookieName[] = "survey_session";
inline constexpr char kCsrfHeader[] = "x-survey-csrf";
inline constexpr char kReasonCsrfRefused[] = "CSRF_REFUSED";
// The fields of SignInResponse the gateway reads (account.proto).
inline constexpr char kSessionTokenField[] = "session_token";
inline constexpr char kExpiresAtField[] = "expires_at_unix";

// A value that can be a bearer credential: 1..512 characters of
// A-Z a-z 0-9 _ - . (session tokens and API keys are such), so nothing a
// cookie holds can smuggle anything else into the upstream metadata.
bool PlausibleToken(absl::string_view token);

// The session token from the request's Cookie headers: the value of the one
// cookie named survey_session, if it is a PlausibleToken. With none, an
// implausible one, or several (a sibling domain may set a second one to fix
// a session of its choosing), nullopt: the call goes upstream without a
// credential and the server answers UNAUTHENTICATED.
std::optional<std::string> SessionFromCookies(const std::vector<std::string>& cookie_headers);

// Set-Cookie values: the session for `max_age_seconds`, and its removal.
std::string SessionCookie(absl::string_view token, int64_t max_age_seconds);
std::string ExpiredSessionCookie();

// True if `origin` ("https://host:port") is the origin of a request that
// arrived with Host `host` over https (`https`) or http. Default ports
// (443, 80) may be written or left out on either side; case is ignored.
bool SameOrigin(absl::string_view origin, absl::string_view host, bool https);

// OK if a staff call may proceed: `csrf_headers` is exactly {"1"}, and
// `origins` is empty or exactly one origin SameOrigin with `host`.
// Otherwise PERMISSION_DENIED saying which check failed.
grpc::Status CheckCsrf(const std::vector<std::string>& csrf_headers,
                       const std::vector<std::string>& origins, absl::string_view host,
                       bool https);

// `wire` is a message of `type` with the string field session_token and
// the int64 field expires_at_unix (SignInResponse): moves the token out
// (the field cleared, `wire` re-serialised) and reads the expiry.
// INTERNAL if `type` lacks those fields or `wire` does not parse.
grpc::Status TakeSessionToken(const google::protobuf::Descriptor* type, std::string* wire,
                              std::string* token, int64_t* expires_at_unix);

}  // namespace survey::gateway

#endif  // SURVEY_GATEWAY_SESSION_H_
