#include "api/error_reason.h"

#include <optional>

namespace survey::api {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// "scores[3]: must be 1..10" -> "scores[3]"; "" if the message does not
// start with a field path.
std::string FieldOf(std::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon > 128) return "";
  std::string_view field = message.substr(0, colon);
  for (char c : field) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '[' ||
                    c == ']';
    if (!ok) return "";
  }
  return std::string(field);
}

// "line 5, column post_pay: …" or "line 1: …" (a CSV upload's problem):
// the line and the column; nullopt for any other message.
std::optional<ErrorReason> CsvProblemOf(std::string_view message) {
  constexpr std::string_view kLine = "line ";
  if (!StartsWith(message, kLine)) return std::nullopt;
  size_t i = kLine.size();
  size_t digits = i;
  while (digits < message.size() && digits - i < 9 && message[digits] >= '0' &&
         message[digits] <= '9') {
    ++digits;
  }
  if (digits == i) return std::nullopt;
  ErrorReason out{"CSV_INVALID", "", std::string(message.substr(i, digits - i)), ""};
  std::string_view rest = message.substr(digits);
  constexpr std::string_view kColumn = ", column ";
  if (StartsWith(rest, kColumn)) {
    rest.remove_prefix(kColumn.size());
    size_t end = 0;
    while (end < rest.size() && end < 64 &&
           ((rest[end] >= 'a' && rest[end] <= 'z') || (rest[end] >= '0' && rest[end] <= '9') ||
            rest[end] == '_')) {
      ++end;
    }
    if (end == 0) return std::nullopt;
    out.column = std::string(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  if (!StartsWith(rest, ": ")) return std::nullopt;
  return out;
}

}  // namespace

ErrorReason ReasonFor(std::string_view method, const grpc::Status& status) {
  const std::string& m = status.error_message();
  const bool respond = StartsWith(method, "/survey.v1.RespondService/");
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return {};
    case grpc::StatusCode::INVALID_ARGUMENT:
      if (m == "token: malformed") return {"TOKEN_MALFORMED", ""};
      if (std::optional<ErrorReason> csv = CsvProblemOf(m)) return *csv;
      if (std::string field = FieldOf(m); !field.empty()) return {"FIELD_INVALID", field};
      return {"INVALID_ARGUMENT", ""};
    case grpc::StatusCode::NOT_FOUND:
      if (m == "unknown survey token") return {"TOKEN_UNKNOWN", ""};
      return {"NOT_FOUND", ""};
    case grpc::StatusCode::ALREADY_EXISTS:
      return {respond ? "ALREADY_ANSWERED" : "ALREADY_EXISTS", ""};
    case grpc::StatusCode::FAILED_PRECONDITION:
      if (m == "invitation expired") return {"EXPIRED", ""};
      if (m == "invitation revoked") return {"REVOKED", ""};
      if (StartsWith(m, "survey is not open")) return {"CAMPAIGN_NOT_OPEN", ""};
      return {"FAILED_PRECONDITION", ""};
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (Contains(m, "larger than max")) return {"MESSAGE_TOO_LARGE", ""};
      return {"RATE_LIMITED", ""};
    case grpc::StatusCode::UNAVAILABLE:
      return {"BUSY", ""};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {"TIMEOUT", ""};
    case grpc::StatusCode::UNAUTHENTICATED:
      return {"UNAUTHENTICATED", ""};
    case grpc::StatusCode::PERMISSION_DENIED:
      return {"PERMISSION_DENIED", ""};
    case grpc::StatusCode::UNIMPLEMENTED:
      return {"UNIMPLEMENTED", ""};
    case grpc::StatusCode::CANCELLED:
      return {"CANCELLED", ""};
    case grpc::StatusCode::ABORTED:
      return {"ABORTED", ""};
    case grpc::StatusCode::OUT_OF_RANGE:
      return {"OUT_OF_RANGE", ""};
    default:
      return {"INTERNAL", ""};
  }
}

}  // namespace survey::api
