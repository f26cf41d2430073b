#include "api/plaintext_warning.h"

#include <gtest/gtest.h>

namespace survey::api {
namespace {

TEST(PlaintextConnectionWarnerTest, WarnsOncePerConnection) {
  PlaintextConnectionWarner warner;
  EXPECT_TRUE(warner.Note("ipv4:127.0.0.1:40000"));
  EXPECT_FALSE(warner.Note("ipv4:127.0.0.1:40000"));  // next call, same connection
  EXPECT_TRUE(warner.Note("ipv4:127.0.0.1:40001"));   // a new connection
  EXPECT_EQ(warner.warned(), 2u);
}

TEST(PlaintextConnectionWarnerTest, MemoryIsBounded) {
  PlaintextConnectionWarner warner(2);
  EXPECT_TRUE(warner.Note("a"));
  EXPECT_TRUE(warner.Note("b"));
  EXPECT_TRUE(warner.Note("c"));  // forgot a and b
  EXPECT_TRUE(warner.Note("a"));
  EXPECT_FALSE(warner.Note("c"));
}

}  // namespace
}  // namespace survey::api
