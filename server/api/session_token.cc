#include "api/session_token.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

namespace survey::api {
namespace {

constexpr size_t kIdHexDigits = 16;
constexpr size_t kPrefixLength = sizeof(kSessionPrefix) - 1;
constexpr size_t kTokenChars = kPrefixLength + kIdHexDigits + 1 + crypto::kTokenLength;

store::SecretHmac HmacWithPurpose(const crypto::TokenHasher& hasher,
                                  std::string_view purpose,
                                  std::string_view secret) {
  std::string input(purpose);
  input.append(secret.data(), secret.size());
  return hasher.Hmac(input);
}

}  // namespace

bool IsSessionId(std::string_view id) {
  return id.size() == kIdHexDigits &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

absl::StatusOr<GeneratedSecret> GenerateSessionToken(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher) {
  uint8_t id[kIdHexDigits / 2];
  if (absl::Status s = random.Fill(id, sizeof id); !s.ok()) return s;
  absl::StatusOr<std::string> secret = crypto::GenerateToken(random);
  if (!secret.ok()) return secret.status();
  GeneratedSecret out;
  out.id = crypto::ToHex(absl::MakeConstSpan(id, sizeof id));
  out.secret = absl::StrCat(kSessionPrefix, out.id, "_", *secret);
  out.hmac = SessionHmacOf(hasher, out.secret);
  return out;
}

store::SecretHmac SessionHmacOf(const crypto::TokenHasher& hasher,
                                std::string_view token) {
  return HmacWithPurpose(hasher, "session:", token);
}

bool IsSessionToken(std::string_view token) {
  return token.starts_with(kSessionPrefix);
}

absl::StatusOr<std::string> ParseSessionId(std::string_view token) {
  if (token.size() != kTokenChars || !token.starts_with(kSessionPrefix) ||
      token[kPrefixLength + kIdHexDigits] != '_' ||
      !IsSessionId(token.substr(kPrefixLength, kIdHexDigits))) {
    return absl::InvalidArgumentError("not a session token");
  }
  return std::string(token.substr(kPrefixLength, kIdHexDigits));
}

absl::StatusOr<GeneratedSecret> GenerateActivationCode(
    crypto::RandomSource& random, const crypto::TokenHasher& hasher) {
  absl::StatusOr<std::string> code = crypto::GenerateToken(random);
  if (!code.ok()) return code.status();
  GeneratedSecret out;
  out.secret = crypto::FormatTokenForPrint(*code);
  out.hmac = HmacWithPurpose(hasher, "activation:", *code);
  return out;
}

absl::StatusOr<store::SecretHmac> ActivationHmacOf(
    const crypto::TokenHasher& hasher, std::string_view code) {
  absl::StatusOr<std::string> normal = crypto::NormalizeToken(code);
  if (!normal.ok()) return absl::InvalidArgumentError("not an activation code");
  return HmacWithPurpose(hasher, "activation:", *normal);
}

}  // namespace survey::api
