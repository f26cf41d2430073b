// surveyctl invitations issue / revoke.
//
// Tokens are shown once (the server keeps only their HMAC), so issue
// prepares its output files before asking for any and writes every token
// it receives, even when the stream later fails. The files hold secrets:
// directories are 0700, files 0600, and tokens reach stdout only with
// --print-tokens.
#include "surveyctl/invitation_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "common/invitation_files.h"
#include "common/output.h"
#include "common/qr.h"
#include "domain/csv.h"
#include "domain/org.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::client {
namespace {

using v1::AdminService;

struct IssueArgs {
  std::string campaign_id, tickets_path, out_dir;
  bool cross = false, qr = false, print_tokens = false;
  std::vector<std::string> pairs;
  int expires_days = 30;
  bool expires_given = false;
  std::string link_base = "survey://answer?t=";
};

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Creates `dir` with mode 0700 unless it exists as a directory.
absl::Status MakePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    ::chmod(dir.c_str(), 0700);  // whatever the umask
    return absl::OkStatus();
  }
  struct stat st;
  if (errno == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if ((st.st_mode & 077) != 0) {
      std::cerr << "warning: " << dir
                << " is readable by other users; the files in it are not\n";
    }
    return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
}

// Opens DIR/invitations.csv for writing, never over an existing one: it
// would hold tokens that cannot be shown again.
absl::StatusOr<FILE*> CreateSecretFile(const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat(
        "cannot create ", path, ": ", std::strerror(errno),
        errno == EEXIST ? " (refusing to overwrite issued tokens)" : ""));
  }
  ::fchmod(fd, 0600);
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) ::close(fd);
  if (file == nullptr) return absl::InternalError("fdopen failed");
  return file;
}

absl::StatusOr<v1::DepartmentPair> ParsePair(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--pair ", text, ": expected EVALUATING:RATED"));
  }
  for (const std::string& code : parts) {
    absl::Status valid = domain::ValidateCode("department code", code);
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--pair ", text, ": ", valid.message()));
    }
  }
  v1::DepartmentPair pair;
  pair.set_evaluating_department_code(parts[0]);
  pair.set_rated_department_code(parts[1]);
  return pair;
}

