// The address the abuse limits charge for a call: the gRPC peer, or, when
// the peer is one of the configured browser gateways (--trusted-gateway),
// the respondent's address the gateway forwarded in the
// `x-survey-client-address` metadata (server/gateway/gateway.h). From any
// other peer that metadata is ignored: a client cannot pick its own key.
#ifndef SURVEY_API_CLIENT_PEER_H_
#define SURVEY_API_CLIENT_PEER_H_

#include <grpcpp/server_context.h>

#include <string>

#include "net/ip.h"

namespace survey::api {

inline constexpr char kClientAddressMetadata[] = "x-survey-client-address";

// In the gRPC peer form ("ipv4:203.0.113.7:0") that PeerKey understands.
std::string ClientPeer(const grpc::ServerContextBase& ctx,
                       const net::NetworkList& trusted_gateways);
// The same from plain values (tests).
std::string ClientPeer(const std::string& grpc_peer, const std::string* forwarded,
                       const net::NetworkList& trusted_gateways);

}  // namespace survey::api

#endif  // SURVEY_API_CLIENT_PEER_H_
