// Token buckets with an injected clock, the peer key, and the per-address
// limiter: one address running dry leaves every other address untouched.
#include "api/abuse_limiter.h"

#include <gtest/gtest.h>

namespace survey::api {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

class FakeClock {
 public:
  absl::Time Now() const { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  AbuseLimiter::Clock AsClock() {
    return [this] { return now_; };
  }

 private:
  absl::Time now_ = kT0;
};

TEST(TokenBucketTest, BurstThenRefillAtTheConfiguredRate) {
  TokenBucket b({3, 0.5}, kT0);  // 3 at once, then one per 2 s
  EXPECT_TRUE(b.Full(kT0));
  EXPECT_TRUE(b.Take(kT0));
  EXPECT_TRUE(b.Take(kT0));
  EXPECT_TRUE(b.HasToken(kT0));
  EXPECT_TRUE(b.Take(kT0));
  EXPECT_FALSE(b.HasToken(kT0));
  EXPECT_FALSE(b.HasToken(kT0 + absl::Milliseconds(1999)));
  EXPECT_TRUE(b.HasToken(kT0 + absl::Seconds(2)));
  EXPECT_TRUE(b.Take(kT0 + absl::Seconds(2)));
  EXPECT_FALSE(b.HasToken(kT0 + absl::Seconds(2)));
  // Never more than the burst, however long it rests.
  EXPECT_TRUE(b.Full(kT0 + absl::Hours(5)));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + absl::Hours(5)), 3);
}

TEST(TokenBucketTest, OvershootIsPaidBackButDebtIsBounded) {
  TokenBucket b({2, 1}, kT0);
  EXPECT_TRUE(b.Take(kT0));
  EXPECT_TRUE(b.Take(kT0));
  // Calls in flight when the bucket ran dry still charge it.
  EXPECT_FALSE(b.Take(kT0));
  EXPECT_FALSE(b.Take(kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), -2);
  EXPECT_FALSE(b.Take(kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), -2) << "debt is bounded by the burst";
  EXPECT_FALSE(b.HasToken(kT0 + absl::Milliseconds(2999)));
  EXPECT_TRUE(b.HasToken(kT0 + absl::Seconds(3)));
}

TEST(TokenBucketTest, ClockGoingBackwardsRefillsNothing) {
  TokenBucket b({1, 1}, kT0);
  EXPECT_TRUE(b.Take(kT0));
  EXPECT_FALSE(b.HasToken(kT0 - absl::Hours(1)));
  EXPECT_FALSE(b.HasToken(kT0 + absl::Milliseconds(500)));
  EXPECT_TRUE(b.HasToken(kT0 + absl::Seconds(1)));
}

TEST(PeerKeyTest, AddressWithoutPort) {
  EXPECT_EQ(PeerKey("ipv4:203.0.113.7:51234"), "203.0.113.7");
  EXPECT_EQ(PeerKey("ipv4:127.0.0.2:1"), "127.0.0.2");
  EXPECT_EQ(PeerKey("ipv6:[::ffff:203.0.113.7]:443"), "203.0.113.7");
  EXPECT_EQ(PeerKey("ipv6:[2001:db8:1:2:3:4:5:6]:1"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerKey("ipv6:[2001:db8:1:2:ffff::9]:2"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerKey("ipv6:[::1]:50051"), "::/64");
  EXPECT_EQ(PeerKey("ipv6:[fe80::1%25eth0]:7"), "fe80::/64");
  EXPECT_EQ(PeerKey("unix:/run/survey.sock"), "unix");
  EXPECT_EQ(PeerKey("something-else"), "something-else");
  EXPECT_EQ(PeerKey("ipv6:[not an address]:1"), "ipv6:[not an address]:1");
  // Two connections of one client share the key; two clients do not.
  EXPECT_EQ(PeerKey("ipv4:10.0.0.1:1000"), PeerKey("ipv4:10.0.0.1:2000"));
  EXPECT_NE(PeerKey("ipv4:10.0.0.1:1000"), PeerKey("ipv4:10.0.0.2:1000"));
}

TEST(AbuseLimiterTest, OneAddressRunningDryLeavesOthersAlone) {
  FakeClock clock;
  AbuseLimits limits;
  limits.invalid_token = {3, 1.0 / 10};
  AbuseLimiter limiter(limits, clock.AsClock());
  const std::string attacker = "ipv4:127.0.0.2:40000";
  const std::string other = "ipv4:127.0.0.1:40001";
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.InvalidTokenAllowed(attacker)) << i;
    limiter.RecordInvalidToken(attacker);
  }
  EXPECT_FALSE(limiter.InvalidTokenAllowed(attacker));
  // A new connection from the same address is the same client.
  EXPECT_FALSE(limiter.InvalidTokenAllowed("ipv4:127.0.0.2:40002"));
  EXPECT_TRUE(limiter.InvalidTokenAllowed(other));
  limiter.RecordInvalidToken(other);
  EXPECT_TRUE(limiter.InvalidTokenAllowed(other));
  // Staff authentication is a separate budget.
  EXPECT_TRUE(limiter.StaffAuthAllowed(attacker));
  clock.Advance(absl::Seconds(10));
  EXPECT_TRUE(limiter.InvalidTokenAllowed(attacker));
  limiter.RecordInvalidToken(attacker);
  EXPECT_FALSE(limiter.InvalidTokenAllowed(attacker));
}

