// QR codes for survey deep links, printed on service tickets or shown on a
// screen so that a customer's phone opens the survey.
//
// The encoding is fixed (error correction M, byte mode, case-sensitive) so
// that the same link always gives the same symbol; M survives the smudges
// of a printed ticket without making long links (about 60 bytes) too dense.
#ifndef SURVEY_CLIENTS_COMMON_QR_H_
#define SURVEY_CLIENTS_COMMON_QR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace survey::client {

// The modules of the QR symbol for `text`: result[y][x] is true for a dark
// module. The matrix is square, 17 + 4 * version modules wide (version
// 1..40, the smallest that holds `text`), without the quiet zone.
// Returns InvalidArgument if `text` is empty or holds a NUL byte,
// OutOfRange if it is too long for any QR version, Internal otherwise.
absl::StatusOr<std::vector<std::vector<bool>>> QrModules(
    const std::string& text);

// Writes the symbol for `text` to `path` as a 1-bit grayscale PNG: each
// module is `module_pixels` square pixels, surrounded by a light quiet zone
// of `margin_modules` modules (the standard asks for 4). The image is
// (modules + 2 * margin_modules) * module_pixels pixels wide and high.
// The file is created with mode 0600 (or truncated if it exists), since a
// deep link carries a secret token.
// Returns the errors of QrModules, InvalidArgument if module_pixels is not
// 1..64 or margin_modules not 0..16, Internal if the file cannot be written
// (a partial file is removed).
absl::Status WriteQrPng(const std::string& text, const std::string& path,
                        int module_pixels = 8, int margin_modules = 4);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_COMMON_QR_H_
