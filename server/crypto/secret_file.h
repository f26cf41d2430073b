// Reading and writing small secret files (the token pepper) that must be
// private to the service user.
//
// Error messages name the path, sizes and permission bits, never any of the
// file's content. All functions are thread-safe (no shared state), but
// concurrent writers of the same path race as described below.
#ifndef SURVEY_CRYPTO_SECRET_FILE_H_
#define SURVEY_CRYPTO_SECRET_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crypto/random.h"

namespace survey::crypto {

// ReadSecretFile refuses larger files (reading at most one byte more).
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// Reads the secret at `path` (symlinks are followed; the checks apply to the
// file finally opened). One trailing '\n' is removed.
// Returns the content, or
//   NotFound            if `path` (or a directory on it) does not exist;
//   PermissionDenied    if the process may not open it;
//   FailedPrecondition  if it is not a regular file, if its mode grants any
//                       permission to group or others (mode & 077 != 0;
//                       fix with chmod 600), if it is larger than
//                       kMaxSecretFileBytes, or if it has fewer than
//                       `min_bytes` bytes after removing the newline;
//   Internal            on any other I/O error.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           size_t min_bytes);

// Creates `path` with mode 0600 holding exactly `content`, atomically:
// writes and fsyncs a temporary file in the same directory, then link()s it
// to `path` (which fails if `path` exists, even if created concurrently) and
// removes the temporary name. Readers never see a partial file.
// Returns OkStatus() on success, or
//   AlreadyExists       if `path` exists, even as a dangling symlink (it is
//                       left untouched);
//   NotFound            if the directory does not exist;
//   PermissionDenied    if the directory is not writable;
//   Internal            on any other I/O error.
// On failure no file is left behind at `path` or at the temporary name.
absl::Status WriteSecretFile(const std::string& path, std::string_view content);

// Returns a new pepper: 32 bytes from `random` as 64 lower-case hex
// characters, or the error of `random.Fill()`.
absl::StatusOr<std::string> GeneratePepperHex(RandomSource& random);

}  // namespace survey::crypto

#endif  // SURVEY_CRYPTO_SECRET_FILE_H_
