// The audit log's hash chain (pure logic; the digests are injected so this
// stays free of OpenSSL — production passes crypto::Sha256 and a
// pepper-keyed HMAC, see store/mysql/audit_store.h).
//
// Every staff action is one record; record i (seq = i, starting at 1, no
// gaps) carries
//   hash_i = SHA-256(hash_{i-1} || CanonicalAuditBytes(record_i)),
//   hash_0 = 32 zero bytes (kAuditGenesis),
// and a seal_i = HMAC-SHA256(pepper, AuditSealInput(hash_i)). The chain
// makes any changed, deleted or inserted record visible to anyone who
// re-hashes the rows; the seal makes a chain that someone re-hashed after
// tampering visible too, because the pepper is not in the database. A
// one-row chain head (last seq, last hash) exposes records deleted at the
// end. What no in-database check can expose is the whole tail being cut and
// the head rewound to an older, genuine state: an anchor (a (seq, hash)
// pair noted outside the database, e.g. from a previous verification)
// exposes that.
#ifndef SURVEY_DOMAIN_AUDIT_CHAIN_H_
#define SURVEY_DOMAIN_AUDIT_CHAIN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace survey::domain {

using AuditDigest = std::array<uint8_t, 32>;

// hash_0.
inline constexpr AuditDigest kAuditGenesis{};

// Roles written into records: the staff roles, and "system" for the
// server's own actions (the bootstrap of the first admin).
inline constexpr std::string_view kAuditRoles[] = {"admin", "hr", "manager",
                                                   "employee", "system"};

struct AuditRecord {
  int64_t seq = 0;        // 1, 2, 3, ... without gaps
  int64_t at_micros = 0;  // unix time of the action, microseconds
  std::string principal_name;
  std::string principal_role;  // one of kAuditRoles
  std::string action;          // e.g. "report.read", "staff.upsert"
  std::string target;          // e.g. "staff:alice", "employee:E0001"
  std::string before_json;     // JSON text, or "" when not applicable
  std::string after_json;      // JSON text, or "" when not applicable
  AuditDigest prev_hash{};     // as stored: hash_{seq-1}
  AuditDigest hash{};          // as stored: hash_seq
  AuditDigest seal{};          // as stored: keyed MAC of hash_seq
};

// Limits of what may be recorded.
inline constexpr size_t kMaxAuditNameBytes = 100;
inline constexpr size_t kMaxAuditActionBytes = 64;
inline constexpr size_t kMaxAuditTargetBytes = 255;
inline constexpr size_t kMaxAuditJsonBytes = 1 << 20;

// OK if the caller-supplied fields of `r` (principal, action, target,
// before/after) may be recorded; InvalidArgument naming the field
// otherwise. principal_name: 1..100 bytes of UTF-8 without control
// characters; principal_role: one of kAuditRoles; action: 1..64 of
// [a-z0-9_.-]; target: up to 255 bytes of UTF-8 without control characters;
// before_json/after_json: "" or one well-formed JSON value, up to 1 MiB.
absl::Status ValidateAuditEntry(const AuditRecord& r);

// The bytes hashed for a record: the line "survey.audit.v1\n" followed by
// seq, at_micros (decimal), principal_name, principal_role, action, target,
// before_json and after_json, each as a netstring "<length>:<bytes>,".
// Unambiguous: no two different field tuples give the same bytes.
// prev_hash, hash and seal are not part of it.
std::string CanonicalAuditBytes(const AuditRecord& r);

using AuditDigestFunction = std::function<AuditDigest(std::string_view)>;

// sha256(prev || CanonicalAuditBytes(r)).
AuditDigest AuditChainHash(const AuditDigest& prev, const AuditRecord& r,
                           const AuditDigestFunction& sha256);

// What is MACed to seal a record: "survey.audit.seal.v1:" followed by the
// lower-case hex of `hash`. (The prefix keeps these MACs apart from other
// uses of the same key.)
std::string AuditSealInput(const AuditDigest& hash);

// Fills r.prev_hash, r.hash and r.seal for appending `r` after a chain
// whose last hash is `prev`. r.seq must already be set.
void SealAuditRecord(const AuditDigest& prev, AuditRecord& r,
                     const AuditDigestFunction& sha256,
                     const AuditDigestFunction& seal);

// Lower-case hex, 64 characters; and back (InvalidArgument unless exactly
// 64 hex digits, either case).
std::string AuditDigestHex(const AuditDigest& d);
absl::StatusOr<AuditDigest> ParseAuditDigestHex(std::string_view hex);

// The one-row chain head: the last seq appended and its hash (0 and
// kAuditGenesis for an empty log).
struct AuditChainHead {
  int64_t last_seq = 0;
  AuditDigest last_hash = kAuditGenesis;
};

// A (seq, hash) pair noted outside the database.
struct AuditAnchor {
  int64_t seq = 0;
  AuditDigest hash{};
};

struct AuditVerdict {
  int64_t records = 0;  // records examined
  bool intact = true;
  int64_t first_bad_seq = 0;  // the first seq at which the chain breaks
  std::string problem;        // why, for people
  // The last record's seq and hash as recomputed (valid when intact):
  // note them outside the database and pass them back as an anchor.
  int64_t head_seq = 0;
  AuditDigest head_hash = kAuditGenesis;
};

// Checks a chain fed record by record in ascending seq order. The first
// problem found is kept; feeding further records after it changes nothing.
// Not thread-safe.
class AuditChainVerifier {
 public:
  AuditChainVerifier(AuditDigestFunction sha256, AuditDigestFunction seal,
                     std::optional<AuditAnchor> anchor = std::nullopt);

  // Returns false once the chain is known broken (the caller may stop).
  bool Add(const AuditRecord& r);
  // The verdict, after checking the stored chain head against the records.
  AuditVerdict Finish(const AuditChainHead& head);

 private:
  void Fail(int64_t seq, std::string problem);

  AuditDigestFunction sha256_;
  AuditDigestFunction seal_;
  std::optional<AuditAnchor> anchor_;
  bool anchor_seen_ = false;
  AuditVerdict verdict_;
  int64_t last_seq_ = 0;
  AuditDigest last_hash_ = kAuditGenesis;
};

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_AUDIT_CHAIN_H_
