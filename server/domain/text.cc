#include "domain/text.h"

namespace survey::domain {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

// Follows the Unicode "well-formed UTF-8 byte sequences" table (Unicode
// Standard, table 3-7). Restricting the second byte after E0, ED, F0 and F4
// is what rules out overlong forms, surrogates and code points beyond
// U+10FFFF without decoding the value.
bool IsValidUtf8(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80;  // Allowed range of the second byte.
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // Overlong below U+0800.
      if (c == 0xED) hi = 0x9F;  // Surrogates U+D800..U+DFFF.
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // Overlong below U+10000.
      if (c == 0xF4) hi = 0x8F;  // Above U+10FFFF.
    } else {
      // C0/C1 are always overlong, F5..FF encode nothing, 80..BF cannot
      // start a sequence.
      return false;
    }
    if (n - i < len) return false;
    const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if (!IsContinuation(static_cast<unsigned char>(s[i + k]))) return false;
    }
    i += len;
  }
  return true;
}

size_t CountCodePoints(std::string_view s) {
  // In valid UTF-8 every code point has exactly one non-continuation byte.
  size_t count = 0;
  for (char ch : s) {
    if (!IsContinuation(static_cast<unsigned char>(ch))) ++count;
  }
  return count;
}

bool HasControlChars(std::string_view s, bool allow_line_breaks) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (allow_line_breaks && (c == '\n' || c == '\r' || c == '\t')) {
        continue;
      }
      return true;
    }
    if (c == 0x7F) return true;
    // U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size()) {
      const unsigned char next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace survey::domain
