// Cryptographically secure random bytes, random ids and hex encoding.
//
// Everything that needs randomness (survey tokens, response ids, the pepper,
// shuffling of batches) takes a RandomSource& so that tests can inject a
// deterministic or failing source. Production code passes SystemRandom().
//
// Fail closed: a RandomSource that cannot deliver fresh random bytes returns
// an error, and every helper here propagates that error instead of returning
// a value derived from predictable bytes.
#ifndef SURVEY_CRYPTO_RANDOM_H_
#define SURVEY_CRYPTO_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace survey::crypto {

// Source of random bytes.
class RandomSource {
 public:
  virtual ~RandomSource();

  // Writes `n` random bytes to `out[0..n)`.
  // Returns OkStatus() when all `n` bytes were written. Returns a non-OK
  // status when they could not be; the contents of `out` are then
  // unspecified and must not be used.
  // n == 0 succeeds without touching `out`.
  // REQUIRES: `out` points to at least `n` writable bytes (nullptr allowed
  // only when n == 0).
  virtual absl::Status Fill(uint8_t* out, size_t n) = 0;
};

// RandomSource backed by OpenSSL's CSPRNG (RAND_bytes, seeded by the OS).
// Thread-safe: Fill() may be called concurrently from any number of threads.
class OpenSslRandom final : public RandomSource {
 public:
  OpenSslRandom() = default;
  OpenSslRandom(const OpenSslRandom&) = delete;
  OpenSslRandom& operator=(const OpenSslRandom&) = delete;
  ~OpenSslRandom() override = default;

  // Returns OkStatus() only if every RAND_bytes call returned exactly 1.
  // Returns InvalidArgument if out == nullptr and n > 0.
  // Returns Internal (message includes the OpenSSL error text) if RAND_bytes
  // reports anything else; `out[0..n)` is then zeroed.
  absl::Status Fill(uint8_t* out, size_t n) override;
};

// The process-wide OpenSslRandom. Never destroyed; thread-safe.
RandomSource& SystemRandom();

// 128-bit random identifier (e.g. a response row id, stored as BINARY(16)).
using Id128 = std::array<uint8_t, 16>;

// Returns 16 random bytes from `random`, or the error of `random.Fill()`.
absl::StatusOr<Id128> RandomId128(RandomSource& random);

// Returns a uniformly random 64-bit value (8 bytes from `random`,
// big-endian), or the error of `random.Fill()`.
absl::StatusOr<uint64_t> RandomUint64(RandomSource& random);

// Returns a uniformly random value in [0, bound) without modulo bias
// (rejection sampling on RandomUint64). Use this, not `RandomUint64() % n`,
// when shuffling.
// Returns InvalidArgument if bound == 0, the error of `random.Fill()`, or
// Internal if 64 draws in a row were rejected (probability < 2^-64 for a
// working source; means the source is broken).
absl::StatusOr<uint64_t> RandomBelow(RandomSource& random, uint64_t bound);

// Lower-case hexadecimal encoding, two characters per byte:
// ToHex("\x01\xab") == "01ab". Never fails. Thread-safe.
std::string ToHex(std::string_view bytes);
std::string ToHex(absl::Span<const uint8_t> bytes);

}  // namespace survey::crypto

#endif  // SURVEY_CRYPTO_RANDOM_H_
