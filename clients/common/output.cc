#include "common/output.h"

#include <algorithm>

#include "domain/csv.h"

namespace survey::client {
namespace {

// Decodes one code point; REQUIRES valid UTF-8 (names are validated).
char32_t Next(std::string_view s, size_t& i) {
  unsigned char c = s[i];
  int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += extra + 1;
  return cp;
}

bool IsWide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

Format ParseFormat(std::string_view word) {
  if (word == "csv") return Format::kCsv;
  if (word == "json") return Format::kJson;
  return Format::kTable;
}

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) width += IsWide(Next(utf8, i)) ? 2 : 1;
  return width;
}

void Print(const Table& table, Format format, std::ostream& out) {
  switch (format) {
    case Format::kCsv:
      out << domain::CsvLine(table.header);
      for (const auto& row : table.rows) out << domain::CsvLine(row);
      return;
    case Format::kJson:
      for (const auto& row : table.rows) {
        out << "{";
        for (size_t c = 0; c < table.header.size() && c < row.size(); ++c) {
          out << (c ? "," : "") << JsonString(table.header[c]) << ":"
              << JsonString(row[c]);
        }
        out << "}\n";
      }
      return;
    case Format::kTable:
      break;
  }
  std::vector<size_t> widths(table.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  };
  measure(table.header);
  for (const auto& row : table.rows) measure(row);
  auto emit = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      out << row[c];
      if (c + 1 < row.size()) {
        out << std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
      }
    }
    out << "\n";
  };
  emit(table.header);
  for (const auto& row : table.rows) emit(row);
}

}  // namespace survey::client
