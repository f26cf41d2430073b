#include "e2e/topology.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "store/db_url.h"
#include "support/process.h"
#include "support/test_db.h"

namespace survey::e2e {
namespace {

using survey::testing::Result;
using survey::testing::RunProcess;

const std::string& TopologyDeployDir() {
  static const std::string dir = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/");
  return dir;
}

bool TopologyAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string TopologyDescribe(const Result& r) {
  std::ostringstream out;
  out << r;
  return out.str();
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

NginxProcess::NginxProcess(const std::string& nginx_bin, const std::string& dir, int port)
    : dir_(dir) {
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string out = dir + "/nginx.out";
    FILE* f = std::freopen(out.c_str(), "a", stderr);
    (void)f;
    ::execl(nginx_bin.c_str(), nginx_bin.c_str(), "-p", dir.c_str(), "-c",
            (dir + "/nginx.conf").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  up_ = survey::testing::WaitFor(
            [&] {
              int status;
              if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return true;
              }
              return TopologyAccepts(port);
            },
            absl::Seconds(10)) &&
        pid_ > 0;
}

NginxProcess::~NginxProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // fast shutdown; the workers exit with the master
  int status;
  ::waitpid(pid_, &status, 0);
}

std::string NginxProcess::output() const { return survey::testing::ReadFile(dir_ + "/nginx.out"); }

PrivateMariaDb::~PrivateMariaDb() {
  RunProcess({"/bin/bash", TopologyDeployDir() + "mariadb-private.sh", "stop", dir_, "--purge"});
}

bool PrivateMariaDb::Start(const std::string& role, std::string* err) {
  Result r = RunProcess({"/bin/bash", TopologyDeployDir() + "mariadb-private.sh", "start", dir_},
                        {"SURVEY_MARIADB_ROLE=" + role});
  if (r.exit_code != 0) *err = TopologyDescribe(r);
  return r.exit_code == 0;
}

std::string PrivateMariaDb::Url() const {
  Result r = RunProcess({"/bin/bash", TopologyDeployDir() + "mariadb-private.sh", "url", dir_});
  return std::string(absl::StripAsciiWhitespace(r.out));
}

std::string PrivateMariaDb::Root(const std::string& sql) const {
  auto c = store::ParseDbUrl(Url());
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return "";
  Result r = RunProcess({"/usr/bin/mariadb", "--no-defaults", "--socket=" + c->socket, "-uroot",
                         "--batch", "--skip-column-names", "survey", "-e", sql});
  EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r;
  return std::string(absl::StripAsciiWhitespace(r.out));
}

std::string AttachReplica(PrivateMariaDb& primary, PrivateMariaDb& replica, std::string* err) {
  std::string primary_err, replica_err;
  bool primary_ok = false;
  std::thread first([&] { primary_ok = primary.Start("primary", &primary_err); });
  const bool replica_ok = replica.Start("replica", &replica_err);
  first.join();
  if (!primary_ok || !replica_ok) {
    *err = primary_err + replica_err;
    return "";
  }
  Result attached = RunProcess({"/bin/bash", TopologyDeployDir() + "mariadb-replica.sh", "attach",
                                primary.dir(), replica.dir()});
  if (attached.exit_code != 0) {
    *err = TopologyDescribe(attached);
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(attached.out));
}

long ResidentKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view v = line;
    if (absl::ConsumePrefix(&v, "VmRSS:")) {
      v = absl::StripSuffix(absl::StripAsciiWhitespace(v), "kB");
      long kib;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(v), &kib)) return kib;
    }
  }
  return -1;
}

}  // namespace survey::e2e
