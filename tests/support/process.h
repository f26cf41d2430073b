// Test support for end-to-end tests: the shipped binaries run as child
// processes (survey-server, surveyctl, survey-sim, scripts), their output
// captured. Compiled into each e2e target, where SURVEY_SERVER_BIN is set.
#ifndef SURVEY_TESTS_SUPPORT_PROCESS_H_
#define SURVEY_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <ostream>
#include <string>
#include <vector>

namespace survey::testing {

struct Result {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const Result& r);

std::string ReadFile(const std::string& path);
// A fresh private directory under /tmp.
std::string MakeTempDir();

// Runs `argv` (argv[0] a path) to completion with `env` ("K=V") added to
// the environment, capturing stdout and stderr.
Result RunProcess(const std::vector<std::string>& argv,
                  const std::vector<std::string>& env = {});

// survey-server as a process; the constructor returns once it printed its
// port (or exited). The destructor stops it with SIGTERM and waits.
class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& flags);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }  // 0 if it never listened
  // The --metrics-listen port from the same line (0 if none).
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  std::string address() const;
  // Sends `sig` and returns the exit code (-1 if killed by a signal).
  int StopWith(int sig);
  // Waits for the process to exit by itself; its exit code.
  int WaitExit();
  std::string stderr_text() const { return ReadFile(err_path_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  bool reaped_ = false;
  std::string err_path_;
};

}  // namespace survey::testing

#endif  // SURVEY_TESTS_SUPPORT_PROCESS_H_
