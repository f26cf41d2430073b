// SHA-256 (FIPS 180-4) via OpenSSL: the hash of the audit chain.
#ifndef SURVEY_CRYPTO_SHA256_H_
#define SURVEY_CRYPTO_SHA256_H_

#include <string_view>

#include "crypto/token.h"

namespace survey::crypto {

// SHA-256 of `data`. Aborts the process if OpenSSL fails (allocation
// failure only); never returns a wrong digest. Thread-safe.
Sha256Digest Sha256(std::string_view data);

}  // namespace survey::crypto

#endif  // SURVEY_CRYPTO_SHA256_H_
