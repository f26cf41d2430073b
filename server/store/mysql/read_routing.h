// Reads that a MariaDB replica may serve (--db-read-url; issue 17, item 3).
//
// Reports, exports and Verify read only what is committed, so a replica
// can take them off the primary, except for one thing: a replica applies
// the primary's transactions some time after they commit, and a campaign
// just closed on the primary must never be reported from a replica that
// has not applied the close (it would show the campaign as open, or an
// earlier state of anything). So every read first asks the primary for its
// position (@@gtid_binlog_pos: every transaction committed so far) and lets
// the replica wait until it has applied that much (MASTER_GTID_WAIT), for
// at most `wait`; a replica that is behind by more, stopped or unreachable
// is passed over and the primary serves the read. The replica therefore
// never shows less than the primary had committed when the read began.
//
// Thread-safe.
#ifndef SURVEY_STORE_MYSQL_READ_ROUTING_H_
#define SURVEY_STORE_MYSQL_READ_ROUTING_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

class ReadRouting {
 public:
  // `primary` must outlive this; `replica` too, unless null (then every
  // read goes to the primary).
  ReadRouting(ConnectionPool* primary, ConnectionPool* replica,
              absl::Duration wait = absl::Milliseconds(500))
      : primary_(primary), replica_(replica), wait_(wait) {}

  // The pool to read from now (see above). Never fails: when in doubt, the
  // primary.
  ConnectionPool& ForRead();

  // Reads sent to the replica / to the primary because the replica was
  // behind, stopped or unreachable (for metrics and tests).
  int64_t replica_reads() const { return replica_reads_.load(std::memory_order_relaxed); }
  int64_t primary_fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

 private:
  ConnectionPool* primary_;
  ConnectionPool* replica_;
  absl::Duration wait_;
  std::atomic<int64_t> replica_reads_{0};
  std::atomic<int64_t> fallbacks_{0};
};

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_READ_ROUTING_H_
