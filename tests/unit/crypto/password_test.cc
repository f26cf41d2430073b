#include "crypto/password.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace survey::crypto {
namespace {

TEST(PasswordHasherTest, Argon2idHashesVerifyOnlyTheirPassword) {
  PasswordHasher hasher;
  absl::StatusOr<std::string> hash = hasher.Hash("Blue-kettle-42!");
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(absl::StartsWith(*hash, "$argon2id$")) << *hash;
  EXPECT_FALSE(absl::StrContains(*hash, "Blue-kettle"));
  absl::StatusOr<std::string> again = hasher.Hash("Blue-kettle-42!");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again);  // a fresh salt each time
  EXPECT_TRUE(*hasher.Verify(*hash, "Blue-kettle-42!"));
  EXPECT_FALSE(*hasher.Verify(*hash, "Blue-kettle-43!"));
  EXPECT_FALSE(*hasher.Verify(*hash, ""));
}

TEST(PasswordHasherTest, NoOrMalformedHashNeverMatches) {
  PasswordHasher hasher;
  EXPECT_FALSE(*hasher.Verify("", ""));
  EXPECT_FALSE(*hasher.Verify("", "anything"));
  EXPECT_FALSE(*hasher.Verify("plaintext", "plaintext"));
  EXPECT_FALSE(*hasher.Verify("$2y$10$abcdefghijklmnopqrstuv", "x"));
}

// At most max_concurrent hashes run at once, however many callers.
TEST(PasswordHasherTest, ConcurrencyIsBounded) {
  PasswordHashOptions options;
  options.max_concurrent = 2;
  options.memlimit = size_t{8} << 20;
  PasswordHasher hasher(options);
  std::atomic<bool> done{false};
  std::atomic<int> most{0};
  std::thread watcher([&] {
    while (!done) {
      int now = hasher.running();
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
    }
  });
  std::vector<std::thread> callers;
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&] { EXPECT_TRUE(hasher.Hash("Blue-kettle-42!").ok()); });
  }
  for (std::thread& t : callers) t.join();
  done = true;
  watcher.join();
  EXPECT_EQ(most.load(), 2);
  EXPECT_EQ(hasher.running(), 0);
}

// A caller that finds no free slot within max_wait gets Unavailable.
TEST(PasswordHasherTest, NoSlotWithinMaxWaitIsUnavailable) {
  PasswordHashOptions options;
  options.max_concurrent = 1;
  options.opslimit = 20;  // long enough to be still running below
  options.max_wait = absl::Milliseconds(1);
  PasswordHasher hasher(options);
  std::thread busy([&] { EXPECT_TRUE(hasher.Hash("Blue-kettle-42!").ok()); });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (hasher.running() == 0 && absl::Now() < deadline) {
  }
  ASSERT_EQ(hasher.running(), 1);
  absl::StatusOr<std::string> refused = hasher.Hash("Other-password-1");
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  busy.join();
}

}  // namespace
}  // namespace survey::crypto
