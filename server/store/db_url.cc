#include "store/db_url.h"

#include <charconv>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace survey::store {
namespace {

absl::StatusOr<std::string> PercentDecode(std::string_view s,
                                          std::string_view part) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= s.size() ||
        std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr !=
            s.data() + i + 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("database URL: bad percent escape in ", std::string(part)));
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

// absl::string_view is not std::string_view in Debian's abseil build, so
// plain splitting is done here on std::string_view.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::pair<std::string_view, std::string_view> SplitOnce(std::string_view s,
                                                        char sep) {
  size_t at = s.find(sep);
  if (at == std::string_view::npos) return {s, {}};
  return {s.substr(0, at), s.substr(at + 1)};
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Format(const DbConfig& c, std::string_view password) {
  std::string url = absl::StrCat("mysql://", PercentEncode(c.user));
  if (!password.empty()) absl::StrAppend(&url, ":", std::string(password));
  absl::StrAppend(&url, "@", c.host, ":", c.port, "/", c.database);
  if (!c.socket.empty()) absl::StrAppend(&url, "?socket=", PercentEncode(c.socket));
  return url;
}

}  // namespace

absl::StatusOr<DbConfig> ParseDbUrl(std::string_view url) {
  constexpr std::string_view kScheme = "mysql://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return absl::InvalidArgumentError(
        "database URL: must start with mysql://");
  }
  std::string_view rest = url.substr(kScheme.size());
  DbConfig config;

  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    for (std::string_view param : Split(rest.substr(q + 1), '&')) {
      std::pair<std::string_view, std::string_view> kv = SplitOnce(param, '=');
      if (kv.first == "socket") {
        absl::StatusOr<std::string> socket = PercentDecode(kv.second, "socket");
        if (!socket.ok()) return socket.status();
        config.socket = *socket;
      } else if (!kv.first.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("database URL: unknown parameter '", std::string(kv.first),
                       "'"));
      }
    }
    rest = rest.substr(0, q);
  }
  size_t at = rest.rfind('@');
  if (at == std::string_view::npos) {
    return absl::InvalidArgumentError("database URL: missing user@");
  }
  std::string_view userinfo = rest.substr(0, at);
  std::string_view hostpart = rest.substr(at + 1);
  std::pair<std::string_view, std::string_view> up = SplitOnce(userinfo, ':');
  absl::StatusOr<std::string> user = PercentDecode(up.first, "user");
  absl::StatusOr<std::string> password = PercentDecode(up.second, "password");
  if (!user.ok()) return user.status();
  if (!password.ok()) return password.status();
  if (user->empty()) return absl::InvalidArgumentError("database URL: empty user");
  config.user = *user;
  config.password = *password;

  size_t slash = hostpart.find('/');
  if (slash == std::string_view::npos || slash + 1 == hostpart.size()) {
    return absl::InvalidArgumentError("database URL: missing /database");
  }
  config.database = std::string(hostpart.substr(slash + 1));
  for (char c : config.database) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return absl::InvalidArgumentError(
          "database URL: database name may hold only letters, digits and _");
    }
  }
  std::string_view hostport = hostpart.substr(0, slash);
  if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = hostport.substr(colon + 1);
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value <= 0 ||
        value > 65535) {
      return absl::InvalidArgumentError("database URL: bad port");
    }
    config.port = value;
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return absl::InvalidArgumentError("database URL: empty host");
  config.host = std::string(hostport);
  return config;
}

std::string RedactedUrl(const DbConfig& config) {
  return Format(config, config.password.empty() ? "" : "***");
}

std::string FormatDbUrl(const DbConfig& config) {
  return Format(config, PercentEncode(config.password));
}

}  // namespace survey::store
