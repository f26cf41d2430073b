// Password hashes: argon2id through libsodium (crypto_pwhash_str, the
// "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string with its own random
// salt and parameters), never a hand-rolled construction.
//
// Each hash costs `memlimit` bytes of memory and tens of milliseconds of a
// core; PasswordHasher lets at most `max_concurrent` run at once so a
// flood of sign-ins cannot take every core and gigabytes of memory (the
// others wait up to `max_wait`, then get Unavailable). Callers hash
// outside any database transaction. Thread-safe.
#ifndef SURVEY_CRYPTO_PASSWORD_H_
#define SURVEY_CRYPTO_PASSWORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace survey::crypto {

struct PasswordHashOptions {
  // libsodium's "interactive" limits: 2 passes over 64 MiB.
  uint64_t opslimit = 2;
  size_t memlimit = size_t{64} << 20;
  int max_concurrent = 2;
  absl::Duration max_wait = absl::Seconds(10);
};

inline constexpr char kArgon2idPrefix[] = "$argon2id$";

class PasswordHasher {
 public:
  // Aborts if libsodium cannot be initialised (sodium_init < 0).
  explicit PasswordHasher(PasswordHashOptions options = {});
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // A new "$argon2id$..." string for `password`. Unavailable if no slot
  // came free within max_wait; Internal if libsodium fails (out of
  // memory). Messages never contain the password.
  absl::StatusOr<std::string> Hash(std::string_view password);

  // True iff `stored` is an argon2id string of `password`. An empty or
  // malformed `stored` costs a full verification against a dummy hash of
  // the same parameters and returns false, so an account without a
  // password (or no account at all) answers in the same time as a wrong
  // password. Unavailable as for Hash.
  absl::StatusOr<bool> Verify(std::string_view stored,
                              std::string_view password);

  // Hashes running now (tests).
  int running();

 private:
  // Takes a slot, or Unavailable after max_wait.
  absl::Status Acquire();
  void Release();

  PasswordHashOptions options_;
  std::string dummy_;  // a hash of random bytes, for Verify's decoys
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace survey::crypto

#endif  // SURVEY_CRYPTO_PASSWORD_H_
