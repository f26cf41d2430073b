// Text checks shared by every place that accepts human-written text
// (names from CSV imports, survey reasons and comments).
#ifndef SURVEY_DOMAIN_TEXT_H_
#define SURVEY_DOMAIN_TEXT_H_

#include <cstddef>
#include <string_view>

namespace survey::domain {

// True if `s` is well-formed UTF-8: no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view s);

// Number of Unicode code points in `s`. Limits such as "reason <= 500
// characters" are counted in code points so that Chinese text is not
// penalised for taking three bytes a character.
// REQUIRES: IsValidUtf8(s).
size_t CountCodePoints(std::string_view s);

// True if `s` contains a C0 control (U+0000..U+001F), DEL (U+007F) or a C1
// control (U+0080..U+009F). When `allow_line_breaks` is true, '\n', '\r' and
// '\t' are accepted (multi-line comments); otherwise they count as controls.
// REQUIRES: IsValidUtf8(s).
bool HasControlChars(std::string_view s, bool allow_line_breaks);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_TEXT_H_
