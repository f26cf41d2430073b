#include "common/qr.h"

#include <gtest/gtest.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace survey::client {
namespace {

using Modules = std::vector<std::vector<bool>>;

const std::string kLink =
    "survey://answer?t=ABCDEFGHJKMNPQRSTVWXYZ0123456789ABCD";

// The 7x7 finder pattern with its top-left module at (x, y): a dark ring,
// a light ring, a dark 3x3 centre.
bool IsFinderAt(const Modules& m, int x, int y) {
  for (int dy = 0; dy < 7; ++dy) {
    for (int dx = 0; dx < 7; ++dx) {
      const bool ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
      const bool centre = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
      if (m[y + dy][x + dx] != (ring || centre)) return false;
    }
  }
  return true;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "qr_test_XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(QrModulesTest, IsSquareAndSizedByVersion) {
  for (const std::string& text : {std::string("a"), kLink,
                                  std::string(300, 'x')}) {
    absl::StatusOr<Modules> m = QrModules(text);
    ASSERT_TRUE(m.ok()) << m.status();
    const int size = static_cast<int>(m->size());
    for (const auto& row : *m) EXPECT_EQ(static_cast<int>(row.size()), size);
    EXPECT_EQ((size - 17) % 4, 0) << size;
    EXPECT_GE(size, 21);
    EXPECT_LE(size, 177);
  }
}

TEST(QrModulesTest, VersionGrowsWithText) {
  // One byte fits version 1; 300 bytes at level M need version 13 (69).
  EXPECT_EQ(QrModules("a")->size(), 21u);
  EXPECT_EQ(QrModules(std::string(300, 'x'))->size(), 69u);
  EXPECT_LT(QrModules("a")->size(), QrModules(kLink)->size());
}

TEST(QrModulesTest, HasFinderPatternsInThreeCorners) {
  absl::StatusOr<Modules> m = QrModules(kLink);
  ASSERT_TRUE(m.ok());
  const int n = static_cast<int>(m->size());
  EXPECT_TRUE(IsFinderAt(*m, 0, 0));
  EXPECT_TRUE(IsFinderAt(*m, n - 7, 0));
  EXPECT_TRUE(IsFinderAt(*m, 0, n - 7));
  EXPECT_FALSE(IsFinderAt(*m, n - 7, n - 7));  // the fourth corner is data
  for (int i = 0; i < 8; ++i) {
    EXPECT_FALSE((*m)[7][i]) << "separator at x=" << i;
  }
}

TEST(QrModulesTest, RejectsEmptyAndOversizedText) {
  EXPECT_EQ(QrModules("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QrModules(std::string(5000, 'x')).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(WriteQrPngTest, WritesPrivateOneBitPngOfTheExpectedSize) {
  TempDir dir;
  const std::string path = dir.path() + "/1.png";
  ASSERT_TRUE(WriteQrPng(kLink, path, 4, 4).ok());
  const int modules = static_cast<int>(QrModules(kLink)->size());
  const int expected = (modules + 8) * 4;

  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 33u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  auto be32 = [&](size_t at) {
    return (static_cast<unsigned char>(bytes[at]) << 24) |
           (static_cast<unsigned char>(bytes[at + 1]) << 16) |
           (static_cast<unsigned char>(bytes[at + 2]) << 8) |
           static_cast<unsigned char>(bytes[at + 3]);
  };
  EXPECT_EQ(be32(16), expected);
  EXPECT_EQ(be32(20), expected);
  EXPECT_EQ(bytes[24], 1);  // bit depth
  EXPECT_EQ(bytes[25], 0);  // grayscale

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(WriteQrPngTest, PixelsMatchModulesAndQuietZone) {
  TempDir dir;
  const std::string path = dir.path() + "/q.png";
  const int px = 3, margin = 2;
  ASSERT_TRUE(WriteQrPng(kLink, path, px, margin).ok());
  Modules m = *QrModules(kLink);

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, path.c_str()));
  image.format = PNG_FORMAT_GRAY;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr));
  const int size = static_cast<int>(image.width);
  ASSERT_EQ(size, (static_cast<int>(m.size()) + 2 * margin) * px);
  ASSERT_EQ(static_cast<int>(image.height), size);
  auto at = [&](int x, int y) { return pixels[y * size + x]; };
  EXPECT_EQ(at(0, 0), 255);                    // quiet zone
  EXPECT_EQ(at(size - 1, size - 1), 255);
  for (size_t y = 0; y < m.size(); ++y) {
    for (size_t x = 0; x < m.size(); ++x) {
      const int cx = (static_cast<int>(x) + margin) * px + px / 2;
      const int cy = (static_cast<int>(y) + margin) * px + px / 2;
      ASSERT_EQ(at(cx, cy), m[y][x] ? 0 : 255) << x << "," << y;
    }
  }
}

TEST(WriteQrPngTest, RejectsBadSizesAndUnwritablePaths) {
  TempDir dir;
  EXPECT_EQ(WriteQrPng(kLink, dir.path() + "/a.png", 0).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteQrPng(kLink, dir.path() + "/a.png", 8, -1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteQrPng(kLink, dir.path() + "/missing/a.png").code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(WriteQrPng("", dir.path() + "/a.png").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace survey::client
