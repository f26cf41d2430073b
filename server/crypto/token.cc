#include "crypto/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace survey::crypto {
namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Value 0..31 of a canonical base32 character, or -1.
int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "survey::crypto fatal: %s\n", what);
  std::abort();
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;  // Only the low `bits` bits are meaningful.
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1f]);
    }
  }
  if (bits > 0) {
    // Pad the final group with zero bits on the right.
    out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]);
  }
  return out;
}

absl::StatusOr<std::string> Base32Decode(std::string_view encoded) {
  switch (encoded.size() % 8) {
    case 0:
    case 2:
    case 4:
    case 5:
    case 7:
      break;
    default:
      return absl::InvalidArgumentError(
          "base32: length is not a valid unpadded base32 length");
  }
  std::string out;
  out.reserve(encoded.size() * 5 / 8);
  uint32_t buffer = 0;  // Only the low `bits` bits are meaningful.
  int bits = 0;
  for (char c : encoded) {
    const int v = Base32Value(c);
    if (v < 0) {
      return absl::InvalidArgumentError("base32: character outside A-Z, 2-7");
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // 0 to 4 bits are left over; a canonical encoding has them all zero.
  if ((buffer & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("base32: non-zero padding bits");
  }
  return out;
}

absl::StatusOr<std::string> GenerateToken(RandomSource& random) {
  uint8_t bytes[kTokenBytes];
  absl::Status status = random.Fill(bytes, sizeof(bytes));
  if (!status.ok()) return status;
  std::string token = Base32Encode(
      std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return token;
}

absl::StatusOr<std::string> NormalizeToken(std::string_view user_input) {
  if (user_input.size() > kMaxTokenInputLength) {
    return absl::InvalidArgumentError("invalid token: input is too long");
  }
  std::string token;
  token.reserve(kTokenLength);
  for (char c : user_input) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (Base32Value(c) < 0) {
      return absl::InvalidArgumentError(
          "invalid token: only letters A-Z, digits 2-7, '-' and ' ' are "
          "allowed");
    }
    token.push_back(c);
  }
  if (token.size() != kTokenLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid token: expected ", kTokenLength,
                     " characters, got ", token.size()));
  }
  // 26 * 5 - 128 = 2 padding bits, the low bits of the last character.
  if ((Base32Value(token.back()) & 0x3) != 0) {
    return absl::InvalidArgumentError(
        "invalid token: last character is not a possible token ending");
  }
  return token;
}

std::string FormatTokenForPrint(std::string_view token) {
  std::string out;
  out.reserve(token.size() + token.size() / 5);
  for (size_t i = 0; i < token.size(); ++i) {
    if (i > 0 && i % 5 == 0) out.push_back('-');
    out.push_back(token[i]);
  }
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  // OpenSSL treats a null key as "no key"; always pass a real pointer.
  static const unsigned char kNothing = 0;
  const void* key_ptr =
      key.empty() ? static_cast<const void*>(&kNothing) : key.data();
  const auto* data_ptr =
      data.empty() ? &kNothing
                   : reinterpret_cast<const unsigned char*>(data.data());
  if (key.size() > static_cast<size_t>(INT_MAX)) {
    Die("HMAC key longer than INT_MAX");
  }
  Sha256Digest mac;
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data_ptr,
           data.size(), mac.data(), &mac_len) == nullptr ||
      mac_len != mac.size()) {
    Die("OpenSSL HMAC-SHA256 failed");
  }
  return mac;
}

absl::StatusOr<TokenHasher> TokenHasher::Create(std::string pepper) {
  if (pepper.size() < kMinPepperBytes) {
    const size_t size = pepper.size();
    OPENSSL_cleanse(pepper.data(), pepper.size());
    return absl::InvalidArgumentError(
        absl::StrCat("pepper has ", size, " bytes; at least ", kMinPepperBytes,
                     " are required"));
  }
  return TokenHasher(std::move(pepper));
}

TokenHasher::TokenHasher(std::string pepper) : pepper_(std::move(pepper)) {}

TokenHasher& TokenHasher::operator=(TokenHasher&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(pepper_.data(), pepper_.size());
    pepper_ = std::move(other.pepper_);
  }
  return *this;
}

TokenHasher::~TokenHasher() { OPENSSL_cleanse(pepper_.data(), pepper_.size()); }

Sha256Digest TokenHasher::Hmac(std::string_view normalized_token) const {
  // A moved-from hasher has no pepper; never silently MAC with an empty key.
  if (pepper_.size() < kMinPepperBytes) Die("TokenHasher used after move");
  return HmacSha256(pepper_, normalized_token);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace survey::crypto
