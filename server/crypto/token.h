// Single-use survey tokens and their peppered hashes.
//
// A token is 128 random bits encoded as RFC 4648 base32 (alphabet A-Z2-7,
// no '=' padding): 26 characters, 26 * 5 = 130 bits, so the low 2 bits of
// the last character are always zero. The database stores only
// TokenHasher::Hmac(token) = HMAC-SHA256(pepper, token), never the token.
//
// All functions here are thread-safe (no shared mutable state). Error
// messages never contain the token or any part of the input.
#ifndef SURVEY_CRYPTO_TOKEN_H_
#define SURVEY_CRYPTO_TOKEN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/random.h"

namespace survey::crypto {

inline constexpr size_t kTokenBytes = 16;   // 128 bits of entropy.
inline constexpr size_t kTokenLength = 26;  // ceil(128 / 5) characters.
// NormalizeToken rejects longer raw input before looking at it.
inline constexpr size_t kMaxTokenInputLength = 128;
// TokenHasher::Create rejects shorter peppers.
inline constexpr size_t kMinPepperBytes = 32;

using Sha256Digest = std::array<uint8_t, 32>;

// RFC 4648 base32 of `bytes`, upper case, without '=' padding:
// "" -> "", "f" -> "MY", "foobar" -> "MZXW6YTBOI". Never fails.
std::string Base32Encode(std::string_view bytes);

// Inverse of Base32Encode. Accepts only the canonical form that
// Base32Encode produces: upper-case A-Z2-7, no '=', no separators, length
// mod 8 in {0, 2, 4, 5, 7}, unused trailing bits zero.
// Returns the decoded bytes, or InvalidArgument otherwise.
absl::StatusOr<std::string> Base32Decode(std::string_view encoded);

// Returns a fresh token: Base32Encode of kTokenBytes bytes from `random`
// (kTokenLength characters, already normalized).
// Returns the error of `random.Fill()` if it fails (never a weak token).
absl::StatusOr<std::string> GenerateToken(RandomSource& random);

// Turns what a respondent typed or scanned into the canonical token:
// removes every '-' and ' ', upper-cases a-z.
// Returns the kTokenLength-character canonical token, or InvalidArgument
// if the input is longer than kMaxTokenInputLength, or after removing
// separators has the wrong length, a character outside A-Z2-7 (e.g. '0',
// '1', '8', '='), or non-zero padding bits in the last character.
// Accepts every output of GenerateToken and FormatTokenForPrint.
absl::StatusOr<std::string> NormalizeToken(std::string_view user_input);

// Inserts '-' after every 5 characters for printing:
// "ABCDEFGHIJKL" -> "ABCDE-FGHIJ-KL"; a 26-character token becomes
// XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X. Does not validate. Never fails.
std::string FormatTokenForPrint(std::string_view token);

// HMAC-SHA256 (RFC 2104 / FIPS 198-1) of `data` under `key`, via OpenSSL.
// Any key length is allowed (keys longer than 64 bytes are hashed first, as
// the RFC says). Aborts the process if OpenSSL fails (only on allocation
// failure); never returns a wrong MAC.
// REQUIRES: key.size() <= INT_MAX.
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Computes the value stored in the database for a token.
// Move-only; the pepper is wiped (OPENSSL_cleanse) on destruction.
// Thread-safe: const methods may be called concurrently.
class TokenHasher {
 public:
  // Returns a hasher keyed with `pepper` (used byte for byte as the HMAC key;
  // a hex pepper file is used as its hex text, not decoded).
  // Returns InvalidArgument if pepper.size() < kMinPepperBytes.
  static absl::StatusOr<TokenHasher> Create(std::string pepper);

  TokenHasher(TokenHasher&&) = default;
  TokenHasher& operator=(TokenHasher&& other) noexcept;
  TokenHasher(const TokenHasher&) = delete;
  TokenHasher& operator=(const TokenHasher&) = delete;
  ~TokenHasher();

  // Returns HMAC-SHA256(pepper, normalized_token).
  // REQUIRES: `normalized_token` is an output of NormalizeToken or
  // GenerateToken (otherwise the result just never matches a stored hash).
  // REQUIRES: *this has not been moved from (checked: aborts).
  Sha256Digest Hmac(std::string_view normalized_token) const;

 private:
  explicit TokenHasher(std::string pepper);

  std::string pepper_;
};

// True iff `a` and `b` have the same length and the same bytes. For equal
// lengths the time taken does not depend on the contents (CRYPTO_memcmp);
// a length difference returns false immediately (lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace survey::crypto

#endif  // SURVEY_CRYPTO_TOKEN_H_
