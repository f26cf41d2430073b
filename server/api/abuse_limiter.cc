#include "api/abuse_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "metrics/server_metrics.h"

namespace survey::api {

TokenBucket::TokenBucket(BucketPolicy policy, absl::Time now)
    : policy_(policy), tokens_(policy.burst), last_(now) {}

void TokenBucket::Refill(absl::Time now) {
  if (now <= last_) return;  // a clock going backwards refills nothing
  tokens_ = std::min(policy_.burst,
                     tokens_ + absl::ToDoubleSeconds(now - last_) *
                                   policy_.refill_per_second);
  last_ = now;
}

bool TokenBucket::HasToken(absl::Time now) {
  Refill(now);
  return tokens_ >= 1;
}

bool TokenBucket::Take(absl::Time now) {
  Refill(now);
  const bool had = tokens_ >= 1;
  tokens_ = std::max(-policy_.burst, tokens_ - 1);
  return had;
}

bool TokenBucket::Full(absl::Time now) {
  Refill(now);
  return tokens_ >= policy_.burst;
}

double TokenBucket::tokens(absl::Time now) {
  Refill(now);
  return tokens_;
}

std::string PeerKey(std::string_view peer) {
  if (peer.rfind("unix:", 0) == 0 || peer.rfind("unix-abstract:", 0) == 0) {
    return "unix";
  }
  if (peer.rfind("ipv4:", 0) == 0) {
    std::string_view rest = peer.substr(5);
    size_t colon = rest.rfind(':');
    return std::string(colon == std::string_view::npos ? rest
                                                       : rest.substr(0, colon));
  }
  if (peer.rfind("ipv6:[", 0) == 0) {
    std::string_view rest = peer.substr(6);
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::string(peer);
    std::string address(rest.substr(0, close));
    // A zone ("%25eth0", URI-escaped, or "%eth0") names an interface.
    if (size_t zone = address.find('%'); zone != std::string::npos) {
      address.resize(zone);
    }
    in6_addr a;
    if (inet_pton(AF_INET6, address.c_str(), &a) != 1) return std::string(peer);
    static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                                  0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    if (std::memcmp(a.s6_addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
      in_addr v4;
      std::memcpy(&v4, a.s6_addr + 12, 4);
      if (inet_ntop(AF_INET, &v4, text, sizeof text) == nullptr) {
        return std::string(peer);
      }
      return text;
    }
    std::memset(a.s6_addr + 8, 0, 8);  // the /64 prefix
    if (inet_ntop(AF_INET6, &a, text, sizeof text) == nullptr) {
      return std::string(peer);
    }
    return absl::StrCat(text, "/64");
  }
  return std::string(peer);
}

bool AbuseLimiter::Table::Allowed(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end() && buckets_.size() >= max_peers_) {
    it = buckets_.find(kOverflowKey);
  }
  return it == buckets_.end() || it->second.HasToken(now);
}

bool AbuseLimiter::Table::Charge(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_peers_ && now - last_sweep_ >= absl::Seconds(1)) {
      // At most once a second: an attacker keeping the table full cannot
      // make every failure an O(table) scan.
      last_sweep_ = now;
      absl::erase_if(buckets_,
                     [now](auto& entry) { return entry.second.Full(now); });
    }
    const std::string& use =
        buckets_.size() >= max_peers_ ? std::string(kOverflowKey) : key;
    it = buckets_.try_emplace(use, policy_, now).first;
  }
  return it->second.Take(now);
}

size_t AbuseLimiter::Table::size() {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

AbuseLimiter::AbuseLimiter(AbuseLimits limits, Clock clock)
    : clock_(std::move(clock)),
      trusted_gateways_(limits.trusted_gateways),
      invalid_token_(limits.invalid_token, limits.max_tracked_peers),
      staff_auth_(limits.staff_auth_failure, limits.max_tracked_peers) {}

bool AbuseLimiter::InvalidTokenAllowed(std::string_view peer) {
  if (invalid_token_.Allowed(PeerKey(peer), clock_())) return true;
  metrics::Server().abuse_refused_invalid_token.Add();
  return false;
}

void AbuseLimiter::RecordInvalidToken(std::string_view peer) {
  invalid_token_.Charge(PeerKey(peer), clock_());
}

bool AbuseLimiter::StaffAuthAllowed(std::string_view peer) {
  if (staff_auth_.Allowed(PeerKey(peer), clock_())) return true;
  metrics::Server().abuse_refused_staff_auth.Add();
  return false;
}

bool AbuseLimiter::AllowStaffAuthFailure(std::string_view peer) {
  if (staff_auth_.Charge(PeerKey(peer), clock_())) return true;
  metrics::Server().abuse_refused_staff_auth.Add();
  return false;
}

size_t AbuseLimiter::tracked_invalid_token_peers() { return invalid_token_.size(); }
size_t AbuseLimiter::tracked_staff_auth_peers() { return staff_auth_.size(); }

}  // namespace survey::api
