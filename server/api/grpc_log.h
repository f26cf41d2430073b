// gRPC core's own log lines (gpr_log) go through here into spdlog (issue
// 18, item 2). Junk on the port (failed TLS handshakes, bad HTTP/2
// prefaces) makes gRPC log one line per connection; a flood would fill the
// disk. So each call site of gRPC logs at most one line per interval, and
// what it suppressed is summed up as one line at the end of the interval
// ("... N more like this in the last 10 s"). Peer addresses are blanked out
// of every line: no respondent's address reaches the log.
#ifndef SURVEY_API_GRPC_LOG_H_
#define SURVEY_API_GRPC_LOG_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace survey::api {

// Installs the funnel (gpr_set_log_function) for the whole process. Call
// once, before the server starts.
void InstallGrpcLogFunnel(absl::Duration interval = absl::Seconds(10));
// Writes the pending summaries now (at exit).
void FlushGrpcLogFunnel();

// `message` with IPv4/IPv6 addresses and gRPC peer URIs replaced by
// "<address>".
std::string ScrubAddresses(std::string_view message);

}  // namespace survey::api

#endif  // SURVEY_API_GRPC_LOG_H_
