// Rows printed for people (aligned table, CJK-aware), spreadsheets (CSV)
// or programs (JSON lines).
#ifndef SURVEY_CLIENTS_COMMON_OUTPUT_H_
#define SURVEY_CLIENTS_COMMON_OUTPUT_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace survey::client {

enum class Format { kTable, kCsv, kJson };

// "table" | "csv" | "json"; anything else is kTable.
Format ParseFormat(std::string_view word);

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Columns on the terminal: East Asian wide characters take two cells.
size_t DisplayWidth(std::string_view utf8);

void Print(const Table& table, Format format, std::ostream& out);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_COMMON_OUTPUT_H_
