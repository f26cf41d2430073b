#include "crypto/token.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/random.h"

namespace survey::crypto {
namespace {

class TokenFailingRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t*, size_t) override {
    return absl::UnavailableError("injected random failure");
  }
};

// Fills every byte with `value`.
class ConstantRandom : public RandomSource {
 public:
  explicit ConstantRandom(uint8_t value) : value_(value) {}
  absl::Status Fill(uint8_t* out, size_t n) override {
    std::fill(out, out + n, value_);
    return absl::OkStatus();
  }

 private:
  uint8_t value_;
};

std::string Hex(const Sha256Digest& d) { return ToHex(d); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

// A valid token that is not all one letter, for mutation tests.
constexpr char kToken[] = "MZXW6YTBOJUWU23MNZQXEZLUME";

TEST(Base32Test, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base32Encode(plain), encoded) << plain;
    absl::StatusOr<std::string> decoded = Base32Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.status();
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base32Test, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string bytes = all.substr(all.size() - len);
    absl::StatusOr<std::string> decoded = Base32Decode(Base32Encode(bytes));
    ASSERT_TRUE(decoded.ok()) << len << ": " << decoded.status();
    EXPECT_EQ(*decoded, bytes) << len;
  }
}

TEST(Base32Test, DecodeRejectsNonCanonicalInput) {
  for (const char* bad :
       {"my", "MY======", "M", "MZX", "MZXW6Y", "M1", "M0", "M8", "MZ", "MZXR",
        "MZXW7", "MZXW6YR", "MZXW6YTBOJ"}) {
    EXPECT_EQ(Base32Decode(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(GenerateTokenTest, FailsClosed) {
  TokenFailingRandom random;
  absl::StatusOr<std::string> token = GenerateToken(random);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnavailable);
}

TEST(GenerateTokenTest, EncodesSixteenSourceBytes) {
  ConstantRandom zeros(0x00), ones(0xff);
  absl::StatusOr<std::string> a = GenerateToken(zeros);
  absl::StatusOr<std::string> b = GenerateToken(ones);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, std::string(26, 'A'));
  // 125 one bits = 25 x '7', then 3 one bits + 2 zero padding bits = '4'.
  EXPECT_EQ(*b, std::string(25, '7') + "4");
}

TEST(GenerateTokenTest, TenThousandTokensAreUniqueAndRoundTrip) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    absl::StatusOr<std::string> token = GenerateToken(SystemRandom());
    ASSERT_TRUE(token.ok()) << token.status();
    ASSERT_EQ(token->size(), kTokenLength);
    EXPECT_TRUE(seen.insert(*token).second) << "duplicate token";
    for (const std::string& form :
         {*token, Lower(*token), FormatTokenForPrint(*token),
          Lower(FormatTokenForPrint(*token)), " " + *token + " "}) {
      absl::StatusOr<std::string> normalized = NormalizeToken(form);
      ASSERT_TRUE(normalized.ok()) << normalized.status();
      EXPECT_EQ(*normalized, *token);
    }
    absl::StatusOr<std::string> raw = Base32Decode(*token);
    ASSERT_TRUE(raw.ok()) << raw.status();
    EXPECT_EQ(raw->size(), kTokenBytes);
  }
}

TEST(NormalizeTokenTest, AcceptsGroupingWithSpacesAndDashes) {
  absl::StatusOr<std::string> t =
      NormalizeToken("mzxw 6ytb-ojuw - u23m nzqx ezlu me");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, kToken);
}

TEST(NormalizeTokenTest, RejectsLookalikeDigitsWithoutEchoingToken) {
  for (char bad : {'1', '0', '8', '9', '=', '\t', '_', '\xc3'}) {
    std::string token = kToken;
    token[3] = bad;
    absl::StatusOr<std::string> t = NormalizeToken(token);
    ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    const std::string message(t.status().message());
    EXPECT_EQ(message.find(token.substr(0, 3)), std::string::npos) << message;
    EXPECT_EQ(message.find(token.substr(4)), std::string::npos) << message;
  }
}

TEST(NormalizeTokenTest, RejectsWrongLength) {
  const std::string token = kToken;
  for (const std::string& bad :
       {std::string(), token.substr(1), token + "A", token + token}) {
    absl::StatusOr<std::string> t = NormalizeToken(bad);
    ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    if (!bad.empty()) {
      EXPECT_EQ(std::string(t.status().message()).find(bad.substr(0, 10)),
                std::string::npos);
    }
  }
}

