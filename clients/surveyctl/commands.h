// surveyctl's command groups. Each Add* registers its subcommands; their
// callbacks set *exit_code (0 ok, 1 refused or failed, 2 usage).
#ifndef SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_
#define SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "common/connection.h"

namespace survey::client {

struct GlobalOptions {
  ConnectionOptions connection;
  std::string format = "table";
};

void AddOrgCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
// Templates, campaigns and invitations (tokens as CSV and QR codes).
void AddSurveyCommands(CLI::App& app, const GlobalOptions& global,
                       int* exit_code);
// Reports, exports and verify.
void AddReportCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
void AddHealthCommand(CLI::App& app, const GlobalOptions& global, int* exit_code);
// staff, apikey and audit (admin only).
void AddStaffCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_
