#include "net/ip.h"

#include <gtest/gtest.h>

namespace survey::net {
namespace {

Ip Must(const char* text) {
  std::optional<Ip> ip = ParseIp(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(Ip{});
}

NetworkList List(std::vector<std::string> entries) {
  absl::StatusOr<NetworkList> list = NetworkList::Parse(entries);
  EXPECT_TRUE(list.ok()) << list.status();
  return list.value_or(NetworkList{});
}

TEST(IpTest, ParsesBothFamiliesAndFoldsMappedV4) {
  EXPECT_EQ(Must("203.0.113.7").ToString(), "203.0.113.7");
  EXPECT_EQ(Must("[2001:db8::1]").ToString(), "2001:db8::1");
  EXPECT_EQ(Must("::ffff:127.0.0.1"), Must("127.0.0.1"));
  EXPECT_FALSE(ParseIp("").has_value());
  EXPECT_FALSE(ParseIp("example.com").has_value());
  EXPECT_FALSE(ParseIp("1.2.3.4:80").has_value());
  EXPECT_FALSE(ParseIp("1.2.3").has_value());
}

TEST(IpTest, GrpcPeerRoundTrip) {
  EXPECT_EQ(ParseGrpcPeer("ipv4:10.1.2.3:5555")->ToString(), "10.1.2.3");
  EXPECT_EQ(ParseGrpcPeer("ipv6:[::1]:5555")->ToString(), "::1");
  EXPECT_EQ(*ParseGrpcPeer("ipv6:[::ffff:10.0.0.1]:1"), Must("10.0.0.1"));
  EXPECT_FALSE(ParseGrpcPeer("unix:/run/x.sock").has_value());
  EXPECT_EQ(ToGrpcPeer(Must("203.0.113.7")), "ipv4:203.0.113.7:0");
  EXPECT_EQ(ToGrpcPeer(Must("2001:db8::1")), "ipv6:[2001:db8::1]:0");
}

TEST(IpTest, NetworksMatchByPrefix) {
  NetworkList list = List({"10.0.0.0/8, 192.168.1.5", "2001:db8::/32"});
  EXPECT_TRUE(list.Contains(Must("10.200.3.4")));
  EXPECT_FALSE(list.Contains(Must("11.0.0.1")));
  EXPECT_TRUE(list.Contains(Must("192.168.1.5")));
  EXPECT_FALSE(list.Contains(Must("192.168.1.6")));
  EXPECT_TRUE(list.Contains(Must("2001:db8:ffff::1")));
  EXPECT_FALSE(list.Contains(Must("2001:db9::1")));
  EXPECT_TRUE(List({"0.0.0.0/0"}).Contains(Must("8.8.8.8")));
  EXPECT_FALSE(List({"0.0.0.0/0"}).Contains(Must("::1")));
  EXPECT_FALSE(NetworkList::Parse({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(NetworkList::Parse({"proxy.local"}).ok());
}

TEST(ClientAddressTest, AHeaderFromAnUntrustedPeerIsIgnored) {
  // No proxy configured: whatever the client writes, its own address counts.
  EXPECT_EQ(ClientAddress(Must("198.51.100.9"), "203.0.113.1", NetworkList{}).ToString(),
            "198.51.100.9");
  // A proxy is configured, but this connection is not from it.
  EXPECT_EQ(ClientAddress(Must("198.51.100.9"), "203.0.113.1", List({"10.0.0.0/8"}))
                .ToString(),
            "198.51.100.9");
}

TEST(ClientAddressTest, TrustedProxyGivesTheRightMostUntrustedHop) {
  NetworkList proxies = List({"10.0.0.0/8"});
  // The client wrote "1.1.1.1" itself; the proxy appended what it saw.
  EXPECT_EQ(ClientAddress(Must("10.0.0.2"), "1.1.1.1, 198.51.100.9", proxies).ToString(),
            "198.51.100.9");
  // Two proxies in a row.
  EXPECT_EQ(ClientAddress(Must("10.0.0.2"), "198.51.100.9, 10.0.0.3", proxies).ToString(),
            "198.51.100.9");
  // No header: the proxy itself.
  EXPECT_EQ(ClientAddress(Must("10.0.0.2"), "", proxies).ToString(), "10.0.0.2");
  // Garbage stops the walk at the last address known.
  EXPECT_EQ(ClientAddress(Must("10.0.0.2"), "1.1.1.1, bogus, 10.0.0.3", proxies).ToString(),
            "10.0.0.3");
}

}  // namespace
}  // namespace survey::net