TEST(NormalizeTokenTest, BoundsRawInputLength) {
  const std::string token = kToken;
  const std::string at_limit =
      token + std::string(kMaxTokenInputLength - token.size(), '-');
  EXPECT_TRUE(NormalizeToken(at_limit).ok());
  EXPECT_EQ(NormalizeToken(at_limit + "-").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NormalizeTokenTest, RejectsNonZeroPaddingBits) {
  std::string token = kToken;
  // Exactly the characters whose low 2 bits are zero may end a token.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  int accepted = 0;
  for (char last : alphabet) {
    token.back() = last;
    const bool ok = NormalizeToken(token).ok();
    EXPECT_EQ(ok, std::string("AEIMQUY4").find(last) != std::string::npos)
        << last;
    accepted += ok;
  }
  EXPECT_EQ(accepted, 8);
}

TEST(FormatTokenForPrintTest, GroupsOfFive) {
  EXPECT_EQ(FormatTokenForPrint(""), "");
  EXPECT_EQ(FormatTokenForPrint("ABCDE"), "ABCDE");
  EXPECT_EQ(FormatTokenForPrint("ABCDEFGHIJKL"), "ABCDE-FGHIJ-KL");
  EXPECT_EQ(FormatTokenForPrint(kToken), "MZXW6-YTBOJ-UWU23-MNZQX-EZLUM-E");
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  // Test case 2.
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1.
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 6: key longer than the block size.
  EXPECT_EQ(
      Hex(HmacSha256(std::string(131, '\xaa'),
                     "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(TokenHasherTest, RejectsShortPepperWithoutEchoingIt) {
  const std::string pepper(kMinPepperBytes - 1, 'p');
  absl::StatusOr<TokenHasher> hasher = TokenHasher::Create(pepper);
  ASSERT_EQ(hasher.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(hasher.status().message()).find("pppp"),
            std::string::npos);
  EXPECT_FALSE(TokenHasher::Create("").ok());
}

TEST(TokenHasherTest, IsHmacOfTokenUnderPepper) {
  const std::string pepper(kMinPepperBytes, 'k');
  absl::StatusOr<TokenHasher> hasher = TokenHasher::Create(pepper);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  EXPECT_EQ(hasher->Hmac(kToken), HmacSha256(pepper, kToken));
  EXPECT_NE(hasher->Hmac(kToken), HmacSha256("", kToken));
}

TEST(TokenHasherTest, DependsOnPepperAndToken) {
  absl::StatusOr<TokenHasher> a = TokenHasher::Create(std::string(32, 'a'));
  absl::StatusOr<TokenHasher> b = TokenHasher::Create(std::string(32, 'b'));
  ASSERT_TRUE(a.ok() && b.ok());
  std::string other = kToken;
  other[0] = 'N';
  EXPECT_NE(a->Hmac(kToken), b->Hmac(kToken));
  EXPECT_NE(a->Hmac(kToken), a->Hmac(other));
  EXPECT_EQ(a->Hmac(kToken), a->Hmac(kToken));
}

TEST(TokenHasherTest, MovedToHasherKeepsPepper) {
  const std::string pepper(40, 'm');
  absl::StatusOr<TokenHasher> a = TokenHasher::Create(pepper);
  ASSERT_TRUE(a.ok());
  TokenHasher moved = std::move(*a);
  EXPECT_EQ(moved.Hmac(kToken), HmacSha256(pepper, kToken));
  absl::StatusOr<TokenHasher> c = TokenHasher::Create(std::string(32, 'c'));
  ASSERT_TRUE(c.ok());
  moved = std::move(*c);
  EXPECT_EQ(moved.Hmac(kToken), HmacSha256(std::string(32, 'c'), kToken));
}

TEST(TokenHasherDeathTest, UseAfterMoveAborts) {
  absl::StatusOr<TokenHasher> a = TokenHasher::Create(std::string(32, 'a'));
  ASSERT_TRUE(a.ok());
  TokenHasher moved = std::move(*a);
  (void)moved;
  EXPECT_DEATH(a->Hmac(kToken), "used after move");
}

TEST(ConstantTimeEqualsTest, ComparesLengthAndEveryByte) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3),
                                 std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3),
                                  std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace survey::crypto
