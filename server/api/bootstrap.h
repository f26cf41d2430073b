// The first admin: `survey-server --bootstrap-admin NAME` (see README
// "Staff accounts and API keys"). Run once on a new installation, by
// whoever runs the server (it needs the database URL and the pepper file):
// it migrates the schema, makes NAME an active admin account and creates an
// API key for it, printed once. Also the recovery path when every admin
// lost access. Recorded in the audit log as done by "system:bootstrap".
#ifndef SURVEY_API_BOOTSTRAP_H_
#define SURVEY_API_BOOTSTRAP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "api/server.h"

namespace survey::api {

struct BootstrapResult {
  bool created = false;    // the account did not exist before
  std::string key_id;      // empty when no key was asked for
  std::string key;         // the bearer key, to be shown once
  int64_t expires_at = 0;  // unix seconds
};

// Uses options.db_url and options.pepper_file only. `key_days` 0 = make the
// account but no key (for an admin who signs in with a certificate);
// otherwise 1..730. InvalidArgument for a bad name or key_days; the errors
// of SurveyServer::Start for the database and the pepper.
absl::StatusOr<BootstrapResult> BootstrapAdmin(const ServerOptions& options,
                                               const std::string& name,
                                               int key_days);

}  // namespace survey::api

#endif  // SURVEY_API_BOOTSTRAP_H_
