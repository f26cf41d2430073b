#include "net/ip.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace survey::net {
namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::string Ip::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Ip> ParseIp(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  Ip ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  if (std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), ip.bytes.begin())) {
    Ip v4;
    std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
    return v4;
  }
  ip.v6 = true;
  return ip;
}

std::optional<Ip> ParseGrpcPeer(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    size_t colon = peer.rfind(':');
    return ParseIp(colon == absl::string_view::npos ? peer : peer.substr(0, colon));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    size_t close = peer.rfind(']');
    if (peer.empty() || peer.front() != '[' || close == absl::string_view::npos) {
      return std::nullopt;
    }
    return ParseIp(peer.substr(0, close + 1));
  }
  return std::nullopt;
}

std::string ToGrpcPeer(const Ip& ip) {
  return ip.v6 ? absl::StrCat("ipv6:[", ip.ToString(), "]:0")
               : absl::StrCat("ipv4:", ip.ToString(), ":0");
}

bool Network::Contains(const Ip& ip) const {
  if (ip.v6 != base.v6) return false;
  int bits = prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

absl::StatusOr<Network> ParseNetwork(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('/', 1));
  std::optional<Ip> ip = ParseIp(parts[0]);
  if (!ip) return absl::InvalidArgumentError(absl::StrCat("not an address: ", text));
  Network n{*ip, ip->v6 ? 128 : 32};
  if (parts.size() == 2) {
    int prefix = -1;
    if (!absl::SimpleAtoi(parts[1], &prefix) || prefix < 0 || prefix > n.prefix) {
      return absl::InvalidArgumentError(absl::StrCat("bad prefix length: ", text));
    }
    n.prefix = prefix;
  }
  return n;
}

absl::StatusOr<NetworkList> NetworkList::Parse(const std::vector<std::string>& entries) {
  NetworkList list;
  for (const std::string& entry : entries) {
    for (absl::string_view item : absl::StrSplit(entry, absl::ByAnyChar(", "), absl::SkipEmpty())) {
      absl::StatusOr<Network> n = ParseNetwork(item);
      if (!n.ok()) return n.status();
      list.networks_.push_back(*n);
    }
  }
  return list;
}

bool NetworkList::Contains(const Ip& ip) const {
  for (const Network& n : networks_) {
    if (n.Contains(ip)) return true;
  }
  return false;
}

Ip ClientAddress(const Ip& peer, absl::string_view forwarded_for,
                 const NetworkList& trusted_proxies) {
  if (!trusted_proxies.Contains(peer)) return peer;
  Ip client = peer;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',', absl::SkipWhitespace());
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::optional<Ip> hop = ParseIp(*it);
    if (!hop) return client;  // garbage from here on: stop at what we know
    client = *hop;
    if (!trusted_proxies.Contains(client)) return client;
  }
  return client;
}

}  // namespace survey::net
