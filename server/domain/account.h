// Staff sign-in rules (AccountService, issue 15): the password policy and
// the per-account lockout. Pure: no clock (times are passed in, unix
// seconds), no I/O.
#ifndef SURVEY_DOMAIN_ACCOUNT_H_
#define SURVEY_DOMAIN_ACCOUNT_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace survey::domain {

// ---- password policy ----

inline constexpr size_t kMinPasswordLength = 10;  // characters (code points)
// Longer input is refused before it is hashed: argon2id's cost does not
// depend on the length, but nobody types more and a limit keeps requests
// small.
inline constexpr size_t kMaxPasswordBytes = 256;

// The message of every refusal starts with this (after "<field>: "); the
// API layer answers INVALID_ARGUMENT with reason WEAK_PASSWORD. Messages
// say what is wrong, never repeat the password.
inline constexpr char kWeakPasswordPrefix[] = "weak password: ";

// OK, or InvalidArgument "<field>: weak password: ..." when `password` is
// shorter than kMinPasswordLength characters, longer than
// kMaxPasswordBytes bytes, not valid UTF-8 or holds a control character,
// equals the account name (ignoring ASCII case), or is on the built-in
// list of common passwords (ignoring ASCII case).
absl::Status CheckPasswordPolicy(std::string_view field,
                                 std::string_view account_name,
                                 std::string_view password);

// True if `message` (a status message) is a refusal of CheckPasswordPolicy.
bool IsWeakPasswordMessage(std::string_view message);

// ---- lockout ----

struct LockoutPolicy {
  int max_failures = 5;            // failures within the window that lock
  int64_t window_seconds = 15 * 60;
  int64_t lock_seconds = 15 * 60;
};

// The failure record of one account.
struct LockState {
  int failures = 0;                  // within the current window
  int64_t window_start = 0;          // first failure of the window
  int64_t locked_until = 0;          // 0 = never locked
};

// True while the account is locked: every sign-in is refused, whatever
// password is given.
bool IsLocked(const LockState& s, int64_t now);

// The state after one more failure at `now`. A failure outside the window
// starts a new one; reaching max_failures within it locks the account for
// lock_seconds and starts counting afresh. Failures while locked change
// nothing (the lock is not extended: a lock that grows with every attempt
// would let anybody keep a colleague out for ever).
LockState AfterFailure(const LockState& s, int64_t now,
                       const LockoutPolicy& policy);

// True if AfterFailure turned an unlocked state into a locked one (the
// moment that is audited).
inline bool JustLocked(const LockState& before, const LockState& after,
                       int64_t now) {
  return !IsLocked(before, now) && IsLocked(after, now);
}

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_ACCOUNT_H_
