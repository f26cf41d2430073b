// Small helpers for building statements and reading result sets, shared by
// the MySQL stores.
#ifndef SURVEY_STORE_MYSQL_STATEMENT_H_
#define SURVEY_STORE_MYSQL_STATEMENT_H_

#include <cppconn/resultset.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace survey::store::mysql {

// "?, ?, ?" (n placeholders) for an IN list.
inline std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

// "<row>, <row>, ..." n times, for multi-row statements.
inline std::string Repeat(std::string_view row, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += row;
  }
  return out;
}

// A column as std::string, embedded NUL bytes included (BINARY columns).
inline std::string Str(const sql::ResultSet& rs, uint32_t column) {
  return std::string(rs.getString(column));
}

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_STATEMENT_H_
