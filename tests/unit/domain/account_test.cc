#include "domain/account.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace survey::domain {
namespace {

bool Weak(std::string_view name, std::string_view password) {
  absl::Status s = CheckPasswordPolicy("new_password", name, password);
  if (s.ok()) return false;
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  const std::string message(s.message());
  EXPECT_TRUE(IsWeakPasswordMessage(message)) << message;
  EXPECT_TRUE(absl::StartsWith(message, "new_password: weak password: "));
  if (!password.empty()) {
    EXPECT_FALSE(absl::StrContains(message, std::string(password))) << "echoes it";
  }
  return true;
}

TEST(PasswordPolicyTest, AtLeastTenCharacters) {
  EXPECT_TRUE(Weak("E2", ""));
  EXPECT_TRUE(Weak("E2", "Kettle-42"));       // 9
  EXPECT_FALSE(Weak("E2", "Kettle-42!"));     // 10
  EXPECT_TRUE(Weak("E2", "蓝色水壶四十二"));   // 7 characters, 21 bytes
  EXPECT_FALSE(Weak("E2", "蓝色水壶四十二号茶杯"));  // 10 characters
}

TEST(PasswordPolicyTest, NotTheAccountName) {
  EXPECT_TRUE(Weak("zhang.wei01", "zhang.wei01"));
  EXPECT_TRUE(Weak("zhang.wei01", "ZHANG.WEI01"));
  EXPECT_FALSE(Weak("zhang.wei01", "zhang.wei01!"));
}

TEST(PasswordPolicyTest, NotACommonPassword) {
  for (const char* common : {"1234567890", "qwertyuiop", "Password123", "PASSWORD123",
                             "1q2w3e4r5t", "woaini1314", "iloveyou123"}) {
    EXPECT_TRUE(Weak("E2", common)) << common;
  }
  EXPECT_FALSE(Weak("E2", "Blue-kettle-42!"));
}

TEST(PasswordPolicyTest, TextWithinLimits) {
  EXPECT_TRUE(Weak("E2", std::string(kMaxPasswordBytes + 1, 'x')));
  EXPECT_FALSE(Weak("E2", std::string(kMaxPasswordBytes, 'x')));
  EXPECT_TRUE(Weak("E2", "Blue-kettle\n42"));
  EXPECT_TRUE(Weak("E2", std::string("Blue-kettle\xff" "42")));
}

TEST(LockoutTest, FiveFailuresWithinTheWindowLockForFifteenMinutes) {
  LockoutPolicy policy;
  LockState s;
  int64_t t = 1000;
  for (int i = 0; i < 4; ++i) {
    s = AfterFailure(s, t + i * 60, policy);
    EXPECT_FALSE(IsLocked(s, t + i * 60));
  }
  LockState before = s;
  s = AfterFailure(s, t + 240, policy);
  EXPECT_TRUE(JustLocked(before, s, t + 240));
  EXPECT_TRUE(IsLocked(s, t + 240 + 15 * 60 - 1));
  EXPECT_FALSE(IsLocked(s, t + 240 + 15 * 60));
  // Failures while locked do not extend the lock.
  LockState again = AfterFailure(s, t + 300, policy);
  EXPECT_EQ(again.locked_until, s.locked_until);
  EXPECT_FALSE(JustLocked(s, again, t + 300));
}

TEST(LockoutTest, AFailureAfterTheWindowStartsAfresh) {
  LockoutPolicy policy;
  LockState s;
  for (int i = 0; i < 4; ++i) s = AfterFailure(s, 1000 + i, policy);
  s = AfterFailure(s, 1000 + 15 * 60, policy);  // the window has passed
  EXPECT_FALSE(IsLocked(s, 1000 + 15 * 60));
  EXPECT_EQ(s.failures, 1);
}

}  // namespace
}  // namespace survey::domain
