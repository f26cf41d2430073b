#include "domain/account.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

// Passwords of at least 10 characters that lists of leaked passwords put
// near the top, in lower case; shorter ones are refused by length already.
// A short built-in list, not a breach database: it stops the obvious ones.
constexpr std::string_view kCommonPasswords[] = {
    "1234567890", "0123456789", "12345678910", "123456789a", "1234567890a",
    "a123456789", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "qwertyuiop",
    "qwertyuiop1", "qwerty1234", "qwerty12345", "qwerty123456", "1qaz2wsx3edc",
    "zaq12wsxcde3", "asdfghjkl1", "zxcvbnm123", "password12", "password123",
    "password1234", "password!1", "passw0rd12", "p@ssw0rd12", "p@ssword123",
    "iloveyou12", "iloveyou123", "1111111111", "0000000000", "1231231234",
    "1122334455", "5201314520", "woaini1314", "woaini520", "aa123456789",
    "abc1234567", "abcd123456", "abcdefghij", "abc123456789", "admin12345",
    "admin123456", "administrator", "welcome123", "welcome1234", "letmein123",
    "changeme123", "football123", "baseball123", "sunshine123", "princess123",
    "superman123", "dragon1234", "monkey1234", "michael123", "1234qwerasdf",
    "qazwsxedc123", "qazwsxedcrfv", "987654321a", "9876543210", "123456abcd",
    "123qweasdzxc", "qweasdzxc123", "11223344556", "a1b2c3d4e5", "survey12345",
};

}  // namespace

absl::Status CheckPasswordPolicy(std::string_view field,
                                 std::string_view account_name,
                                 std::string_view password) {
  auto weak = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", kWeakPasswordPrefix, std::string(why)));
  };
  if (password.size() > kMaxPasswordBytes) {
    return weak(absl::StrCat("at most ", kMaxPasswordBytes, " bytes"));
  }
  if (!IsValidUtf8(password) || HasControlChars(password, false)) {
    return weak("UTF-8 text without control characters");
  }
  if (CountCodePoints(password) < kMinPasswordLength) {
    return weak(absl::StrCat("at least ", kMinPasswordLength, " characters"));
  }
  const std::string lower = absl::AsciiStrToLower(std::string(password));
  if (!account_name.empty() && lower == absl::AsciiStrToLower(std::string(account_name))) {
    return weak("must not be the account name");
  }
  if (std::find(std::begin(kCommonPasswords), std::end(kCommonPasswords),
                lower) != std::end(kCommonPasswords)) {
    return weak("too common");
  }
  return absl::OkStatus();
}

bool IsWeakPasswordMessage(std::string_view message) {
  size_t colon = message.find(": ");
  return colon != std::string_view::npos &&
         message.substr(colon + 2).starts_with(kWeakPasswordPrefix);
}

bool IsLocked(const LockState& s, int64_t now) { return now < s.locked_until; }

LockState AfterFailure(const LockState& s, int64_t now,
                       const LockoutPolicy& policy) {
  if (IsLocked(s, now)) return s;
  LockState out = s;
  if (out.failures == 0 || now - out.window_start >= policy.window_seconds ||
      now < out.window_start) {
    out.failures = 0;
    out.window_start = now;
  }
  ++out.failures;
  if (out.failures >= policy.max_failures) {
    out.locked_until = now + policy.lock_seconds;
    out.failures = 0;
    out.window_start = 0;
  }
  return out;
}

}  // namespace survey::domain
