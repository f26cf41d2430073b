// surveyctl: the staff command line (HR, managers, admins).
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "surveyctl/commands.h"

int main(int argc, char** argv) {
  survey::client::GlobalOptions global;
  int exit_code = 0;
  CLI::App app{"surveyctl: staff client of the Survey & Satisfaction Server"};
  app.require_subcommand(1);
  // The global options also work after the command
  // (`report responses ID --format csv`, as the README shows): a
  // subcommand hands what it does not know to its parent. Subcommands made
  // below inherit this.
  app.fallthrough();
  auto& c = global.connection;
  app.add_option("--server", c.server, "host:port of survey-server")
      ->envname("SURVEY_SERVER")
      ->capture_default_str();
  app.add_flag("--insecure", c.insecure, "plaintext (development servers)")
      ->envname("SURVEY_INSECURE");
  app.add_option("--tls-ca", c.tls_ca_file, "CA certificate of the server")
      ->envname("SURVEY_TLS_CA");
  app.add_option("--tls-cert", c.tls_cert_file, "your staff certificate")
      ->envname("SURVEY_TLS_CERT");
  app.add_option("--tls-key", c.tls_key_file, "your staff key")
      ->envname("SURVEY_TLS_KEY");
  app.add_option("--as", c.dev_principal,
                 "development identity: admin | hr | manager:DEPT | "
                 "employee:NO (servers started with --insecure only)")
      ->envname("SURVEY_AS");
  // The key itself is never a flag (it would show in `ps`): a file, or the
  // environment variable SURVEY_API_KEY.
  std::string api_key_file;
  app.add_option("--api-key-file", api_key_file,
                 "file holding your staff API key (or set SURVEY_API_KEY)")
      ->envname("SURVEY_API_KEY_FILE");
  if (const char* key = std::getenv("SURVEY_API_KEY"); key != nullptr) {
    c.api_key = key;
  }
  app.parse_complete_callback([&api_key_file, &c] {
    if (api_key_file.empty()) return;
    absl::StatusOr<std::string> key = survey::client::ReadApiKeyFile(api_key_file);
    if (!key.ok()) {
      throw CLI::ValidationError("--api-key-file",
                                 std::string(key.status().message()));
    }
    c.api_key = *key;
  });
  app.add_option("--timeout", c.timeout_seconds, "seconds per call")
      ->capture_default_str();
  app.add_option("--format", global.format, "table | csv | json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();

  survey::client::AddOrgCommands(app, global, &exit_code);
  survey::client::AddSurveyCommands(app, global, &exit_code);
  survey::client::AddReportCommands(app, global, &exit_code);
  survey::client::AddHealthCommand(app, global, &exit_code);
  survey::client::AddStaffCommands(app, global, &exit_code);
  survey::client::AddAppraisalCommands(app, global, &exit_code);
  survey::client::AddRetentionCommand(app, global, &exit_code);
  survey::client::AddAccountCommands(app, global, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
