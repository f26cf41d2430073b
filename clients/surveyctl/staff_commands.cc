// surveyctl staff / apikey / audit: staff accounts, their API keys and the
// audit log (admin only).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/output.h"
#include "survey/v1/admin.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {
namespace {

using v1::AdminService;

std::string RoleWord(v1::StaffRole role) {
  switch (role) {
    case v1::STAFF_ROLE_ADMIN:
      return "admin";
    case v1::STAFF_ROLE_HR:
      return "hr";
    case v1::STAFF_ROLE_MANAGER:
      return "manager";
    case v1::STAFF_ROLE_EMPLOYEE:
      return "employee";
    default:
      return "?";
  }
}

std::optional<v1::StaffRole> ParseRole(const std::string& word) {
  if (word == "admin") return v1::STAFF_ROLE_ADMIN;
  if (word == "hr") return v1::STAFF_ROLE_HR;
  if (word == "manager") return v1::STAFF_ROLE_MANAGER;
  if (word == "employee") return v1::STAFF_ROLE_EMPLOYEE;
  return std::nullopt;
}

// Writes `key` and a newline to the new file `path` (mode 0600; an existing
// file is not overwritten: it may hold another key).
absl::Status WriteKeyFile(const std::string& path, const std::string& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": ", errno == EEXIST ? "exists already" : std::strerror(errno)));
  }
  ::fchmod(fd, 0600);  // whatever the umask
  const std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return absl::InternalError(absl::StrCat(path, ": write failed"));
  }
  return absl::OkStatus();
}

// "2026-05-01 12:00:00Z" (UTC), "" for 0.
std::string UtcTime(int64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void AddStaffGroup(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* staff = app.add_subcommand("staff", "staff accounts (admin)");
  staff->require_subcommand(1);

  struct UpsertArgs {
    std::string name, role, department, employee;
    bool inactive = false;
  };
  auto args = std::make_shared<UpsertArgs>();
  CLI::App* upsert = staff->add_subcommand(
      "upsert",
      "create or update an account; NAME is the CN of the person's client "
      "certificate");
  upsert->add_option("name", args->name, "account name")->required();
  upsert->add_option("--role", args->role, "admin | hr | manager | employee")
      ->required()
      ->check(CLI::IsMember({"admin", "hr", "manager", "employee"}));
  upsert->add_option("--department", args->department,
                     "department code (managers)");
  upsert->add_option("--employee", args->employee,
                     "the account's own employee number (required for "
                     "employees; a manager defaults to the department's "
                     "named manager): nobody reviews their own sheet");
  upsert->add_flag("--inactive", args->inactive,
                   "deactivate: its certificate and keys stop working");
  upsert->callback([&global, exit_code, args] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::StaffAccount request;
      request.set_name(args->name);
      request.set_role(*ParseRole(args->role));
      request.set_department_code(args->department);
      request.set_employee_no(args->employee);
      request.set_active(!args->inactive);
      v1::StaffAccount response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status =
          stub.UpsertStaffAccount(ctx.get(), request, &response);
      if (!status.ok()) return Fail("staff upsert", status);
      std::cout << "account " << response.name() << ": "
                << RoleWord(response.role())
                << (response.department_code().empty()
                        ? ""
                        : " of " + response.department_code())
                << (response.employee_no().empty()
                        ? ""
                        : " " + response.employee_no())
                << (response.active() ? ", active" : ", inactive") << "\n";
      return 0;
    });
  });

  CLI::App* list = staff->add_subcommand("list", "list accounts");
  list->callback([&global, exit_code] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::ListStaffAccountsResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.ListStaffAccounts(
          ctx.get(), v1::ListStaffAccountsRequest(), &response);
      if (!status.ok()) return Fail("staff list", status);
      Table table{{"name", "role", "department_code", "employee_no", "active"},
                  {}};
      for (const v1::StaffAccount& a : response.accounts()) {
        table.rows.push_back({a.name(), RoleWord(a.role()), a.department_code(),
                              a.employee_no(), a.active() ? "yes" : "no"});
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });
}

