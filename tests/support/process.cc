#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "support/temp_dirs.h"

namespace survey::testing {
namespace {

[[noreturn]] void Exec(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string MakeTempDir() {
  char tmpl[] = "/tmp/survey-e2e-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  RemoveAtExit(dir);
  return dir;
}

Result RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::string dir = MakeTempDir();
  std::string out_path = dir + "/out", err_path = dir + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    Exec(argv);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return {ExitCode(status), ReadFile(out_path), ReadFile(err_path)};
}

ServerProcess::ServerProcess(const std::vector<std::string>& flags) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return;
  err_path_ = MakeTempDir() + "/server.err";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipefd[1], 1);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, 2);
    close(pipefd[0]);
    std::vector<std::string> argv = {SURVEY_SERVER_BIN};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Exec(argv);
  }
  close(pipefd[1]);
  std::string line;
  char c;
  while (read(pipefd[0], &c, 1) == 1 && c != '\n') line += c;
  close(pipefd[0]);
  constexpr std::string_view kPrefix = "survey-server listening on port ";
  if (line.rfind(kPrefix, 0) == 0) port_ = std::stoi(line.substr(kPrefix.size()));
  constexpr std::string_view kMetrics = ", metrics on port ";
  if (size_t at = line.find(kMetrics); at != std::string::npos) {
    metrics_port_ = std::stoi(line.substr(at + kMetrics.size()));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !reaped_) StopWith(SIGTERM);
}

std::string ServerProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

int ServerProcess::StopWith(int sig) {
  kill(pid_, sig);
  return WaitExit();
}

int ServerProcess::WaitExit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return ExitCode(status);
}

}  // namespace survey::testing
