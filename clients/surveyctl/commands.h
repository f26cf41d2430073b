// surveyctl's command groups. Each Add* registers its subcommands; their
// callbacks set *exit_code (0 ok, 1 refused or failed, 2 usage).
#ifndef SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_
#define SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "common/connection.h"

namespace survey::client {

struct GlobalOptions {
  ConnectionOptions connection;
  std::string format = "table";
};

// Prints "what: CODE: message" to stderr; returns exit code 1.
inline int Fail(const std::string& what, const grpc::Status& status) {
  std::cerr << what << ": " << Describe(status) << "\n";
  return 1;
}

// The whole file at `path` into *out; false if it cannot be read.
inline bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

// Connects and returns body(Service::Stub&), or 1 if the channel cannot be
// made.
template <typename Service, typename Body>
int WithStub(const GlobalOptions& global, Body body) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(global.connection);
  if (!channel.ok()) {
    std::cerr << channel.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<typename Service::Stub> stub = Service::NewStub(*channel);
  return body(*stub);
}

void AddOrgCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
// Templates, campaigns and invitations (tokens as CSV and QR codes).
void AddSurveyCommands(CLI::App& app, const GlobalOptions& global,
                       int* exit_code);
// Reports, exports and verify.
void AddReportCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
void AddHealthCommand(CLI::App& app, const GlobalOptions& global, int* exit_code);
// staff, apikey and audit (admin only).
void AddStaffCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
// Appraisal sheets, satisfaction push, grading and appeals.
void AddAppraisalCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
// account: organisation accounts, password resets, sessions (HR/admin).
void AddAccountCommands(CLI::App& app, const GlobalOptions& global, int* exit_code);
// retention apply (admin only).
void AddRetentionCommand(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_SURVEYCTL_COMMANDS_H_
