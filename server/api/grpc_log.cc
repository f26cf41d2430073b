#include "api/grpc_log.h"

#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace survey::api {
namespace {

struct Site {
  int64_t suppressed = 0;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string sample;  // the line logged in full this interval
};

struct Funnel {
  absl::Mutex mu;
  absl::Duration interval;
  absl::Time interval_start ABSL_GUARDED_BY(mu);
  // Key: "file:line" of the gpr_log call.
  absl::flat_hash_map<std::string, Site> sites ABSL_GUARDED_BY(mu);
};

Funnel* g_funnel = nullptr;  // never destroyed: gRPC may log at exit

spdlog::level::level_enum LevelOf(gpr_log_severity s) {
  switch (s) {
    case GPR_LOG_SEVERITY_DEBUG:
      return spdlog::level::debug;
    case GPR_LOG_SEVERITY_INFO:
      return spdlog::level::info;
    default:
      return spdlog::level::err;
  }
}

// Summaries of the interval that ended; the sites start afresh.
void EndInterval(Funnel& f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.mu) {
  const int64_t seconds = absl::ToInt64Seconds(f.interval);
  for (auto& [where, site] : f.sites) {
    if (site.suppressed > 0) {
      spdlog::log(site.level, "grpc: {} more like \"{}\" ({}) in the last {} s",
                  site.suppressed, site.sample, where, seconds);
    }
  }
  f.sites.clear();
  f.interval_start = absl::Now();
}

void Log(gpr_log_func_args* args) {
  Funnel& f = *g_funnel;
  std::string where = absl::StrCat(args->file == nullptr ? "?" : args->file, ":", args->line);
  spdlog::level::level_enum level = LevelOf(args->severity);
  absl::MutexLock lock(&f.mu);
  if (absl::Now() - f.interval_start >= f.interval) EndInterval(f);
  Site& site = f.sites[where];
  if (site.sample.empty()) {
    site.sample = ScrubAddresses(args->message == nullptr ? "" : args->message);
    site.level = level;
    spdlog::log(level, "grpc: {} ({})", site.sample, where);
  } else {
    ++site.suppressed;
  }
}

bool AddressChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '%' ||
         c == '[' || c == ']';
}

}  // namespace

std::string ScrubAddresses(std::string_view m) {
  std::string out;
  out.reserve(m.size());
  size_t i = 0;
  while (i < m.size()) {
    // gRPC peer URIs: ipv4:1.2.3.4:5, ipv6:%5B::1%5D:5, unix:/path
    bool uri = false;
    for (std::string_view scheme : {"ipv4:", "ipv6:", "unix:", "unix-abstract:"}) {
      if (m.substr(i, scheme.size()) == scheme) {
        uri = true;
        i += scheme.size();
        while (i < m.size() && !std::isspace(static_cast<unsigned char>(m[i])) &&
               m[i] != ',' && m[i] != '"' && m[i] != '\'' && m[i] != ')' && m[i] != '}') {
          ++i;
        }
        out += "<address>";
        break;
      }
    }
    if (uri) continue;
    // A bare address: a run of hex digits, dots and colons with at least
    // three dots (IPv4) or two colons (IPv6), not inside a word.
    if (AddressChar(m[i]) && (i == 0 || !std::isalnum(static_cast<unsigned char>(m[i - 1])))) {
      size_t j = i;
      int dots = 0, colons = 0, digits = 0;
      while (j < m.size() && AddressChar(m[j])) {
        dots += m[j] == '.';
        colons += m[j] == ':';
        digits += std::isdigit(static_cast<unsigned char>(m[j])) != 0;
        ++j;
      }
      if (j == m.size() || !std::isalpha(static_cast<unsigned char>(m[j]))) {
        if ((dots >= 3 && digits >= 4) || colons >= 2) {
          out += "<address>";
          i = j;
          continue;
        }
      }
      out.append(m.substr(i, j - i));
      i = j;
      continue;
    }
    out.push_back(m[i++]);
  }
  return out;
}

void InstallGrpcLogFunnel(absl::Duration interval) {
  if (g_funnel == nullptr) {
    g_funnel = new Funnel;
    g_funnel->interval = interval;
    {
      absl::MutexLock lock(&g_funnel->mu);
      g_funnel->interval_start = absl::Now();
    }
    // Summaries are due even when gRPC logs nothing more.
    std::thread([] {
      for (;;) {
        absl::SleepFor(g_funnel->interval / 4);
        absl::MutexLock lock(&g_funnel->mu);
        if (absl::Now() - g_funnel->interval_start >= g_funnel->interval) {
          EndInterval(*g_funnel);
        }
      }
    }).detach();
  }
  gpr_set_log_function(Log);
}

void FlushGrpcLogFunnel() {
  if (g_funnel == nullptr) return;
  absl::MutexLock lock(&g_funnel->mu);
  EndInterval(*g_funnel);
}

}  // namespace survey::api
