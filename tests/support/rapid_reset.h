// An HTTP/2 rapid-reset client (CVE-2023-44487), for tests only: it opens
// a connection (TLS with ALPN h2, or plaintext prior knowledge), sends the
// preface and SETTINGS, then as fast as it can a gRPC POST's HEADERS on a
// new stream immediately followed by RST_STREAM(CANCEL) on that stream,
// with no credential and no body. When the peer sends GOAWAY or closes,
// it reconnects, until the time is up or `stop` is set. Frames are written
// by hand (HPACK literals without Huffman), so that nothing in between
// rate-limits the attacker the way a real HTTP/2 library would.
//
// It is what issue 17 measured against gRPC 1.51 directly (its memory grew
// by gigabytes) and what tests/e2e/nginx_test.cc runs against nginx.
#ifndef SURVEY_TESTS_SUPPORT_RAPID_RESET_H_
#define SURVEY_TESTS_SUPPORT_RAPID_RESET_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace survey::testing {

struct RapidResetOptions {
  std::string host = "127.0.0.1";  // IPv4 address to connect to
  int port = 0;
  // Source address to bind (e.g. 127.0.0.9, so that the target's
  // per-address limits charge the attacker, not the test); empty: any.
  std::string source;
  bool tls = true;  // false: h2c with prior knowledge (an --insecure server)
  std::string authority = "localhost";
  std::string path = "/survey.v1.RespondService/Submit";
  int connections = 2;  // at once, each on its own thread
  absl::Duration duration = absl::Seconds(5);
  std::atomic<bool>* stop = nullptr;  // set by the caller to end early
};

struct RapidResetReport {
  int64_t connections_opened = 0;
  int64_t connect_failures = 0;  // refused, TLS or ALPN failed
  int64_t streams_sent = 0;      // HEADERS + RST_STREAM pairs written
  // What the peer did: frames received by kind, how connections ended.
  int64_t responses = 0;         // HEADERS frames from the peer
  int64_t resets_received = 0;   // RST_STREAM frames from the peer
  int64_t goaways = 0;
  int64_t goaway_last_error = -1;  // error code of the last GOAWAY
  // Streams the peer says it processed (GOAWAY's last stream id): summed
  // over connections, and the most on one. What the client wrote past
  // that sat in socket buffers and was dropped with the connection.
  int64_t streams_accepted = 0;
  int64_t max_accepted_on_one_connection = 0;
  int64_t refused_streams = 0;   // RST_STREAM(REFUSED_STREAM) among resets_received
  int64_t closed_by_peer = 0;    // EOF / reset / write failure
  int64_t max_streams_on_one_connection = 0;
  double seconds = 0;
  std::string Summary() const;
};

// Runs the burst; blocks until the time is up or `stop` is set.
RapidResetReport RunRapidReset(const RapidResetOptions& options);

}  // namespace survey::testing

#endif  // SURVEY_TESTS_SUPPORT_RAPID_RESET_H_
