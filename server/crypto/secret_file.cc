#include "crypto/secret_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace survey::crypto {
namespace {

// Maps an errno from a failed `op` on `path` to a Status.
absl::Status ErrnoStatus(int err, const char* op, const std::string& path) {
  std::string message =
      absl::StrCat(op, " ", path, ": ", std::generic_category().message(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Closes the descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns close()'s result (0 or -1 with errno set).
  int Close() {
    const int rc = close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Best effort: makes a new directory entry durable.
void SyncParentDirectory(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  ScopedFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) fsync(fd.get());
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           size_t min_bytes) {
  // O_NONBLOCK: opening a FIFO must not hang; it is rejected below.
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open secret file", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return ErrnoStatus(errno, "cannot stat secret file", path);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("secret file ", path, " is not a regular file (mode ",
                     OctalMode(st.st_mode), ")"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "secret file ", path, " has mode ", OctalMode(st.st_mode),
        "; it must not be accessible by group or others (chmod 600 ", path,
        ")"));
  }
  // Read up to one byte more than allowed to notice an oversized file.
  std::string buf(kMaxSecretFileBytes + 1, '\0');
  size_t total = 0;
  while (total < buf.size()) {
    const ssize_t n = read(fd.get(), buf.data() + total, buf.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      OPENSSL_cleanse(buf.data(), buf.size());
      return ErrnoStatus(err, "cannot read secret file", path);
    }
    if (n == 0) break;
    total += static_cast<size_t>(n);
  }
  if (total > kMaxSecretFileBytes) {
    OPENSSL_cleanse(buf.data(), buf.size());
    return absl::FailedPreconditionError(
        absl::StrCat("secret file ", path, " is larger than ",
                     kMaxSecretFileBytes, " bytes"));
  }
  if (total > 0 && buf[total - 1] == '\n') --total;
  std::string secret(buf.data(), total);
  OPENSSL_cleanse(buf.data(), buf.size());
  if (secret.size() < min_bytes) {
    const size_t size = secret.size();
    OPENSSL_cleanse(secret.data(), secret.size());
    return absl::FailedPreconditionError(
        absl::StrCat("secret file ", path, " has ", size,
                     " bytes (without trailing newline); at least ", min_bytes,
                     " are required"));
  }
  return secret;
}

absl::Status WriteSecretFile(const std::string& path,
                             std::string_view content) {
  std::string tmp_path = absl::StrCat(path, ".tmp.XXXXXX");
  // mkostemp creates the file with mode 0600 and O_EXCL.
  ScopedFd fd(mkostemp(tmp_path.data(), O_CLOEXEC));
  if (fd.get() < 0) {
    return ErrnoStatus(errno, "cannot create temporary file next to", path);
  }
  auto fail = [&tmp_path](absl::Status status) {
    unlink(tmp_path.c_str());
    return status;
  };
  if (fchmod(fd.get(), 0600) != 0) {
    return fail(ErrnoStatus(errno, "cannot chmod", tmp_path));
  }
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n =
        write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrnoStatus(errno, "cannot write", tmp_path));
    written += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    return fail(ErrnoStatus(errno, "cannot fsync", tmp_path));
  }
  if (fd.Close() != 0) {
    return fail(ErrnoStatus(errno, "cannot close", tmp_path));
  }
  // link() never replaces an existing `path` (not even a dangling symlink),
  // unlike rename(); this is the only overwrite check, so it is race-free.
  if (link(tmp_path.c_str(), path.c_str()) != 0) {
    const int err = errno;
    if (err == EEXIST) {
      return fail(absl::AlreadyExistsError(
          absl::StrCat("refusing to overwrite existing file ", path)));
    }
    return fail(ErrnoStatus(err, "cannot link secret file", path));
  }
  unlink(tmp_path.c_str());  // `path` now holds the only name we keep.
  SyncParentDirectory(path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> GeneratePepperHex(RandomSource& random) {
  uint8_t bytes[32];
  absl::Status status = random.Fill(bytes, sizeof(bytes));
  if (!status.ok()) return status;
  std::string hex = ToHex(absl::Span<const uint8_t>(bytes, sizeof(bytes)));
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return hex;
}

}  // namespace survey::crypto
