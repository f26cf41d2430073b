#include "common/invitation_files.h"

#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/csv.h"
#include "domain/org.h"

namespace survey::client {
namespace {

constexpr domain::CsvColumn kTicketColumns[] = {
    {"subject_employee_no", true},
    {"ticket", false},
};

std::string FormatProblem(std::string_view file_label,
                          const domain::CsvProblem& problem) {
  std::string out = absl::StrCat(std::string(file_label), " line ",
                                 problem.line);
  if (!problem.column.empty()) absl::StrAppend(&out, ", column ", problem.column);
  absl::StrAppend(&out, ": ", problem.message);
  return out;
}

std::string_view StripBom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

}  // namespace

TicketsParse ParseTicketsCsv(std::string_view text,
                             std::string_view file_label) {
  TicketsParse result;
  std::vector<domain::CsvProblem> problems;
  int rows_seen = 0;
  domain::ImportCsv(
      text, kTicketColumns,
      [&](const domain::CsvImportRow& row) {
        ++rows_seen;
        TicketRow ticket;
        ticket.line = row.line;
        ticket.subject_employee_no = std::string(row.cells[0]);
        ticket.ticket = std::string(row.cells[1]);
        absl::Status valid = domain::ValidateCode("subject_employee_no",
                                                  ticket.subject_employee_no);
        if (!valid.ok()) {
          // ValidateCode prefixes "<field>: "; the column is named
          // separately in our message.
          std::string why(valid.message());
          const std::string prefix = "subject_employee_no: ";
          if (absl::StartsWith(why, prefix)) why = why.substr(prefix.size());
          problems.push_back({row.line, row.index, "subject_employee_no", why});
          return;
        }
        result.rows.push_back(std::move(ticket));
      },
      &problems);
  // A header-only file would issue nothing; that is never what was meant.
  if (problems.empty() && rows_seen == 0) {
    problems.push_back({1, -1, "", "no data rows after the header"});
  }
  for (const domain::CsvProblem& p : problems) {
    result.problems.push_back(FormatProblem(file_label, p));
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> ParseTokenList(std::string_view text) {
  text = StripBom(text);
  // absl's string functions take absl::string_view, which is not
  // std::string_view on this platform.
  const absl::string_view all(text.data(), text.size());
  std::vector<std::string> tokens;
  absl::string_view first_line;
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    if (!absl::StripAsciiWhitespace(line).empty()) {
      first_line = line;
      break;
    }
  }
  bool csv = false;
  for (absl::string_view cell : absl::StrSplit(first_line, ',')) {
    cell = absl::StripAsciiWhitespace(cell);
    if (absl::EqualsIgnoreCase(cell, "token") ||
        absl::EqualsIgnoreCase(cell, "\"token\"")) {
      csv = true;
    }
  }
  if (csv) {
    absl::StatusOr<domain::CsvTable> table = domain::ParseCsv(text);
    if (!table.ok()) return table.status();
    auto is_token = [](std::string_view cell) {
      cell = domain::TrimCsvSpaces(cell);
      return absl::EqualsIgnoreCase(absl::string_view(cell.data(), cell.size()),
                                    "token");
    };
    size_t column = 0;
    while (column < table->header.size() && !is_token(table->header[column])) {
      ++column;
    }
    if (column == table->header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", table->header_line, ": no \"token\" column in the header"));
    }
    for (const domain::CsvRecord& record : table->rows) {
      if (column >= record.fields.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", record.line, ": no token column in this row"));
      }
      std::string_view token = domain::TrimCsvSpaces(record.fields[column]);
      if (!token.empty()) tokens.emplace_back(token);
    }
    return tokens;
  }
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    tokens.emplace_back(line);
  }
  return tokens;
}

std::string IsoUtc(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::vector<std::string> InvitationHeader(bool cross, bool with_qr) {
  std::vector<std::string> header;
  if (cross) {
    header = {"subject", "evaluating_department", "recipient_employee_no"};
  } else {
    header = {"ticket", "subject"};
  }
  header.insert(header.end(), {"token", "deep_link", "expires_at"});
  if (with_qr) header.push_back("qr_file");
  return header;
}

std::vector<std::string> InvitationRow(const v1::IssuedInvitation& invitation,
                                       bool cross, bool with_qr, int n,
                                       const std::string& ticket) {
  const v1::Subject& subject = invitation.subject();
  const std::string subject_code = subject.has_department_code()
                                       ? subject.department_code()
                                       : subject.employee_no();
  std::vector<std::string> row;
  if (cross) {
    row = {subject_code, invitation.evaluating_department_code(),
           invitation.recipient_employee_no()};
  } else {
    row = {ticket, subject_code};
  }
  row.insert(row.end(), {invitation.token(), invitation.deep_link(),
                         IsoUtc(invitation.expires_at_unix())});
  if (with_qr) row.push_back(QrFileName(n));
  return row;
}

std::string QrFileName(int n) { return absl::StrCat("qr/", n, ".png"); }

}  // namespace survey::client
