// surveyctl invitations: issue single-use tokens (CSV and QR codes) and
// revoke them. Registered by AddSurveyCommands (survey_commands.cc).
#ifndef SURVEY_CLIENTS_SURVEYCTL_INVITATION_COMMANDS_H_
#define SURVEY_CLIENTS_SURVEYCTL_INVITATION_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "surveyctl/commands.h"

namespace survey::client {

void AddInvitationCommands(CLI::App& app, const GlobalOptions& global,
                           int* exit_code);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_SURVEYCTL_INVITATION_COMMANDS_H_
