// Values as SQL hex literals, for statements sent over the text protocol.
//
// Connector/C++ 1.1 runs every prepareStatement() as a server-side prepare,
// an execute and a close: two round trips and two parses per statement, for
// statements that are built for one batch and never reused. The hot paths
// (Submit's batch, the appraisal push's batch) send text statements instead,
// one round trip each. Values are never spliced as text: every value goes in
// as the hex of its bytes, which no byte sequence can escape from.
//   Bytes(v)  X'..'           binary columns (token HMACs, ids)
//   Ascii(v)  _ascii X'..'    ASCII codes, ids, periods, enum words
//   Utf8(v)   _utf8mb4 X'..'  text (validated UTF-8 upstream; a strict-mode
//                             server refuses invalid bytes, it never
//                             reinterprets them)
//   Int(v), Double(v)         numbers, printed by the program
//   Null() / OptDouble(v)     NULL
#ifndef SURVEY_STORE_MYSQL_LITERAL_H_
#define SURVEY_STORE_MYSQL_LITERAL_H_

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace survey::store::mysql::literal {

inline void AppendHex(std::string* out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  out->reserve(out->size() + 2 * bytes.size() + 3);
  out->append("X'");
  for (unsigned char b : bytes) {
    out->push_back(kDigits[b >> 4]);
    out->push_back(kDigits[b & 0xF]);
  }
  out->push_back('\'');
}

inline std::string Bytes(std::string_view v) {
  std::string out;
  AppendHex(&out, v);
  return out;
}

inline std::string Ascii(std::string_view v) {
  std::string out = "_ascii ";
  AppendHex(&out, v);
  return out;
}

inline std::string Utf8(std::string_view v) {
  std::string out = "_utf8mb4 ";
  AppendHex(&out, v);
  return out;
}

inline std::string Int(int64_t v) { return absl::StrCat(v); }

inline std::string Null() { return "NULL"; }

// Round-trips a double exactly: 17 significant digits with an exponent, so
// the server reads an approximate-value (DOUBLE) literal, never a DECIMAL.
// Non-finite values have no SQL literal and are stored as NULL.
inline std::string Double(double v) {
  if (!std::isfinite(v)) return Null();
  return absl::StrFormat("%.16e", v);
}

inline std::string OptDouble(const std::optional<double>& v) {
  return v ? Double(*v) : Null();
}

inline std::string Bool(bool v) { return v ? "1" : "0"; }

}  // namespace survey::store::mysql::literal

#endif  // SURVEY_STORE_MYSQL_LITERAL_H_
