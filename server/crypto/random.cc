#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace survey::crypto {
namespace {

// Pops the OpenSSL error queue of this thread into a short description.
std::string DrainOpenSslErrors() {
  std::string text;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buf);
  }
  return text.empty() ? std::string("no OpenSSL error queued") : text;
}

}  // namespace

RandomSource::~RandomSource() = default;

absl::Status OpenSslRandom::Fill(uint8_t* out, size_t n) {
  if (n == 0) return absl::OkStatus();
  if (out == nullptr) {
    return absl::InvalidArgumentError("OpenSslRandom::Fill: null buffer");
  }
  size_t done = 0;
  while (done < n) {
    const size_t chunk = std::min(
        n - done, static_cast<size_t>(std::numeric_limits<int>::max()));
    const int rc = RAND_bytes(out + done, static_cast<int>(chunk));
    if (rc != 1) {
      // Never leave half-random bytes behind for a caller that ignores the
      // status.
      OPENSSL_cleanse(out, n);
      return absl::InternalError(absl::StrCat("RAND_bytes failed (rc=", rc,
                                              "): ", DrainOpenSslErrors()));
    }
    done += chunk;
  }
  return absl::OkStatus();
}

RandomSource& SystemRandom() {
  // Intentionally leaked: no destructor runs at exit while other threads may
  // still draw random bytes.
  static OpenSslRandom* const kRandom = new OpenSslRandom();
  return *kRandom;
}

absl::StatusOr<Id128> RandomId128(RandomSource& random) {
  Id128 id{};
  absl::Status status = random.Fill(id.data(), id.size());
  if (!status.ok()) return status;
  return id;
}

absl::StatusOr<uint64_t> RandomUint64(RandomSource& random) {
  uint8_t bytes[8];
  absl::Status status = random.Fill(bytes, sizeof(bytes));
  if (!status.ok()) return status;
  uint64_t value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  return value;
}

absl::StatusOr<uint64_t> RandomBelow(RandomSource& random, uint64_t bound) {
  if (bound == 0) return absl::InvalidArgumentError("RandomBelow: bound == 0");
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  // r = 2^64 mod bound. Accepting only v <= kMax - r leaves 2^64 - r values,
  // a multiple of `bound`, so every residue is equally likely. Since
  // r < 2^63, more than half of all draws are accepted.
  const uint64_t r = (kMax % bound + 1) % bound;
  const uint64_t limit = kMax - r;
  // A healthy source is rejected 64 times in a row with probability < 2^-64;
  // give up rather than spin forever on a broken (constant) source.
  for (int attempt = 0; attempt < 64; ++attempt) {
    absl::StatusOr<uint64_t> v = RandomUint64(random);
    if (!v.ok()) return v.status();
    if (*v <= limit) return *v % bound;
  }
  return absl::InternalError("RandomBelow: random source looks stuck");
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0x0f]);
  }
  return hex;
}

std::string ToHex(absl::Span<const uint8_t> bytes) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(bytes.data()),
                                bytes.size()));
}

}  // namespace survey::crypto
