#include "api/client_peer.h"

namespace survey::api {

std::string ClientPeer(const std::string& grpc_peer, const std::string* forwarded,
                       const net::NetworkList& trusted_gateways) {
  if (forwarded == nullptr || trusted_gateways.empty()) return grpc_peer;
  std::optional<net::Ip> peer = net::ParseGrpcPeer(grpc_peer);
  if (!peer || !trusted_gateways.Contains(*peer)) return grpc_peer;
  std::optional<net::Ip> client = net::ParseIp(*forwarded);
  // A gateway that sent garbage is charged itself.
  return client ? net::ToGrpcPeer(*client) : grpc_peer;
}

std::string ClientPeer(const grpc::ServerContextBase& ctx,
                       const net::NetworkList& trusted_gateways) {
  const std::string peer = ctx.peer();
  if (trusted_gateways.empty()) return peer;
  const auto& md = ctx.client_metadata();
  auto it = md.find(kClientAddressMetadata);
  if (it == md.end()) return peer;
  const std::string forwarded(it->second.data(), it->second.size());
  return ClientPeer(peer, &forwarded, trusted_gateways);
}

}  // namespace survey::api
