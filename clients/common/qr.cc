#include "common/qr.h"

#include <fcntl.h>
#include <png.h>
#include <qrencode.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace survey::client {
namespace {

// libpng reports errors by calling this and expects it not to return; the
// message is kept for the Status because libpng's default prints to stderr.
struct PngErrorState {
  char message[256] = {};
};

[[noreturn]] void OnPngError(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
  if (state != nullptr) {
    std::snprintf(state->message, sizeof state->message, "%s", message);
  }
  png_longjmp(png, 1);
}

void OnPngWarning(png_structp, png_const_charp) {}

// Writes packed 1-bit rows (0 = dark, 1 = light). Kept free of C++ objects
// with destructors because longjmp would skip them.
bool WritePngRows(FILE* file, png_uint_32 size, png_bytep* rows,
                  PngErrorState* error) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error,
                                            OnPngError, OnPngWarning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, size, size, 1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<std::vector<bool>>> QrModules(
    const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError("QR text is empty");
  if (text.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("QR text holds a NUL byte");
  }
  errno = 0;
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
      QRcode_free);
  if (code == nullptr) {
    if (errno == ERANGE) {
      return absl::OutOfRangeError(
          absl::StrCat("QR text too long (", text.size(), " bytes)"));
    }
    return absl::InternalError(
        absl::StrCat("QR encoding failed: ", std::strerror(errno)));
  }
  const int width = code->width;
  std::vector<std::vector<bool>> modules(width, std::vector<bool>(width));
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each byte is the colour; the other bits are libqrencode's
      // bookkeeping (function patterns, masks).
      modules[y][x] = (code->data[y * width + x] & 1) != 0;
    }
  }
  return modules;
}

absl::Status WriteQrPng(const std::string& text, const std::string& path,
                        int module_pixels, int margin_modules) {
  if (module_pixels < 1 || module_pixels > 64) {
    return absl::InvalidArgumentError("module_pixels must be 1..64");
  }
  if (margin_modules < 0 || margin_modules > 16) {
    return absl::InvalidArgumentError("margin_modules must be 0..16");
  }
  absl::StatusOr<std::vector<std::vector<bool>>> modules = QrModules(text);
  if (!modules.ok()) return modules.status();

  const int count = static_cast<int>(modules->size());
  const int size = (count + 2 * margin_modules) * module_pixels;
  const int row_bytes = (size + 7) / 8;
  // 1 = light: the quiet zone and light modules stay at the initial value.
  std::vector<std::vector<png_byte>> pixels(
      size, std::vector<png_byte>(row_bytes, 0xFF));
  for (int y = 0; y < size; ++y) {
    const int my = y / module_pixels - margin_modules;
    if (my < 0 || my >= count) continue;
    for (int x = 0; x < size; ++x) {
      const int mx = x / module_pixels - margin_modules;
      if (mx < 0 || mx >= count || !(*modules)[my][mx]) continue;
      pixels[y][x / 8] &= static_cast<png_byte>(~(0x80 >> (x % 8)));
    }
  }
  std::vector<png_bytep> rows(size);
  for (int y = 0; y < size; ++y) rows[y] = pixels[y].data();

  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    ::unlink(path.c_str());
    return absl::InternalError(absl::StrCat("cannot open ", path));
  }
  PngErrorState error;
  const bool written =
      WritePngRows(file, static_cast<png_uint_32>(size), rows.data(), &error);
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    ::unlink(path.c_str());
    return absl::InternalError(absl::StrCat(
        "cannot write ", path, ": ",
        error.message[0] != '\0' ? error.message : "write failed"));
  }
  return absl::OkStatus();
}

}  // namespace survey::client
