// Why a TLS connection failed, in words (issue 18): gRPC reports a failed
// handshake as "UNAVAILABLE: Socket closed" or "failed to connect", which
// does not say whether the server's certificate did not verify against
// --tls-ca or the server refused ours. After such a failure the client
// repeats the handshake once with OpenSSL, with the same files, and reads
// the verdict.
#ifndef SURVEY_CLIENTS_COMMON_TLS_PROBE_H_
#define SURVEY_CLIENTS_COMMON_TLS_PROBE_H_

#include <string>

namespace survey::client {

struct ConnectionOptions;

// "" if a TLS handshake with `o.server` using o's CA, certificate and key
// succeeds and the server keeps the connection (so TLS is not the
// problem), else what failed, e.g. "certificate verify failed: unable to
// get local issuer certificate (the server's certificate is not signed by
// --tls-ca)" or "the server refused the client certificate (--tls-cert):
// tlsv1 alert unknown ca". Waits at most `timeout_seconds`.
std::string ProbeTls(const ConnectionOptions& o, double timeout_seconds);

}  // namespace survey::client

#endif  // SURVEY_CLIENTS_COMMON_TLS_PROBE_H_
