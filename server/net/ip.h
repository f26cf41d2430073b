// IP addresses and networks, and which address a request really came from
// when proxies stand in between. Pure C++ (POSIX inet_pton only), shared by
// the browser gateway (its HTTP peer and X-Forwarded-For) and survey-server
// (the gateway's client-address metadata).
//
// The rule in both places: a forwarded address is believed only when the
// connection itself comes from a configured proxy. A header or metadata
// entry that any client can set is never trusted on its own.
#ifndef SURVEY_NET_IP_H_
#define SURVEY_NET_IP_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace survey::net {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored as
// IPv4, so "::ffff:127.0.0.1" and "127.0.0.1" are the same address.
struct Ip {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4: the first 4

  std::string ToString() const;
  bool operator==(const Ip&) const = default;
};

// "203.0.113.7", "2001:db8::1", "[2001:db8::1]"; nullopt otherwise.
std::optional<Ip> ParseIp(absl::string_view text);

// The address of a gRPC peer string ("ipv4:1.2.3.4:5", "ipv6:[::1]:5");
// nullopt for "unix:…" and anything else.
std::optional<Ip> ParseGrpcPeer(absl::string_view peer);

// The gRPC peer form of an address ("ipv4:1.2.3.4:0", "ipv6:[::1]:0"),
// which api/abuse_limiter.h PeerKey understands.
std::string ToGrpcPeer(const Ip& ip);

// A network: "10.0.0.0/8", "2001:db8::/32", or one address ("127.0.0.1").
struct Network {
  Ip base;
  int prefix = 0;
  bool Contains(const Ip& ip) const;
};
absl::StatusOr<Network> ParseNetwork(absl::string_view text);

class NetworkList {
 public:
  NetworkList() = default;
  // Comma- or space-separated entries; InvalidArgument naming the bad one.
  static absl::StatusOr<NetworkList> Parse(const std::vector<std::string>& entries);
  bool Contains(const Ip& ip) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<Network> networks_;
};

// The respondent's address for a request that reached us from `peer`
// carrying the X-Forwarded-For value `forwarded_for` (empty if absent):
// - `peer` is not a trusted proxy: `peer`, whatever the header says;
// - otherwise the right-most X-Forwarded-For entry that is not itself a
//   trusted proxy (each proxy appends the address it saw; entries to the
//   left of the first untrusted one were written by the client and are
//   ignored); `peer` if the header is absent or an entry does not parse.
Ip ClientAddress(const Ip& peer, absl::string_view forwarded_for,
                 const NetworkList& trusted_proxies);

}  // namespace survey::net

#endif  // SURVEY_NET_IP_H_
