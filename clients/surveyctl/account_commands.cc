// surveyctl account: console sign-in accounts (AccountService). HR makes
// the organisation's accounts and resets passwords; admins list and revoke
// sessions. Activation codes go to stdout only (so `> codes.csv` keeps
// them); everything else to stderr.
#include <ctime>
#include <iostream>
#include <memory>

#include "common/output.h"
#include "survey/v1/account.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {
namespace {

using v1::AccountService;

// "2026-05-01 12:00:00Z" (UTC), "" for 0.
std::string Utc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void AddOrgAccounts(CLI::App* account, const GlobalOptions& global, int* exit_code) {
  auto reissue = std::make_shared<bool>(false);
  CLI::App* org = account->add_subcommand(
      "org-accounts",
      "HR: an account for every active employee without one, each with a "
      "one-time activation code; prints the CSV (keep it like invitations)");
  org->add_flag("--reissue", *reissue,
                "new codes for the accounts not yet activated (old codes stop working)");
  org->callback([&global, exit_code, reissue] {
    *exit_code = WithStub<AccountService>(global, [&](AccountService::Stub& stub) {
      v1::CreateOrganisationAccountsRequest request;
      request.set_reissue_codes(*reissue);
      auto ctx = MakeContext(global.connection);
      auto reader = stub.CreateOrganisationAccounts(ctx.get(), request);
      v1::AccountsChunk chunk;
      size_t lines = 0;
      while (reader->Read(&chunk)) {
        for (char c : chunk.data()) lines += c == '\n';
        std::cout << chunk.data();
      }
      std::cout.flush();
      grpc::Status status = reader->Finish();
      if (!status.ok()) return Fail("account org-accounts", status);
      std::cerr << (lines > 0 ? lines - 1 : 0) << " accounts listed\n";
      return 0;
    });
  });
}

void AddResetPassword(CLI::App* account, const GlobalOptions& global, int* exit_code) {
  auto name = std::make_shared<std::string>();
  CLI::App* reset = account->add_subcommand(
      "reset-password",
      "HR/admin: a new activation code for NAME; its password and sessions end");
  reset->add_option("name", *name, "account name")->required();
  reset->callback([&global, exit_code, name] {
    *exit_code = WithStub<AccountService>(global, [&](AccountService::Stub& stub) {
      v1::ResetPasswordRequest request;
      request.set_account_name(*name);
      v1::ResetPasswordResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.ResetPassword(ctx.get(), request, &response);
      if (!status.ok()) return Fail("account reset-password", status);
      std::cout << response.activation_code() << "\n";
      std::cerr << "activation code for " << *name << ", valid until "
                << Utc(response.expires_at_unix()) << "\n";
      return 0;
    });
  });
}

void AddSessions(CLI::App* account, const GlobalOptions& global, int* exit_code) {
  struct Args {
    std::string account;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* list = account->add_subcommand("sessions", "admin: console sessions, newest first");
  list->add_option("--account", args->account, "only this account's");
  list->add_flag("--all", args->all, "ended sessions too");
  list->callback([&global, exit_code, args] {
    *exit_code = WithStub<AccountService>(global, [&](AccountService::Stub& stub) {
      v1::ListSessionsRequest request;
      request.set_account_name(args->account);
      request.set_include_ended(args->all);
      v1::ListSessionsResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.ListSessions(ctx.get(), request, &response);
      if (!status.ok()) return Fail("account sessions", status);
      Table table{{"session_id", "account", "created", "expires", "last_seen", "ended",
                   "client_address"},
                  {}};
      for (const v1::Session& s : response.sessions()) {
        table.rows.push_back({s.session_id(), s.account_name(), Utc(s.created_at_unix()),
                              Utc(s.expires_at_unix()), Utc(s.last_seen_unix()),
                              Utc(s.ended_at_unix()), s.client_address()});
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });

  auto id = std::make_shared<std::string>();
  CLI::App* revoke = account->add_subcommand("revoke-session", "admin: end a session now");
  revoke->add_option("id", *id, "session id (16 hex digits)")->required();
  revoke->callback([&global, exit_code, id] {
    *exit_code = WithStub<AccountService>(global, [&](AccountService::Stub& stub) {
      v1::RevokeSessionRequest request;
      request.set_session_id(*id);
      v1::RevokeSessionResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.RevokeSession(ctx.get(), request, &response);
      if (!status.ok()) return Fail("account revoke-session", status);
      std::cerr << "session " << *id << " ended\n";
      return 0;
    });
  });
}

}  // namespace

void AddAccountCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* account =
      app.add_subcommand("account", "console sign-in: organisation accounts, resets, sessions");
  account->require_subcommand(1);
  AddOrgAccounts(account, global, exit_code);
  AddResetPassword(account, global, exit_code);
  AddSessions(account, global, exit_code);
}

}  // namespace survey::client
