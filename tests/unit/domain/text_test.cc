#include "domain/text.h"

#include <string>

#include "gtest/gtest.h"

namespace survey::domain {
namespace {

struct Utf8Case {
  const char* label;
  std::string bytes;
  bool valid;
};

class IsValidUtf8Test : public testing::TestWithParam<Utf8Case> {};

TEST_P(IsValidUtf8Test, Classifies) {
  EXPECT_EQ(IsValidUtf8(GetParam().bytes), GetParam().valid)
      << GetParam().label;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IsValidUtf8Test,
    testing::Values(
        Utf8Case{"empty", "", true}, Utf8Case{"ascii", "Hello, world", true},
        Utf8Case{"nul byte", std::string("a\0b", 3), true},
        Utf8Case{"chinese", "\xE5\xBC\xA0\xE4\xB8\x89", true},  // 张三
        Utf8Case{"emoji", "\xF0\x9F\x98\x80", true},            // U+1F600
        Utf8Case{"U+0080 lowest 2-byte", "\xC2\x80", true},
        Utf8Case{"U+07FF highest 2-byte", "\xDF\xBF", true},
        Utf8Case{"U+0800 lowest 3-byte", "\xE0\xA0\x80", true},
        Utf8Case{"U+D7FF below surrogates", "\xED\x9F\xBF", true},
        Utf8Case{"U+E000 above surrogates", "\xEE\x80\x80", true},
        Utf8Case{"U+FFFF", "\xEF\xBF\xBF", true},
        Utf8Case{"U+10000 lowest 4-byte", "\xF0\x90\x80\x80", true},
        Utf8Case{"U+10FFFF highest", "\xF4\x8F\xBF\xBF", true},
        Utf8Case{"overlong NUL C0 80", "\xC0\x80", false},
        Utf8Case{"overlong C1 BF", "\xC1\xBF", false},
        Utf8Case{"overlong 3-byte E0 80 80", "\xE0\x80\x80", false},
        Utf8Case{"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", false},
        Utf8Case{"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF", false},
        Utf8Case{"surrogate U+D800", "\xED\xA0\x80", false},
        Utf8Case{"surrogate U+DFFF", "\xED\xBF\xBF", false},
        Utf8Case{"above U+10FFFF", "\xF4\x90\x80\x80", false},
        Utf8Case{"lead F5", "\xF5\x80\x80\x80", false},
        Utf8Case{"byte FF", "a\xFF", false}, Utf8Case{"byte FE", "\xFE", false},
        Utf8Case{"lone continuation", "a\x80z", false},
        Utf8Case{"truncated 2-byte at end", "ab\xC2", false},
        Utf8Case{"truncated 3-byte at end", "\xE5\xBC", false},
        Utf8Case{"truncated 4-byte at end", "\xF0\x9F\x98", false},
        Utf8Case{"truncated 3-byte mid-string",
                 "\xE5\xBC"
                 "a",
                 false},
        Utf8Case{"bad third byte", "\xE5\xBC\x41", false},
        Utf8Case{"bad fourth byte", "\xF0\x9F\x98\x41", false}));

struct CountCase {
  std::string text;
  size_t code_points;
};

class CountCodePointsTest : public testing::TestWithParam<CountCase> {};

TEST_P(CountCodePointsTest, Counts) {
  EXPECT_EQ(CountCodePoints(GetParam().text), GetParam().code_points)
      << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CountCodePointsTest,
    testing::Values(CountCase{"", 0}, CountCase{"abc", 3},
                    CountCase{"\xE5\xBC\xA0\xE4\xB8\x89", 2},  // 张三
                    CountCase{"\xF0\x9F\x98\x80", 1},          // emoji
                    CountCase{"a\xF0\x9F\x98\x80"
                              "b",
                              3},
                    // Thumbs up + skin tone: two code points, one glyph.
                    CountCase{"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", 2},
                    CountCase{"Zo\xC3\xAB", 3},   // Zoë
                    CountCase{"Zoe\xCC\x88", 4},  // e + U+0308
                    CountCase{"\xF4\x8F\xBF\xBF", 1}));

struct ControlCase {
  const char* label;
  std::string text;
  bool strict;   // Expected result with allow_line_breaks = false.
  bool lenient;  // Expected result with allow_line_breaks = true.
};

class HasControlCharsTest : public testing::TestWithParam<ControlCase> {};

TEST_P(HasControlCharsTest, Detects) {
  const ControlCase& c = GetParam();
  EXPECT_EQ(HasControlChars(c.text, /*allow_line_breaks=*/false), c.strict)
      << c.label;
  EXPECT_EQ(HasControlChars(c.text, /*allow_line_breaks=*/true), c.lenient)
      << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Table, HasControlCharsTest,
    testing::Values(
        ControlCase{"plain", "Hello world ~", false, false},
        ControlCase{"empty", "", false, false},
        ControlCase{"chinese", "\xE5\xBC\xA0\xE4\xB8\x89", false, false},
        ControlCase{"NUL", std::string("a\0b", 3), true, true},
        ControlCase{"SOH", "a\x01", true, true},
        ControlCase{"unit separator", "\x1F", true, true},
        ControlCase{"DEL",
                    "a\x7F"
                    "b",
                    true, true},
        ControlCase{"C1 U+0080", "\xC2\x80", true, true},
        ControlCase{"C1 NEL U+0085",
                    "a\xC2\x85"
                    "b",
                    true, true},
        ControlCase{"C1 U+009F", "\xC2\x9F", true, true},
        ControlCase{"NBSP U+00A0 is not a control", "\xC2\xA0", false, false},
        ControlCase{"U+00C5 is not a control", "\xC3\x85", false, false},
        ControlCase{"LF", "a\nb", true, false},
        ControlCase{"CRLF", "a\r\nb", true, false},
        ControlCase{"tab", "a\tb", true, false},
        ControlCase{"tab and BEL", "a\t\x07", true, true}));

}  // namespace
}  // namespace survey::domain
