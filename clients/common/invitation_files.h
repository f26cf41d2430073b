// The files around invitations: the tickets.csv a ticket system exports
// (one service event per row), the invitations.csv surveyctl writes (the
// tokens, shown once), and token lists read back by `invitations revoke`
// and the simulator. Pure functions over text; callers do the I/O.
#ifndef SURVEY_CLIENTS_COMMON_INVITATION_FILES_H_
#define SURVEY_CLIENTS_COMMON_INVITATION_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "survey/v1/admin.pb.h"

namespace survey::client {

// One service event of tickets.csv.
struct TicketRow {
  int line = 0;              // physical line of the row, for messages
  std::string ticket;        // "" when the file has no ticket column
  std::string subject_employee_no;
};

struct TicketsParse {
  std::vector<TicketRow> rows;  // only meaningful when problems is empty
  // Every problem, in file order, as
  // "<file_label> line N, column subject_employee_no: why" (or without the
  // column part for problems about a whole row or the file).
  std::vector<std::string> problems;
};

// Parses tickets.csv: UTF-8, a header row naming the columns (any order,
// ASCII case ignored) with the required column subject_employee_no
// ([A-Za-z0-9_.-]{1,32}, surrounding spaces ignored) and the optional column
// ticket (any text, kept only for the output file; it never reaches the
// server). Other columns are problems, so that a misspelt header is noticed.
// A file without data rows is a problem. `file_label` names the file in
// messages, e.g. "tickets.csv".
TicketsParse ParseTicketsCsv(std::string_view text,
                             std::string_view file_label);

// Reads tokens from either format, told apart by the first non-empty line:
//   - a CSV whose header has a cell "token" (ASCII case and surrounding
//     spaces ignored), e.g. invitations.csv: the cells of that column;
//   - otherwise one token per line; surrounding whitespace (CR included) is
//     dropped, and empty lines and lines starting with '#' are skipped.
// A UTF-8 byte order mark is ignored. Empty token cells in a CSV are
// skipped. Order and duplicates are kept (the caller decides).
// Returns InvalidArgument "line N: ..." for a malformed CSV.
absl::StatusOr<std::vector<std::string>> ParseTokenList(std::string_view text);

// "2026-12-01T08:00:00Z": seconds since the epoch as ISO 8601 UTC.
std::string IsoUtc(int64_t unix_seconds);

// Columns of invitations.csv. Customer surveys:
//   ticket,subject,token,deep_link,expires_at
// cross-evaluations:
//   subject,evaluating_department,recipient_employee_no,token,deep_link,
//   expires_at
// followed by qr_file ("qr/<n>.png", n = 1-based data row) when QR codes
// are written.
std::vector<std::string> InvitationHeader(bool cross, bool with_qr);

// The cells of data row `n` (1-based) for `invitation`, matching
// InvitationHeader(cross, with_qr). `ticket` is ignored for cross rows.
std::vector<std::string> InvitationRow(const v1::IssuedInvitation& invitation,
                                       bool cross, bool with_qr, int n,
                                       const std::string& ticket);

// "qr/<n>.png": row numbers, not tokens, name the files, so that a
// directory listing does not reveal secrets.
std::string QrFileName(int n);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_COMMON_INVITATION_FILES_H_