int Issue(const GlobalOptions& global, const IssueArgs& args) {
  v1::IssueInvitationsRequest request;
  request.set_campaign_id(args.campaign_id);
  request.set_link_base(args.link_base);
  if (args.expires_given) {
    const auto now = std::chrono::system_clock::now();
    request.set_expires_at_unix(
        std::chrono::duration_cast<std::chrono::seconds>(
            now.time_since_epoch()).count() +
        int64_t{args.expires_days} * 86400);
  }
  std::vector<TicketRow> tickets;
  if (args.cross) {
    for (const std::string& text : args.pairs) {
      absl::StatusOr<v1::DepartmentPair> pair = ParsePair(text);
      if (!pair.ok()) {
        std::cerr << pair.status().message() << "\n";
        return 2;
      }
      *request.add_pairs() = *pair;
    }
  } else {
    std::string text;
    if (!ReadWholeFile(args.tickets_path, &text)) {
      std::cerr << "cannot read " << args.tickets_path << "\n";
      return 1;
    }
    TicketsParse parsed = ParseTicketsCsv(text, Basename(args.tickets_path));
    if (!parsed.problems.empty()) {
      for (const std::string& p : parsed.problems) std::cerr << p << "\n";
      std::cerr << parsed.problems.size()
                << " problem(s) found; nothing was sent.\n";
      return 1;
    }
    tickets = std::move(parsed.rows);
    // The ticket column stays here: the server needs only the subject.
    for (const TicketRow& t : tickets) {
      request.add_events()->set_subject_employee_no(t.subject_employee_no);
    }
  }

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(global.connection);
  if (!channel.ok()) {
    std::cerr << channel.status().message() << "\n";
    return 1;
  }
  auto stub = AdminService::NewStub(*channel);
  {
    // The kind decides the columns; checking first avoids files for a
    // request the server would refuse.
    v1::GetCampaignRequest get;
    get.set_id(args.campaign_id);
    v1::Campaign campaign;
    auto ctx = MakeContext(global.connection);
    grpc::Status status = stub->GetCampaign(ctx.get(), get, &campaign);
    if (!status.ok()) {
      std::cerr << "cannot read campaign: " << Describe(status) << "\n";
      return 1;
    }
    const bool is_cross =
        campaign.kind() == v1::CAMPAIGN_KIND_CROSS_EVALUATION;
    if (is_cross != args.cross) {
      std::cerr << "campaign " << args.campaign_id << " is a "
                << (is_cross ? "cross-evaluation: use --cross"
                             : "customer survey: use --from tickets.csv")
                << "\n";
      return 2;
    }
  }

  absl::Status dir = MakePrivateDir(args.out_dir);
  if (dir.ok() && args.qr) dir = MakePrivateDir(args.out_dir + "/qr");
  if (!dir.ok()) {
    std::cerr << dir.message() << "\n";
    return 1;
  }
  const std::string csv_path = args.out_dir + "/invitations.csv";
  absl::StatusOr<FILE*> csv = CreateSecretFile(csv_path);
  if (!csv.ok()) {
    std::cerr << csv.status().message() << "\n";
    return 1;
  }
  std::fputs(domain::CsvLine(InvitationHeader(args.cross, args.qr)).c_str(),
             *csv);

  Table printed{InvitationHeader(args.cross, args.qr), {}};
  int n = 0, qr_failures = 0;
  auto ctx = MakeContext(global.connection);
  auto reader = stub->IssueInvitations(ctx.get(), request);
  v1::IssuedInvitation invitation;
  while (reader->Read(&invitation)) {
    ++n;
    std::string ticket;
    if (!args.cross && invitation.event_index() >= 0 &&
        invitation.event_index() < static_cast<int>(tickets.size())) {
      ticket = tickets[invitation.event_index()].ticket;
    }
    std::vector<std::string> row =
        InvitationRow(invitation, args.cross, args.qr, n, ticket);
    std::fputs(domain::CsvLine(row).c_str(), *csv);
    if (args.qr) {
      absl::Status qr = WriteQrPng(invitation.deep_link(),
                                   args.out_dir + "/" + QrFileName(n));
      if (!qr.ok()) {
        // Keep going: the CSV row holds the token, the QR can be redone.
        if (qr_failures++ == 0) std::cerr << qr.message() << "\n";
      }
    }
    if (args.print_tokens) printed.rows.push_back(std::move(row));
  }
  grpc::Status status = reader->Finish();
  const bool written = std::fflush(*csv) == 0 && ::fsync(fileno(*csv)) == 0 &&
                       std::ferror(*csv) == 0;
  std::fclose(*csv);
  if (!written) {
    std::cerr << "error writing " << csv_path << ": " << std::strerror(errno)
              << "\n";
  }
  if (!status.ok()) {
    if (n == 0) {
      ::unlink(csv_path.c_str());
      std::cerr << "nothing issued: " << Describe(status) << "\n";
    } else {
      std::cerr << "the stream failed after " << n
                << " invitation(s): " << Describe(status) << "\n"
                << "they are in " << csv_path
                << "; revoke them before issuing again: surveyctl "
                   "invitations revoke --tokens-file "
                << csv_path << "\n";
    }
    return 1;
  }
  if (args.print_tokens) Print(printed, ParseFormat(global.format), std::cout);
  std::cout << "issued " << n << " invitation(s) -> " << csv_path << "\n";
  if (args.qr) {
    std::cout << (n - qr_failures) << " QR code(s) -> " << args.out_dir
              << "/qr/<row>.png\n";
  }
  if (!args.cross && n != static_cast<int>(tickets.size())) {
    std::cerr << "warning: " << tickets.size() << " ticket(s) sent but " << n
              << " invitation(s) received\n";
  }
  return written && qr_failures == 0 ? 0 : 1;
}

