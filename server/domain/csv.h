// CSV reading and writing for imports and exports (RFC 4180, UTF-8).
//
// Reading is strict about structure (quotes, line endings, encoding) so that
// a malformed upload is rejected with a line number instead of being imported
// with shifted columns. It does not interpret cells: no trimming, no type
// conversion, and no check that every row has as many fields as the header;
// those are the caller's rules (see org.h), reported per row.
#ifndef SURVEY_DOMAIN_CSV_H_
#define SURVEY_DOMAIN_CSV_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace survey::domain {

// One logical record. A quoted field may span several physical lines, so
// `line` is the 1-based physical line on which the record starts (counted
// after the BOM is removed; every '\n' starts a new line). Messages shown to
// users quote this number.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// The first record is the header; `rows` are the records after it, in order.
struct CsvTable {
  int header_line = 0;
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;
};

// Where and why ParseCsv failed, for callers that report errors as data
// rather than as a Status. `reason` has no "line N:" prefix.
struct CsvError {
  int line = 0;
  std::string reason;
};

// Parses `text` as CSV:
//   - an optional UTF-8 byte order mark at the very start is skipped;
//   - records end with "\r\n" or "\n", and the last one may end at EOF;
//   - a field starting with '"' is quoted: it may hold ',', '"' (written
//     "") and line breaks, which are kept verbatim (an embedded "\r\n" stays
//     "\r\n"), and must be followed by ',', a line end or EOF;
//   - empty physical lines are skipped wherever they occur (spreadsheets add
//     them at the end); write "" to express a record of one empty field.
//
// Returns the table on success. Otherwise returns InvalidArgument with a
// message "line N: <reason>", N being the first offending line:
//   - the text is not valid UTF-8 (see IsValidUtf8), N is the line holding
//     the first bad byte;
//   - a quoted field is never closed, N is the line where it opens;
//   - a '"' appears inside an unquoted field;
//   - a closing quote is followed by something other than ',' or a line end;
//   - a '\r' is not followed by '\n' outside quotes;
//   - there is no record at all (N is 1): a header row is required.
// If `error` is not null it receives the same line and reason on failure and
// is left untouched on success.
absl::StatusOr<CsvTable> ParseCsv(std::string_view text,
                                  CsvError* error = nullptr);

// ---- Importing: CSV files whose header names the columns. ----

// A column an importer understands.
struct CsvColumn {
  std::string_view name;  // Lowercase.
  bool required = true;
};

// One data row as an importer sees it.
struct CsvImportRow {
  int line = 0;   // Physical line the record starts on.
  int index = 0;  // 0-based position among the data rows.
  // One cell per CsvColumn, in the order of the columns (not of the file),
  // without surrounding ASCII spaces (U+0020); "" for an absent optional
  // column. Valid only during the call to `visit`.
  std::vector<std::string_view> cells;
};

// A problem found while importing, reported in file order.
struct CsvProblem {
  int line = 0;        // Line of the row, the header or the syntax error.
  int index = -1;      // CsvImportRow::index; -1 for file-level problems.
  std::string column;  // Column concerned; empty if not about one.
  std::string message;
};

// Files edited in spreadsheets get their columns reordered, so importers
// look cells up by column name rather than by position.
//
// Parses `text` (see ParseCsv) and matches its header cells against
// `columns`, ignoring ASCII case and surrounding ASCII whitespace. Calls
// `visit` for every data row that has as many fields as the header, in file
// order. Appends to `*problems`:
//   - the CSV syntax error, if any, alone (index -1); no row is visited;
//   - header problems (index -1, header line): each cell that is empty or
//     names no column ("unknown column"), each cell that repeats a column
//     ("duplicate column"), each required column that is absent ("missing
//     column"), with that column's name; if any, no row is visited;
//   - each data row whose field count differs from the header's.
// `visit` may append its own problems to `*problems` as it goes; the list
// then stays in file order.
// REQUIRES: problems != nullptr.
void ImportCsv(std::string_view text, std::span<const CsvColumn> columns,
               absl::FunctionRef<void(const CsvImportRow&)> visit,
               std::vector<CsvProblem>* problems);

// Returns `s` without leading and trailing spaces (U+0020 only), the
// trimming ImportCsv applies to cells. Apply it to values from other sources
// so that they are treated like imported ones.
std::string_view TrimCsvSpaces(std::string_view s);

// Spreadsheet users write yes/no columns in several ways. Returns true for
// "true", "1", "yes" and false for "false", "0", "no", ignoring ASCII case
// and surrounding spaces; InvalidArgument otherwise (empty included).
absl::StatusOr<bool> ParseCsvBool(std::string_view cell);

// ---- Exporting. ----

// Returns `field` ready to be written as one CSV field: unchanged if it holds
// none of ',', '"', '\r', '\n' and neither starts nor ends with a space;
// otherwise wrapped in quotes with inner quotes doubled. Bytes are never
// altered, so ParseCsv gives back exactly `field`.
//
// Does not defuse spreadsheet formulas (cells starting with '=', '+', '-',
// '@'); exports of free text meant for spreadsheets must handle that.
std::string CsvEscape(std::string_view field);

// Returns the escaped `fields` joined with ',' and terminated by "\n" (not
// "\r\n": every consumer we target, spreadsheets included, accepts "\n", and
// ParseCsv accepts both). A record of a single empty field is written as
// "\"\"\n" because a bare empty line would be skipped by ParseCsv.
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_CSV_H_
