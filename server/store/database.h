// Liveness of the database, for the health service.
#ifndef SURVEY_STORE_DATABASE_H_
#define SURVEY_STORE_DATABASE_H_

#include "absl/status/status.h"

namespace survey::store {

class DatabaseProbe {
 public:
  virtual ~DatabaseProbe() = default;
  // OK if the database answers a trivial query now; Unavailable otherwise.
  // Not thread-safe: one caller (the health monitor) owns a probe.
  virtual absl::Status Ping() = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_DATABASE_H_
