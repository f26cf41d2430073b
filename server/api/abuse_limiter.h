// Abuse limits per client address: token buckets that meter *failures*
// (guessed survey tokens, failed staff authentication), so that an address
// guessing tokens or passwords is slowed to a trickle while everybody else,
// and every well-behaved call, is unaffected.
//
// Pure C++ (no gRPC): the clock is injected, the peer is the string gRPC's
// ServerContext::peer() returns. Thread-safe.
//
// How a service uses a bucket kind (check before the work, charge after):
//   if (!limiter.InvalidTokenAllowed(ctx->peer()))  -> RESOURCE_EXHAUSTED,
//                                                      token not looked at
//   ... look the token up ...
//   if (unknown or malformed) limiter.RecordInvalidToken(ctx->peer());
// Checking first means a blocked address learns nothing about any token;
// charging after means valid tokens never cost anything. Calls that were
// in flight when the bucket ran dry still charge it (down to -burst), so a
// burst of parallel guesses is paid back by a longer wait.
#ifndef SURVEY_API_ABUSE_LIMITER_H_
#define SURVEY_API_ABUSE_LIMITER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "net/ip.h"

namespace survey::api {

struct BucketPolicy {
  double burst = 20;                 // failures allowed back to back
  double refill_per_second = 10.0 / 60;  // then this many per second
};

// A classic token bucket that may go into bounded debt. Starts full.
// Not thread-safe (AbuseLimiter locks around it).
class TokenBucket {
 public:
  TokenBucket(BucketPolicy policy, absl::Time now);

  // True if at least one whole token is available at `now` (takes none).
  bool HasToken(absl::Time now);
  // Takes one token. Returns true if one was available; otherwise the
  // bucket goes into debt (never below -burst) and returns false.
  bool Take(absl::Time now);
  // True if the bucket has refilled completely at `now` (it then carries no
  // state and may be forgotten).
  bool Full(absl::Time now);
  double tokens(absl::Time now);

 private:
  void Refill(absl::Time now);
  BucketPolicy policy_;
  double tokens_;
  absl::Time last_;
};

// The part of a gRPC peer string that identifies the client:
//   "ipv4:203.0.113.7:51234"        -> "203.0.113.7"
//   "ipv6:[::ffff:203.0.113.7]:1"   -> "203.0.113.7"   (v4-mapped)
//   "ipv6:[2001:db8:1:2:3:4:5:6]:1" -> "2001:db8:1:2::/64"
//     (one IPv6 host usually owns a whole /64: keying per address would let
//     it rotate through 2^64 keys)
//   "unix:/run/x.sock"              -> "unix"
// Anything unrecognised is returned unchanged.
std::string PeerKey(std::string_view grpc_peer);

struct AbuseLimits {
  // Unknown or malformed survey tokens (RespondService) per address.
  BucketPolicy invalid_token{20, 10.0 / 60};
  // Failed staff authentications (bad API key, unknown certificate subject)
  // per address.
  BucketPolicy staff_auth_failure{10, 5.0 / 60};
  // Addresses remembered per kind. Beyond this (after forgetting the full
  // buckets) new addresses share one overflow bucket: memory stays bounded
  // however many addresses an attacker has.
  size_t max_tracked_peers = 100000;
  // Browser gateways (survey-gateway) whose `x-survey-client-address`
  // names the address to charge instead of theirs (api/client_peer.h).
  net::NetworkList trusted_gateways;
};

class AbuseLimiter {
 public:
  using Clock = std::function<absl::Time()>;
  explicit AbuseLimiter(AbuseLimits limits = {}, Clock clock = &absl::Now);

  // Survey tokens. `peer` is ServerContext::peer() (PeerKey is applied).
  bool InvalidTokenAllowed(std::string_view peer);
  void RecordInvalidToken(std::string_view peer);

  // Staff authentication. StaffAuthAllowed before checking a credential
  // (false: answer RESOURCE_EXHAUSTED without checking it);
  // AllowStaffAuthFailure after a credential was refused: charges the
  // failure and returns false if the address is now over its limit (the
  // caller may then answer RESOURCE_EXHAUSTED instead of UNAUTHENTICATED).
  bool StaffAuthAllowed(std::string_view peer);
  bool AllowStaffAuthFailure(std::string_view peer);

  // Addresses currently remembered (tests, metrics).
  size_t tracked_invalid_token_peers();
  size_t tracked_staff_auth_peers();

  const net::NetworkList& trusted_gateways() const { return trusted_gateways_; }

  // Key of the shared bucket used when the table is full.
  static constexpr char kOverflowKey[] = "*overflow*";

 private:
  class Table {
   public:
    Table(BucketPolicy policy, size_t max_peers)
        : policy_(policy), max_peers_(max_peers) {}
    bool Allowed(const std::string& key, absl::Time now);
    bool Charge(const std::string& key, absl::Time now);
    size_t size();

   private:
    BucketPolicy policy_;
    size_t max_peers_;
    absl::Mutex mu_;
    absl::flat_hash_map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
    absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  };

  Clock clock_;
  net::NetworkList trusted_gateways_;
  Table invalid_token_;
  Table staff_auth_;
};

}  // namespace survey::api

#endif  // SURVEY_API_ABUSE_LIMITER_H_
