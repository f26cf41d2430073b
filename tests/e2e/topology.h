// Pieces of the production topology on loopback (issue 17), for the
// end-to-end tests: a standalone nginx rendered by deploy/nginx/render.sh,
// private MariaDB instances (deploy/mariadb-private.sh, a replica by
// deploy/mariadb-replica.sh), and the resident memory of a process.
#ifndef SURVEY_TESTS_E2E_TOPOLOGY_H_
#define SURVEY_TESTS_E2E_TOPOLOGY_H_

#include <sys/types.h>

#include <string>

namespace survey::e2e {

// A loopback TCP port that was free a moment ago.
int FreeLoopbackPort();

// nginx -p DIR -c DIR/nginx.conf (daemon off: the child is the master);
// up once `port` accepts connections. The destructor stops it (SIGTERM).
class NginxProcess {
 public:
  NginxProcess(const std::string& nginx_bin, const std::string& dir, int port);
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  bool up() const { return up_; }
  pid_t pid() const { return pid_; }
  std::string output() const;  // its stderr

 private:
  std::string dir_;
  pid_t pid_ = -1;
  bool up_ = false;
};

// A deploy/mariadb-private.sh instance in `dir`, stopped and purged by the
// destructor.
class PrivateMariaDb {
 public:
  explicit PrivateMariaDb(std::string dir) : dir_(std::move(dir)) {}
  ~PrivateMariaDb();
  PrivateMariaDb(const PrivateMariaDb&) = delete;
  PrivateMariaDb& operator=(const PrivateMariaDb&) = delete;

  const std::string& dir() const { return dir_; }
  // Initialises (first time) and starts it with SURVEY_MARIADB_ROLE=role
  // ("primary", "replica" or ""); false with the script's output in *err.
  bool Start(const std::string& role, std::string* err);
  std::string Url() const;
  // Runs `sql` as root in database survey; its output, trimmed ("" and a
  // test failure if it fails).
  std::string Root(const std::string& sql) const;

 private:
  std::string dir_;
};

// Primary and replica (deploy/mariadb-replica.sh attach), both initialised
// at once (half the wait on two cores). The replica's URL, "" on failure
// with the reason in *err.
std::string AttachReplica(PrivateMariaDb& primary, PrivateMariaDb& replica, std::string* err);

// VmRSS of `pid` in KiB from /proc/<pid>/status; -1 if gone.
long ResidentKiB(pid_t pid);

}  // namespace survey::e2e

#endif  // SURVEY_TESTS_E2E_TOPOLOGY_H_
