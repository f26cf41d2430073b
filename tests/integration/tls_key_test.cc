// The server's TLS private key is held to the pepper's rule (issue 18): a
// key file that group or others may read is refused at start, naming the
// flag and the fix; mode 0600 starts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "support/temp_dirs.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {

TEST(TlsKeyTest, AKeyReadableByOthersIsRefused) {
  char tmpl[] = "/tmp/survey-certs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  RemoveAtExit(dir);  // also when an assertion ends the test early
  const std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
  ASSERT_EQ(std::system(absl::StrCat(script, " ", dir, " >/dev/null 2>&1").c_str()), 0);
  api::ServerOptions o;
  o.tls_cert_file = dir + "/server.pem";
  o.tls_key_file = dir + "/server.key";
  for (mode_t mode : {0644, 0640, 0604}) {
    ASSERT_EQ(chmod(o.tls_key_file.c_str(), mode), 0);
    auto refused = TestServer::Start(o);
    ASSERT_FALSE(refused.ok()) << std::oct << mode;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StartsWith(refused.status().message(), "--tls-key: "))
        << refused.status();
    EXPECT_TRUE(absl::StrContains(refused.status().message(), "chmod 600"))
        << refused.status();
  }
  ASSERT_EQ(chmod(o.tls_key_file.c_str(), 0600), 0);
  auto started = TestServer::Start(o);
  EXPECT_TRUE(started.ok()) << started.status();
  if (started.ok()) started->reset();
}

}  // namespace
}  // namespace survey::testing
