#include "support/temp_dirs.h"

#include <filesystem>
#include <mutex>
#include <vector>

namespace survey::testing {
namespace {

class TempDirs {
 public:
  ~TempDirs() {
    std::error_code ignored;
    for (const std::string& d : dirs_) std::filesystem::remove_all(d, ignored);
  }
  void Add(std::string dir) {
    std::lock_guard<std::mutex> lock(mu_);
    dirs_.push_back(std::move(dir));
  }

 private:
  std::mutex mu_;
  std::vector<std::string> dirs_;
};

}  // namespace

void RemoveAtExit(std::string dir) {
  static TempDirs dirs;
  dirs.Add(std::move(dir));
}

}  // namespace survey::testing