int Revoke(const GlobalOptions& global, const std::string& path) {
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  absl::StatusOr<std::vector<std::string>> tokens = ParseTokenList(text);
  if (!tokens.ok()) {
    std::cerr << path << ": " << tokens.status().message() << "\n";
    return 1;
  }
  if (tokens->empty()) {
    std::cerr << path << ": no tokens\n";
    return 1;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(global.connection);
  if (!channel.ok()) {
    std::cerr << channel.status().message() << "\n";
    return 1;
  }
  auto stub = AdminService::NewStub(*channel);
  // Batches keep each message small; revoking is idempotent, so a failed
  // run can simply be repeated.
  constexpr size_t kBatch = 1000;
  v1::RevokeInvitationsResponse total;
  for (size_t start = 0; start < tokens->size(); start += kBatch) {
    v1::RevokeInvitationsRequest request;
    for (size_t i = start; i < tokens->size() && i < start + kBatch; ++i) {
      request.add_tokens((*tokens)[i]);
    }
    v1::RevokeInvitationsResponse response;
    auto ctx = MakeContext(global.connection);
    grpc::Status status =
        stub->RevokeInvitations(ctx.get(), request, &response);
    if (!status.ok()) {
      std::cerr << "revoke failed after " << start << " of " << tokens->size()
                << " token(s) (safe to repeat): " << Describe(status) << "\n";
      return 1;
    }
    total.set_revoked(total.revoked() + response.revoked());
    total.set_already_used(total.already_used() + response.already_used());
    total.set_unknown(total.unknown() + response.unknown());
  }
  Table table{{"revoked", "already_used", "unknown"},
              {{std::to_string(total.revoked()),
                std::to_string(total.already_used()),
                std::to_string(total.unknown())}}};
  Print(table, ParseFormat(global.format), std::cout);
  return 0;
}

}  // namespace

void AddInvitationCommands(CLI::App& app, const GlobalOptions& global,
                           int* exit_code) {
  CLI::App* group = app.add_subcommand("invitations", "single-use tokens");
  group->require_subcommand(1);

  auto a = std::make_shared<IssueArgs>();
  CLI::App* issue = group->add_subcommand(
      "issue",
      "issue tokens; writes DIR/invitations.csv (0600) and with --qr "
      "DIR/qr/<row>.png");
  issue->add_option("campaign", a->campaign_id, "campaign id")->required();
  auto* from = issue->add_option(
      "--from", a->tickets_path,
      "customer survey: tickets.csv with subject_employee_no[,ticket]");
  auto* cross = issue->add_flag("--cross", a->cross,
                                "cross-evaluation: the server builds the "
                                "matrix of department members");
  auto* pair = issue->add_option(
      "--pair", a->pairs,
      "EVALUATING:RATED department codes (repeatable; default all pairs)");
  from->excludes(cross);
  pair->needs(cross);
  auto* expires = issue->add_option("--expires-days", a->expires_days,
                                    "validity in days (server default 30)")
                      ->check(CLI::Range(1, 180))
                      ->capture_default_str();
  issue->add_option("--link-base", a->link_base,
                    "link prefix: survey://answer?t= (app) or https://HOST/a/ (web app)")
      ->envname("SURVEY_LINK_BASE")
      ->capture_default_str();
  issue->add_option("--out", a->out_dir, "output directory (created 0700)")
      ->required();
  issue->add_flag("--qr", a->qr, "also write one QR code PNG per token");
  issue->add_flag("--print-tokens", a->print_tokens,
                  "also print the rows, tokens included, to stdout");
  issue->callback([&global, exit_code, a, from, expires] {
    if (from->count() == 0 && !a->cross) {
      std::cerr << "give --from tickets.csv or --cross\n";
      *exit_code = 2;
      return;
    }
    a->expires_given = expires->count() > 0;
    *exit_code = Issue(global, *a);
  });

  auto tokens_file = std::make_shared<std::string>();
  CLI::App* revoke = group->add_subcommand(
      "revoke", "revoke unused tokens; prints revoked/already_used/unknown");
  revoke->add_option("--tokens-file", *tokens_file,
                     "one token per line, or an invitations.csv")
      ->required();
  revoke->callback([&global, exit_code, tokens_file] {
    *exit_code = Revoke(global, *tokens_file);
  });
}

}  // namespace survey::client
