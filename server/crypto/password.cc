#include "crypto/password.h"

#include <sodium.h>

#include <cstdlib>
#include <functional>

#include "absl/strings/str_cat.h"

namespace survey::crypto {
namespace {

// Releases the slot on every path.
class SlotGuard {
 public:
  explicit SlotGuard(std::function<void()> release)
      : release_(std::move(release)) {}
  ~SlotGuard() { release_(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::function<void()> release_;
};

absl::StatusOr<std::string> HashNow(std::string_view password,
                                    const PasswordHashOptions& o) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), o.opslimit,
                            o.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::InternalError("password hashing failed (out of memory)");
  }
  return std::string(out);
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordHashOptions options)
    : options_(options) {
  if (sodium_init() < 0) std::abort();
  if (options_.max_concurrent < 1) options_.max_concurrent = 1;
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  absl::StatusOr<std::string> dummy = HashNow(
      std::string_view(reinterpret_cast<const char*>(secret), sizeof secret),
      options_);
  sodium_memzero(secret, sizeof secret);
  if (!dummy.ok()) std::abort();
  dummy_ = *dummy;
}

absl::Status PasswordHasher::Acquire() {
  absl::MutexLock lock(&mu_);
  auto free = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return running_ < options_.max_concurrent;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&free), options_.max_wait)) {
    return absl::UnavailableError(
        "too many sign-ins at once; try again in a moment");
  }
  ++running_;
  return absl::OkStatus();
}

void PasswordHasher::Release() {
  absl::MutexLock lock(&mu_);
  --running_;
}

int PasswordHasher::running() {
  absl::MutexLock lock(&mu_);
  return running_;
}

absl::StatusOr<std::string> PasswordHasher::Hash(std::string_view password) {
  if (absl::Status s = Acquire(); !s.ok()) return s;
  SlotGuard guard([this] { Release(); });
  return HashNow(password, options_);
}

absl::StatusOr<bool> PasswordHasher::Verify(std::string_view stored,
                                            std::string_view password) {
  if (absl::Status s = Acquire(); !s.ok()) return s;
  SlotGuard guard([this] { Release(); });
  const bool real = stored.starts_with(kArgon2idPrefix) &&
                    stored.size() < crypto_pwhash_STRBYTES;
  std::string target(real ? stored : std::string_view(dummy_));
  int rc = crypto_pwhash_str_verify(target.c_str(), password.data(),
                                    password.size());
  return real && rc == 0;
}

}  // namespace survey::crypto
