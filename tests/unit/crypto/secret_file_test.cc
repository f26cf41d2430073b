#include "crypto/secret_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "crypto/random.h"

namespace survey::crypto {
namespace {

class SecretFileFailingRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t*, size_t) override {
    return absl::UnavailableError("injected random failure");
  }
};

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp",
                                    "/secret_file_test.XXXXXX");
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Creates `name` holding `content`, then sets exactly `mode`.
  std::string MakeFile(const std::string& name, const std::string& content,
                       mode_t mode) {
    const std::string path = Path(name);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0) << path;
    EXPECT_EQ(write(fd, content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
    EXPECT_EQ(fchmod(fd, mode), 0);
    close(fd);
    return path;
  }

  size_t EntriesInDir() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator(dir_)) {
      ++n;
    }
    return n;
  }

  std::string dir_;
};

const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes.

TEST_F(SecretFileTest, ReadsOwnerOnlyFileAndStripsOneNewline) {
  absl::StatusOr<std::string> s =
      ReadSecretFile(MakeFile("rw", kSecret + "\n", 0600), 32);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kSecret);

  s = ReadSecretFile(MakeFile("ro", kSecret, 0400), 32);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kSecret);

  s = ReadSecretFile(MakeFile("two", kSecret + "\n\n", 0600), 32);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kSecret + "\n");
}

TEST_F(SecretFileTest, RefusesGroupOrOtherAccessNamingPathAndMode) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602, 0610, 0601, 0660}) {
    const std::string name = "mode" + std::to_string(mode);
    const std::string path = MakeFile(name, kSecret, mode);
    absl::StatusOr<std::string> s = ReadSecretFile(path, 1);
    ASSERT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition)
        << std::oct << mode;
    const std::string message(s.status().message());
    EXPECT_NE(message.find(path), std::string::npos) << message;
    char octal[8];
    std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(message.find(octal), std::string::npos) << message;
    EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  }
}

TEST_F(SecretFileTest, RefusesTooShortWithoutEchoingContent) {
  const std::string short_secret = kSecret.substr(0, 31);
  absl::StatusOr<std::string> s =
      ReadSecretFile(MakeFile("short", short_secret + "\n", 0600), 32);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(s.status().message()).find(short_secret),
            std::string::npos);
  // The stripped newline does not count towards the minimum.
  EXPECT_EQ(ReadSecretFile(Path("short"), 32).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ReadSecretFile(Path("short"), 31).ok());
}

TEST_F(SecretFileTest, MissingIsNotFound) {
  EXPECT_EQ(ReadSecretFile(Path("absent"), 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadSecretFile(Path("absent/below"), 1).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SecretFileTest, RefusesDirectory) {
  ASSERT_EQ(mkdir(Path("dir").c_str(), 0700), 0);
  // min_bytes 0, so only the file-type check can refuse it.
  absl::StatusOr<std::string> s = ReadSecretFile(Path("dir"), 0);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("regular"), absl::string_view::npos);
}

TEST_F(SecretFileTest, RefusesFifoWithoutBlocking) {
  ASSERT_EQ(mkfifo(Path("fifo").c_str(), 0600), 0);
  // Run in a detached thread so that a blocking open() fails the test
  // instead of hanging it.
  auto result = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = result->get_future();
  std::thread([result, path = Path("fifo")] {
    result->set_value(ReadSecretFile(path, 0).status());
  }).detach();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "ReadSecretFile blocked on a FIFO";
  const absl::Status status = done.get();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("regular"), absl::string_view::npos);
}

TEST_F(SecretFileTest, RefusesOversizedFile) {
  const std::string big(kMaxSecretFileBytes + 1, 'x');
  EXPECT_EQ(ReadSecretFile(MakeFile("big", big, 0600), 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ReadSecretFile(MakeFile("max", big.substr(1), 0600), 1).ok());
}

TEST_F(SecretFileTest, FollowsSymlinkAndChecksTarget) {
  const std::string target = MakeFile("target", kSecret, 0600);
  ASSERT_EQ(symlink(target.c_str(), Path("link").c_str()), 0);
  absl::StatusOr<std::string> s = ReadSecretFile(Path("link"), 32);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kSecret);
  ASSERT_EQ(chmod(target.c_str(), 0644), 0);
  EXPECT_EQ(ReadSecretFile(Path("link"), 32).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SecretFileTest, WriteCreatesMode0600EvenWithPermissiveUmask) {
  const mode_t old_umask = umask(0);
  const absl::Status status = WriteSecretFile(Path("new"), kSecret);
  umask(old_umask);
  ASSERT_TRUE(status.ok()) << status;
  struct stat st;
  ASSERT_EQ(stat(Path("new").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  absl::StatusOr<std::string> s = ReadSecretFile(Path("new"), 32);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kSecret);
  EXPECT_EQ(EntriesInDir(), 1u) << "temporary file left behind";
}

TEST_F(SecretFileTest, WriteRefusesToOverwrite) {
  const std::string path = MakeFile("existing", "old", 0600);
  EXPECT_EQ(WriteSecretFile(path, kSecret).code(),
            absl::StatusCode::kAlreadyExists);
  absl::StatusOr<std::string> s = ReadSecretFile(path, 0);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "old");
  // A dangling symlink also counts as existing; nothing is created through it.
  ASSERT_EQ(symlink(Path("nowhere").c_str(), Path("dangling").c_str()), 0);
  EXPECT_EQ(WriteSecretFile(Path("dangling"), kSecret).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(Path("nowhere")));
  EXPECT_EQ(EntriesInDir(), 2u) << "temporary file left behind";
}

TEST_F(SecretFileTest, WriteIntoMissingDirectoryIsNotFound) {
  EXPECT_EQ(WriteSecretFile(Path("no/such"), kSecret).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(EntriesInDir(), 0u);
}

TEST(GeneratePepperHexTest, Is64FreshLowerHexChars) {
  absl::StatusOr<std::string> a = GeneratePepperHex(SystemRandom());
  absl::StatusOr<std::string> b = GeneratePepperHex(SystemRandom());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos) << *a;
  EXPECT_NE(*a, *b);
}

TEST(GeneratePepperHexTest, FailsClosed) {
  SecretFileFailingRandom random;
  EXPECT_EQ(GeneratePepperHex(random).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace survey::crypto