void AddApiKeyGroup(CLI::App& app, const GlobalOptions& global,
                    int* exit_code) {
  CLI::App* apikey =
      app.add_subcommand("apikey", "API keys of staff accounts (admin)");
  apikey->require_subcommand(1);

  struct CreateArgs {
    std::string account;
    std::string key_out;
    int days = 90;
  };
  auto create_args = std::make_shared<CreateArgs>();
  CLI::App* create = apikey->add_subcommand(
      "create", "create a key for ACCOUNT; the key is printed only this once");
  create->add_option("account", create_args->account, "account name")
      ->required();
  create->add_option("--days", create_args->days, "validity in days")
      ->check(CLI::Range(1, 730))
      ->capture_default_str();
  create->add_option("--key-out", create_args->key_out,
                     "write the key alone to this new file (mode 0600), for "
                     "--api-key-file; without it the key alone goes to stdout");
  create->callback([&global, exit_code, create_args] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::CreateApiKeyRequest request;
      request.set_account_name(create_args->account);
      request.set_expires_at_unix(static_cast<int64_t>(std::time(nullptr)) +
                                  int64_t{create_args->days} * 24 * 3600);
      v1::CreateApiKeyResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.CreateApiKey(ctx.get(), request, &response);
      if (!status.ok()) return Fail("apikey create", status);
      Format format = ParseFormat(global.format);
      // Where a key file is expected, only the key: `> root.key` and
      // --key-out both give a file --api-key-file reads.
      if (!create_args->key_out.empty()) {
        if (absl::Status s = WriteKeyFile(create_args->key_out, response.secret());
            !s.ok()) {
          std::cerr << "apikey create: key " << response.key_id()
                    << " was made but not written: " << s.message()
                    << "; revoke it (apikey revoke " << response.key_id() << ")\n";
          return 1;
        }
        std::cout << "key_id:  " << response.key_id() << "\n"
                  << "account: " << create_args->account << "\n"
                  << "expires: " << UtcTime(response.expires_at_unix()) << "\n"
                  << "key:     written to " << create_args->key_out << " (mode 0600)\n";
        return 0;
      }
      if (format == Format::kTable) {
        std::cerr << "key_id:  " << response.key_id() << "\n"
                  << "account: " << create_args->account << "\n"
                  << "expires: " << UtcTime(response.expires_at_unix()) << "\n";
        std::cout << response.secret() << "\n";
      } else {
        Table table{{"key_id", "account_name", "expires_at", "key"},
                    {{response.key_id(), create_args->account,
                      UtcTime(response.expires_at_unix()), response.secret()}}};
        Print(table, format, std::cout);
      }
      std::cerr << "Store the key now: it is shown only this once (the "
                   "server keeps only a hash of it).\n";
      return 0;
    });
  });

  auto account = std::make_shared<std::string>();
  CLI::App* list =
      apikey->add_subcommand("list", "list keys (never their secrets)");
  list->add_option("--account", *account, "only this account's keys");
  list->callback([&global, exit_code, account] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::ListApiKeysRequest request;
      request.set_account_name(*account);
      v1::ListApiKeysResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.ListApiKeys(ctx.get(), request, &response);
      if (!status.ok()) return Fail("apikey list", status);
      int64_t now = static_cast<int64_t>(std::time(nullptr));
      Table table{{"key_id", "account_name", "created_at", "expires_at",
                   "revoked_at", "state", "created_by"},
                  {}};
      for (const v1::ApiKey& k : response.keys()) {
        std::string state = k.revoked_at_unix() != 0     ? "revoked"
                            : k.expires_at_unix() <= now ? "expired"
                                                         : "valid";
        table.rows.push_back(
            {k.key_id(), k.account_name(), UtcTime(k.created_at_unix()),
             UtcTime(k.expires_at_unix()), UtcTime(k.revoked_at_unix()), state,
             k.created_by()});
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });

  auto key_id = std::make_shared<std::string>();
  CLI::App* revoke = apikey->add_subcommand("revoke", "revoke a key at once");
  revoke->add_option("key_id", *key_id, "the key's id (apikey list)")
      ->required();
  revoke->callback([&global, exit_code, key_id] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::RevokeApiKeyRequest request;
      request.set_key_id(*key_id);
      v1::RevokeApiKeyResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.RevokeApiKey(ctx.get(), request, &response);
      if (!status.ok()) return Fail("apikey revoke", status);
      std::cout << "revoked " << *key_id << "\n";
      return 0;
    });
  });
}

