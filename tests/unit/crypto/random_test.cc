#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace survey::crypto {
namespace {

// A source whose entropy is gone: every Fill fails.
class RandomTestFailingRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t*, size_t) override {
    ++calls;
    return absl::UnavailableError("injected random failure");
  }
  int calls = 0;
};

// Replays `bytes` cyclically; lets tests predict every output.
class ScriptedRandom : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<uint8_t> bytes)
      : bytes_(std::move(bytes)) {}
  absl::Status Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = bytes_[pos_++ % bytes_.size()];
    return absl::OkStatus();
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

TEST(OpenSslRandomTest, FillsWithFreshBytes) {
  OpenSslRandom random;
  std::array<uint8_t, 64> a{}, b{};
  ASSERT_TRUE(random.Fill(a.data(), a.size()).ok());
  ASSERT_TRUE(random.Fill(b.data(), b.size()).ok());
  // Chance of a false failure: 2^-512 each.
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<uint8_t, 64>{}));
}

TEST(OpenSslRandomTest, ZeroLengthNeedsNoBuffer) {
  OpenSslRandom random;
  EXPECT_TRUE(random.Fill(nullptr, 0).ok());
}

TEST(OpenSslRandomTest, NullBufferIsInvalidArgument) {
  OpenSslRandom random;
  EXPECT_EQ(random.Fill(nullptr, 1).code(), absl::StatusCode::kInvalidArgument);
}

TEST(OpenSslRandomTest, ConcurrentFillsGiveDistinctIds) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::vector<std::vector<Id128>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<Id128> id = RandomId128(SystemRandom());
        if (id.ok()) ids[t].push_back(*id);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<Id128> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(SystemRandomTest, IsOneWorkingInstance) {
  RandomSource* first = &SystemRandom();
  EXPECT_EQ(first, &SystemRandom());
  uint8_t byte;
  EXPECT_TRUE(first->Fill(&byte, 1).ok());
}

TEST(RandomId128Test, FailsClosed) {
  RandomTestFailingRandom random;
  absl::StatusOr<Id128> id = RandomId128(random);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(random.calls, 1);
}

TEST(RandomId128Test, UsesExactlyTheSourceBytes) {
  ScriptedRandom random({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                         0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  absl::StatusOr<Id128> id = RandomId128(random);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(ToHex(*id), "00112233445566778899aabbccddeeff");
}

TEST(RandomId128Test, TenThousandIdsAreUnique) {
  std::set<Id128> seen;
  for (int i = 0; i < 10000; ++i) {
    absl::StatusOr<Id128> id = RandomId128(SystemRandom());
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(seen.insert(*id).second) << "duplicate id " << ToHex(*id);
  }
}

TEST(RandomUint64Test, IsBigEndianOfSourceBytes) {
  ScriptedRandom random({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
  absl::StatusOr<uint64_t> v = RandomUint64(random);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 0x0102030405060708u);
}

TEST(RandomUint64Test, FailsClosed) {
  RandomTestFailingRandom random;
  absl::StatusOr<uint64_t> v = RandomUint64(random);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kUnavailable);
}

TEST(RandomBelowTest, ZeroBoundIsInvalid) {
  EXPECT_EQ(RandomBelow(SystemRandom(), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RandomBelowTest, FailsClosed) {
  RandomTestFailingRandom random;
  EXPECT_EQ(RandomBelow(random, 10).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(RandomBelowTest, RejectsTheBiasedTail) {
  // 2^64 mod 3 == 1, so 2^64 - 1 must be rejected; the next draw is 5.
  ScriptedRandom random({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
                         0, 0, 0, 0, 0, 0, 0, 5});
  absl::StatusOr<uint64_t> v = RandomBelow(random, 3);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 2u);  // 5 % 3, not (2^64 - 1) % 3 == 0.
}

TEST(RandomBelowTest, StuckSourceIsAnErrorNotAHang) {
  ScriptedRandom random({0xff});
  EXPECT_EQ(RandomBelow(random, 3).status().code(),
            absl::StatusCode::kInternal);
}

TEST(RandomBelowTest, CoversRangeRoughlyUniformly) {
  constexpr int kBound = 6;
  constexpr int kDraws = 60000;
  std::array<int, kBound> counts{};
  for (int i = 0; i < kDraws; ++i) {
    absl::StatusOr<uint64_t> v = RandomBelow(SystemRandom(), kBound);
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_LT(*v, static_cast<uint64_t>(kBound));
    ++counts[*v];
  }
  // Expected 10000 each, standard deviation ~91: +-1000 is > 10 sigma.
  for (int c : counts) {
    EXPECT_GT(c, 9000);
    EXPECT_LT(c, 11000);
  }
}

TEST(RandomBelowTest, BoundOneIsAlwaysZero) {
  ScriptedRandom random({0xff});
  absl::StatusOr<uint64_t> v = RandomBelow(random, 1);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 0u);
}

TEST(ToHexTest, EncodesLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(ToHex(std::string_view()), "");
  EXPECT_EQ(ToHex(std::string_view("\x00\x01\x7f\x80\xab\xff", 6)),
            "00017f80abff");
  const std::array<uint8_t, 3> bytes = {0x0f, 0xf0, 0x5a};
  EXPECT_EQ(ToHex(bytes), "0ff05a");
}

}  // namespace
}  // namespace survey::crypto
