#include "domain/audit_chain.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

void AppendNetstring(std::string& out, std::string_view field) {
  absl::StrAppend(&out, field.size(), ":");
  out.append(field.data(), field.size());
  out.push_back(',');
}

bool IsActionChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

absl::Status CheckText(const std::string& field, std::string_view value,
                       size_t min_bytes, size_t max_bytes) {
  if (value.size() < min_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", max_bytes, " bytes"));
  }
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not UTF-8"));
  }
  if (HasControlChars(value, /*allow_line_breaks=*/false)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": control characters are not allowed"));
  }
  return absl::OkStatus();
}

absl::Status CheckJson(const std::string& field, std::string_view value) {
  if (value.empty()) return absl::OkStatus();
  if (value.size() > kMaxAuditJsonBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxAuditJsonBytes, " bytes"));
  }
  if (!IsValidUtf8(value) || !nlohmann::json::accept(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a well-formed JSON value"));
  }
  return absl::OkStatus();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::Status ValidateAuditEntry(const AuditRecord& r) {
  if (absl::Status s =
          CheckText("principal_name", r.principal_name, 1, kMaxAuditNameBytes);
      !s.ok()) {
    return s;
  }
  if (std::find(std::begin(kAuditRoles), std::end(kAuditRoles),
                r.principal_role) == std::end(kAuditRoles)) {
    return absl::InvalidArgumentError(
        "principal_role: one of admin, hr, manager, employee, system");
  }
  if (r.action.empty() || r.action.size() > kMaxAuditActionBytes ||
      !std::all_of(r.action.begin(), r.action.end(), IsActionChar)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "action: 1..", kMaxAuditActionBytes, " characters of a-z 0-9 _ . -"));
  }
  if (absl::Status s = CheckText("target", r.target, 0, kMaxAuditTargetBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckJson("before_json", r.before_json); !s.ok()) {
    return s;
  }
  return CheckJson("after_json", r.after_json);
}

std::string CanonicalAuditBytes(const AuditRecord& r) {
  std::string out = "survey.audit.v1\n";
  out.reserve(out.size() + 64 + r.principal_name.size() + r.action.size() +
              r.target.size() + r.before_json.size() + r.after_json.size());
  AppendNetstring(out, absl::StrCat(r.seq));
  AppendNetstring(out, absl::StrCat(r.at_micros));
  AppendNetstring(out, r.principal_name);
  AppendNetstring(out, r.principal_role);
  AppendNetstring(out, r.action);
  AppendNetstring(out, r.target);
  AppendNetstring(out, r.before_json);
  AppendNetstring(out, r.after_json);
  return out;
}

AuditDigest AuditChainHash(const AuditDigest& prev, const AuditRecord& r,
                           const AuditDigestFunction& sha256) {
  std::string input(reinterpret_cast<const char*>(prev.data()), prev.size());
  input += CanonicalAuditBytes(r);
  return sha256(input);
}

std::string AuditSealInput(const AuditDigest& hash) {
  return absl::StrCat("survey.audit.seal.v1:", AuditDigestHex(hash));
}

void SealAuditRecord(const AuditDigest& prev, AuditRecord& r,
                     const AuditDigestFunction& sha256,
                     const AuditDigestFunction& seal) {
  r.prev_hash = prev;
  r.hash = AuditChainHash(prev, r, sha256);
  r.seal = seal(AuditSealInput(r.hash));
}

std::string AuditDigestHex(const AuditDigest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * d.size());
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

absl::StatusOr<AuditDigest> ParseAuditDigestHex(std::string_view hex) {
  AuditDigest d{};
  if (hex.size() != 2 * d.size()) {
    return absl::InvalidArgumentError("expected 64 hexadecimal digits");
  }
  for (size_t i = 0; i < d.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("expected 64 hexadecimal digits");
    }
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return d;
}

AuditChainVerifier::AuditChainVerifier(AuditDigestFunction sha256,
                                       AuditDigestFunction seal,
                                       std::optional<AuditAnchor> anchor)
    : sha256_(std::move(sha256)),
      seal_(std::move(seal)),
      anchor_(std::move(anchor)) {}

void AuditChainVerifier::Fail(int64_t seq, std::string problem) {
  if (!verdict_.intact) return;
  verdict_.intact = false;
  verdict_.first_bad_seq = seq;
  verdict_.problem = std::move(problem);
}

bool AuditChainVerifier::Add(const AuditRecord& r) {
  if (!verdict_.intact) return false;
  ++verdict_.records;
  int64_t expected = last_seq_ + 1;
  if (r.seq > expected) {
    Fail(expected,
         absl::StrCat("record ", expected,
                      " is missing (deleted?); the next record is ", r.seq));
    return false;
  }
  if (r.seq < expected) {
    Fail(r.seq, absl::StrCat("record ", r.seq, " is out of sequence after ",
                             last_seq_, " (inserted?)"));
    return false;
  }
  if (r.prev_hash != last_hash_) {
    Fail(r.seq, absl::StrCat("record ", r.seq,
                             ": prev_hash does not match the hash of record ",
                             last_seq_, " (inserted or replaced?)"));
    return false;
  }
  AuditDigest hash = AuditChainHash(last_hash_, r, sha256_);
  if (hash != r.hash) {
    Fail(r.seq, absl::StrCat("record ", r.seq,
                             ": contents do not match its hash (changed?)"));
    return false;
  }
  if (seal_(AuditSealInput(hash)) != r.seal) {
    Fail(r.seq, absl::StrCat("record ", r.seq,
                             ": seal invalid (hash chain rewritten without "
                             "the server's key?)"));
    return false;
  }
  if (anchor_.has_value() && anchor_->seq == r.seq) {
    anchor_seen_ = true;
    if (anchor_->hash != hash) {
      Fail(r.seq, absl::StrCat("record ", r.seq,
                               " does not match the anchor (rewritten?)"));
      return false;
    }
  }
  last_seq_ = r.seq;
  last_hash_ = hash;
  return true;
}

AuditVerdict AuditChainVerifier::Finish(const AuditChainHead& head) {
  if (verdict_.intact) {
    if (head.last_seq > last_seq_) {
      Fail(last_seq_ + 1,
           absl::StrCat("records ", last_seq_ + 1, "..", head.last_seq,
                        " are missing (deleted at the end?)"));
    } else if (head.last_seq < last_seq_) {
      Fail(head.last_seq + 1,
           absl::StrCat("record ", head.last_seq + 1,
                        " lies beyond the chain head (inserted?)"));
    } else if (head.last_hash != last_hash_) {
      Fail(last_seq_,
           absl::StrCat("the chain head does not match record ", last_seq_));
    } else if (anchor_.has_value() && !anchor_seen_) {
      Fail(anchor_->seq, absl::StrCat("anchor record ", anchor_->seq,
                                      " is missing (log cut back?)"));
    }
  }
  if (verdict_.intact) {
    verdict_.head_seq = last_seq_;
    verdict_.head_hash = last_hash_;
  }
  return verdict_;
}

}  // namespace survey::domain
