// Staff console sessions and activation codes (AccountService): the
// bearer token format, what is stored of it, and the session policy.
//
// A session token is "sss_" + session_id (16 lower-case hex digits, 64
// random bits, the public handle admins list and revoke) + "_" + secret
// (26 base32 characters, 128 random bits), built like an API key. Only
// HMAC-SHA256(pepper, "session:" + token) is stored. An activation code
// is a survey-style token (26 base32 characters, printed in groups of 5;
// dashes and spaces are ignored when typed), stored as
// HMAC-SHA256(pepper, "activation:" + code).
#ifndef SURVEY_API_SESSION_TOKEN_H_
#define SURVEY_API_SESSION_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "domain/account.h"
#include "store/account_store.h"

namespace survey::api {

inline constexpr char kSessionPrefix[] = "sss_";

struct SessionPolicy {
  int64_t ttl_seconds = 8 * 3600;        // absolute, from the sign-in
  int64_t idle_seconds = 30 * 60;        // without a call
  int64_t touch_step_seconds = 60;       // last_seen moves at most this often
  int64_t activation_seconds = 14 * 24 * 3600;  // of an activation code
  domain::LockoutPolicy lockout;
};

struct GeneratedSecret {
  std::string id;      // session id ("" for activation codes)
  std::string secret;  // the whole token or code, shown once
  store::SecretHmac hmac{};
};

// A fresh session token, or the error of random.Fill().
absl::StatusOr<GeneratedSecret> GenerateSessionToken(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher);
store::SecretHmac SessionHmacOf(const crypto::TokenHasher& hasher,
                                std::string_view token);
// True if `token` looks like a session token (not necessarily valid).
bool IsSessionToken(std::string_view token);
// The session id of a well-formed token; InvalidArgument otherwise (the
// message never repeats the input).
absl::StatusOr<std::string> ParseSessionId(std::string_view token);
// True for 16 lower-case hex digits.
bool IsSessionId(std::string_view id);

// A fresh activation code, or the error of random.Fill().
absl::StatusOr<GeneratedSecret> GenerateActivationCode(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher);
// `code` as typed (NormalizeToken); InvalidArgument if it cannot be one.
absl::StatusOr<store::SecretHmac> ActivationHmacOf(
    const crypto::TokenHasher& hasher, std::string_view code);

}  // namespace survey::api

#endif  // SURVEY_API_SESSION_TOKEN_H_