TEST(AbuseLimiterTest, StaffAuthFailuresHaveTheirOwnBudget) {
  FakeClock clock;
  AbuseLimits limits;
  limits.staff_auth_failure = {2, 1.0 / 60};
  AbuseLimiter limiter(limits, clock.AsClock());
  const std::string peer = "ipv6:[2001:db8::1]:5000";
  EXPECT_TRUE(limiter.StaffAuthAllowed(peer));
  EXPECT_TRUE(limiter.AllowStaffAuthFailure(peer));
  EXPECT_TRUE(limiter.AllowStaffAuthFailure(peer));
  EXPECT_FALSE(limiter.AllowStaffAuthFailure(peer));
  EXPECT_FALSE(limiter.StaffAuthAllowed(peer));
  // Same /64, other address: the same client.
  EXPECT_FALSE(limiter.StaffAuthAllowed("ipv6:[2001:db8::2]:5000"));
  EXPECT_TRUE(limiter.StaffAuthAllowed("ipv6:[2001:db9::1]:5000"));
  EXPECT_TRUE(limiter.InvalidTokenAllowed(peer));
  EXPECT_EQ(limiter.tracked_staff_auth_peers(), 1u);
  EXPECT_EQ(limiter.tracked_invalid_token_peers(), 0u);
  clock.Advance(absl::Minutes(2));
  EXPECT_TRUE(limiter.StaffAuthAllowed(peer));
}

TEST(AbuseLimiterTest, MemoryIsBoundedByAnOverflowBucket) {
  FakeClock clock;
  AbuseLimits limits;
  limits.invalid_token = {2, 1.0};
  limits.max_tracked_peers = 3;
  AbuseLimiter limiter(limits, clock.AsClock());
  for (int i = 0; i < 3; ++i) {
    limiter.RecordInvalidToken("ipv4:10.0.0." + std::to_string(i) + ":1");
  }
  EXPECT_EQ(limiter.tracked_invalid_token_peers(), 3u);
  // The table is full of live buckets: newcomers share the overflow bucket.
  for (int i = 10; i < 1000; ++i) {
    limiter.RecordInvalidToken("ipv4:10.0.1." + std::to_string(i % 250) + ":1");
  }
  EXPECT_EQ(limiter.tracked_invalid_token_peers(), 4u);
  EXPECT_FALSE(limiter.InvalidTokenAllowed("ipv4:10.9.9.9:1"));
  EXPECT_TRUE(limiter.InvalidTokenAllowed("ipv4:10.0.0.0:1"))
      << "addresses already tracked keep their own bucket";
  // Once the buckets refilled, they are forgotten to make room.
  clock.Advance(absl::Minutes(10));
  limiter.RecordInvalidToken("ipv4:10.9.9.9:1");
  EXPECT_EQ(limiter.tracked_invalid_token_peers(), 1u);
  EXPECT_TRUE(limiter.InvalidTokenAllowed("ipv4:10.9.9.9:1"));
}

}  // namespace
}  // namespace survey::api