void AddAuditGroup(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* audit =
      app.add_subcommand("audit", "the audit log of staff actions (admin)");
  audit->require_subcommand(1);

  auto anchor = std::make_shared<std::string>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "re-hash the whole log; exit 0 only if intact. Prints the head as "
      "SEQ:HASH: note it somewhere safe and pass it back with --anchor");
  verify->add_option(
      "--anchor", *anchor,
      "SEQ:HASH from an earlier verify; the log must still hold it");
  verify->callback([&global, exit_code, anchor] {
    v1::VerifyAuditRequest request;
    if (!anchor->empty()) {
      size_t colon = anchor->find(':');
      int64_t seq = 0;
      if (colon == std::string::npos ||
          !absl::SimpleAtoi(anchor->substr(0, colon), &seq)) {
        std::cerr << "--anchor: expected SEQ:HASH\n";
        *exit_code = 2;
        return;
      }
      request.set_anchor_seq(seq);
      request.set_anchor_hash(anchor->substr(colon + 1));
    }
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::VerifyAuditResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.VerifyAudit(ctx.get(), request, &response);
      if (!status.ok()) return Fail("audit verify", status);
      Format format = ParseFormat(global.format);
      if (format == Format::kTable) {
        if (response.intact()) {
          std::cout << "intact: " << response.records() << " records; head "
                    << response.head_seq() << ":" << response.head_hash()
                    << "\n";
        } else {
          std::cout << "BROKEN at record " << response.first_bad_record()
                    << ": " << response.problem() << "\n";
        }
      } else {
        Table table{
            {"intact", "records", "first_bad_record", "problem", "head_seq",
             "head_hash"},
            {{response.intact() ? "yes" : "no",
              absl::StrCat(response.records()),
              absl::StrCat(response.first_bad_record()), response.problem(),
              absl::StrCat(response.head_seq()), response.head_hash()}}};
        Print(table, format, std::cout);
      }
      return response.intact() ? 0 : 1;
    });
  });

  struct ListArgs {
    std::string action;
    int limit = 50;
    bool oldest_first = false;
  };
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = audit->add_subcommand("list", "show records, newest first");
  list->add_option("--action", list_args->action,
                   "only this action, e.g. staff.upsert, report.read");
  list->add_option("--limit", list_args->limit, "at most this many records")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  list->add_flag("--oldest-first", list_args->oldest_first,
                 "from the first record on");
  list->callback([&global, exit_code, list_args] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      Table table{{"seq", "at", "principal", "role", "action", "target",
                   "before", "after"},
                  {}};
      v1::ListAuditRequest request;
      request.set_action(list_args->action);
      request.set_newest_first(!list_args->oldest_first);
      int left = list_args->limit;
      while (left > 0) {
        request.set_page_size(std::min(left, 1000));
        v1::ListAuditResponse response;
        auto ctx = MakeContext(global.connection);
        grpc::Status status = stub.ListAudit(ctx.get(), request, &response);
        if (!status.ok()) return Fail("audit list", status);
        for (const v1::AuditRecord& r : response.records()) {
          table.rows.push_back(
              {absl::StrCat(r.seq()), UtcTime(r.at_unix_micros() / 1000000),
               r.principal_name(), r.principal_role(), r.action(), r.target(),
               r.before_json(), r.after_json()});
        }
        left -= response.records_size();
        if (response.next_page_token().empty()) break;
        request.set_page_token(response.next_page_token());
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });
}

}  // namespace

void AddStaffCommands(CLI::App& app, const GlobalOptions& global,
                      int* exit_code) {
  AddStaffGroup(app, global, exit_code);
  AddApiKeyGroup(app, global, exit_code);
  AddAuditGroup(app, global, exit_code);
}

}  // namespace survey::client
