#include "domain/csv.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Note: std::string(sv) around std::string_view arguments of absl functions
// is needed because Debian's absl::string_view is not std::string_view.

// Returns the 1-based line holding the first invalid UTF-8 byte, or 0.
// Checking line by line is exact because '\n' never occurs inside a
// multi-byte sequence: a sequence cut by a line break is invalid either way.
int FirstInvalidUtf8Line(std::string_view text) {
  int line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!IsValidUtf8(text.substr(start, end - start))) return line;
    start = end + 1;
    ++line;
  }
  return 0;
}

// Structural parser; knows nothing about encoding. Returns false and fills
// `error` at the first syntax error.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Parse(std::vector<CsvRecord>* records, CsvError* error) {
    while (pos_ < text_.size()) {
      if (AtLineEnd()) {  // Empty physical line.
        SkipLineEnd();
        continue;
      }
      CsvRecord record;
      record.line = line_;
      if (!ParseRecord(&record.fields, error)) return false;
      records->push_back(std::move(record));
    }
    return true;
  }

 private:
  bool AtLineEnd() const {
    if (text_[pos_] == '\n') return true;
    return text_[pos_] == '\r' && pos_ + 1 < text_.size() &&
           text_[pos_ + 1] == '\n';
  }

  void SkipLineEnd() {
    pos_ += text_[pos_] == '\r' ? 2 : 1;
    ++line_;
  }

  bool Fail(int line, std::string reason, CsvError* error) {
    error->line = line;
    error->reason = std::move(reason);
    return false;
  }

  // Consumes one record including its line end (if any).
  bool ParseRecord(std::vector<std::string>* fields, CsvError* error) {
    while (true) {
      std::string field;
      const size_t number = fields->size() + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (!ParseQuoted(number, &field, error)) return false;
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' &&
               text_[pos_] != '\n' && text_[pos_] != '\r') {
          if (text_[pos_] == '"') {
            return Fail(line_,
                        absl::StrCat("stray quote in unquoted field ", number),
                        error);
          }
          ++pos_;
        }
        field.assign(text_.substr(start, pos_ - start));
      }
      fields->push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;  // A ',' at EOF yields a final empty field.
      }
      if (!AtLineEnd()) {
        return Fail(line_, "carriage return not followed by line feed", error);
      }
      SkipLineEnd();
      return true;
    }
  }

  bool ParseQuoted(size_t number, std::string* field, CsvError* error) {
    const int open_line = line_;
    ++pos_;  // Opening quote.
    while (true) {
      if (pos_ >= text_.size()) {
        return Fail(open_line,
                    absl::StrCat("unterminated quoted field ", number), error);
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field->push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;  // Closing quote.
        break;
      }
      if (c == '\n') ++line_;
      field->push_back(c);
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
        text_[pos_] != '\r') {
      return Fail(line_,
                  absl::StrCat("unexpected character after closing quote of "
                               "field ",
                               number),
                  error);
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

// Returns the header position of each of `columns` (-1 if absent) and
// appends to `problems` what does not fit.
std::vector<int> MatchHeader(const CsvTable& table,
                             std::span<const CsvColumn> columns,
                             std::vector<CsvProblem>* problems) {
  auto problem = [&](std::string column, std::string message) {
    problems->push_back(
        {table.header_line, -1, std::move(column), std::move(message)});
  };
  std::vector<int> positions(columns.size(), -1);
  std::vector<std::string> names;
  for (const CsvColumn& column : columns) names.emplace_back(column.name);
  for (size_t i = 0; i < table.header.size(); ++i) {
    std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(table.header[i]));
    size_t k = 0;
    while (k < columns.size() && columns[k].name != name) ++k;
    if (k == columns.size()) {
      std::string message =
          absl::StrCat("unknown column \"", absl::CHexEscape(name),
                       "\" (expected ", absl::StrJoin(names, ", "), ")");
      problem(std::move(name), std::move(message));
    } else if (positions[k] >= 0) {
      std::string message = absl::StrCat("duplicate column \"", name, "\"");
      problem(std::move(name), std::move(message));
    } else {
      positions[k] = static_cast<int>(i);
    }
  }
  for (size_t k = 0; k < columns.size(); ++k) {
    if (columns[k].required && positions[k] < 0) {
      problem(std::string(columns[k].name),
              absl::StrCat("missing column \"", std::string(columns[k].name),
                           "\""));
    }
  }
  return positions;
}

}  // namespace

absl::StatusOr<CsvTable> ParseCsv(std::string_view text, CsvError* error) {
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  std::vector<CsvRecord> records;
  CsvError failure;
  const bool parsed = Parser(text).Parse(&records, &failure);
  // Report whichever problem comes first in the file, so fixing errors top
  // to bottom works.
  const int bad_utf8_line = FirstInvalidUtf8Line(text);
  if (bad_utf8_line != 0 && (parsed || bad_utf8_line <= failure.line)) {
    failure = CsvError{bad_utf8_line, "invalid UTF-8"};
  } else if (parsed && records.empty()) {
    failure = CsvError{1, "no header row"};
  } else if (parsed) {
    CsvTable table;
    table.header_line = records.front().line;
    table.header = std::move(records.front().fields);
    table.rows.reserve(records.size() - 1);
    for (size_t i = 1; i < records.size(); ++i) {
      table.rows.push_back(std::move(records[i]));
    }
    return table;
  }
  if (error != nullptr) *error = failure;
  return absl::InvalidArgumentError(
      absl::StrCat("line ", failure.line, ": ", failure.reason));
}

void ImportCsv(std::string_view text, std::span<const CsvColumn> columns,
               absl::FunctionRef<void(const CsvImportRow&)> visit,
               std::vector<CsvProblem>* problems) {
  CsvError error;
  absl::StatusOr<CsvTable> table = ParseCsv(text, &error);
  if (!table.ok()) {
    problems->push_back({error.line, -1, "", std::move(error.reason)});
    return;
  }
  const size_t problems_before = problems->size();
  const std::vector<int> positions = MatchHeader(*table, columns, problems);
  if (problems->size() > problems_before) return;

  CsvImportRow row;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const CsvRecord& record = table->rows[r];
    row.line = record.line;
    row.index = static_cast<int>(r);
    if (record.fields.size() != table->header.size()) {
      problems->push_back(
          {row.line, row.index, "",
           absl::StrCat("expected ", table->header.size(), " fields, found ",
                        record.fields.size())});
      continue;
    }
    row.cells.clear();
    for (int pos : positions) {
      row.cells.push_back(pos < 0 ? "" : TrimCsvSpaces(record.fields[pos]));
    }
    visit(row);
  }
}

std::string_view TrimCsvSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

absl::StatusOr<bool> ParseCsvBool(std::string_view cell) {
  const std::string word =
      absl::AsciiStrToLower(std::string(TrimCsvSpaces(cell)));
  if (word == "true" || word == "1" || word == "yes") return true;
  if (word == "false" || word == "0" || word == "no") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", absl::CHexEscape(std::string(cell)),
                   "\" is not one of true, false, 1, 0, yes, no"));
}

std::string CsvEscape(std::string_view field) {
  const bool needs_quotes =
      field.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields.front().empty()) return "\"\"\n";
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvEscape(fields[i]);
  }
  out.push_back('\n');
  return out;
}

}  // namespace survey::domain
