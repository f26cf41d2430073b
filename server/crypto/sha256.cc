#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace survey::crypto {

Sha256Digest Sha256(std::string_view data) {
  static const unsigned char kNothing = 0;
  const void* ptr = data.empty() ? static_cast<const void*>(&kNothing)
                                 : static_cast<const void*>(data.data());
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_Digest(ptr, data.size(), out.data(), &len, EVP_sha256(), nullptr) !=
          1 ||
      len != out.size()) {
    std::fprintf(stderr, "survey::crypto fatal: EVP_Digest(SHA-256) failed\n");
    std::abort();
  }
  return out;
}

}  // namespace survey::crypto
