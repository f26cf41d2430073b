// The pure logic of the audit hash chain: canonical bytes, hashing,
// sealing, and what the verifier reports for each kind of tampering.
#include "domain/audit_chain.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/sha256.h"
#include "crypto/token.h"

namespace survey::domain {
namespace {

AuditDigest Sha(std::string_view data) { return crypto::Sha256(data); }

AuditDigestFunction SealWith(std::string key) {
  return [key](std::string_view data) { return crypto::HmacSha256(key, data); };
}

const AuditDigestFunction kSeal = SealWith("test seal key, 32 bytes at least!");

AuditRecord Entry(int64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.at_micros = 1700000000000000 + seq;
  r.principal_name = "alice";
  r.principal_role = "admin";
  r.action = "staff.upsert";
  r.target = "staff:s" + std::to_string(seq);
  r.after_json = R"({"n":)" + std::to_string(seq) + "}";
  return r;
}

// A well-formed chain of `n` records and its head.
struct Chain {
  std::vector<AuditRecord> records;
  AuditChainHead head;
};

Chain MakeChain(int n, const AuditDigestFunction& seal = kSeal) {
  Chain c;
  AuditDigest prev = kAuditGenesis;
  for (int i = 1; i <= n; ++i) {
    AuditRecord r = Entry(i);
    SealAuditRecord(prev, r, Sha, seal);
    prev = r.hash;
    c.records.push_back(r);
  }
  c.head = AuditChainHead{n, prev};
  return c;
}

AuditVerdict Verify(const std::vector<AuditRecord>& records,
                    const AuditChainHead& head,
                    std::optional<AuditAnchor> anchor = std::nullopt) {
  AuditChainVerifier v(Sha, kSeal, anchor);
  for (const AuditRecord& r : records) {
    if (!v.Add(r)) break;
  }
  return v.Finish(head);
}

TEST(AuditChain, CanonicalBytesAreNetstrings) {
  AuditRecord r;
  r.seq = 7;
  r.at_micros = 1700000000123456;
  r.principal_name = "alice";
  r.principal_role = "admin";
  r.action = "staff.upsert";
  r.target = "staff:bob";
  r.after_json = R"({"role":"hr","x":1})";
  EXPECT_EQ(CanonicalAuditBytes(r),
            "survey.audit.v1\n1:7,16:1700000000123456,5:alice,5:admin,"
            "12:staff.upsert,9:staff:bob,0:,19:{\"role\":\"hr\",\"x\":1},");
  // Known answer: SHA-256(32 zero bytes || bytes), computed independently
  // (Python hashlib).
  EXPECT_EQ(AuditDigestHex(AuditChainHash(kAuditGenesis, r, Sha)),
            "88ac7f9618e859c230b9985256920c48c571a8515ec279e3178d1df16795900f");
}

TEST(AuditChain, FieldBoundariesCannotBeShifted) {
  AuditRecord a = Entry(1), b = Entry(1);
  a.principal_name = "ali";
  a.target = "ce";
  b.principal_name = "alice";
  b.target = "";
  EXPECT_NE(CanonicalAuditBytes(a), CanonicalAuditBytes(b));
  EXPECT_NE(AuditChainHash(kAuditGenesis, a, Sha),
            AuditChainHash(kAuditGenesis, b, Sha));
}

TEST(AuditChain, HashDependsOnThePreviousHash) {
  AuditRecord r = Entry(1);
  AuditDigest other = kAuditGenesis;
  other[31] = 1;
  EXPECT_NE(AuditChainHash(kAuditGenesis, r, Sha),
            AuditChainHash(other, r, Sha));
}

TEST(AuditChain, DigestHexRoundTrips) {
  Chain c = MakeChain(1);
  std::string hex = AuditDigestHex(c.records[0].hash);
  EXPECT_EQ(hex.size(), 64u);
  auto back = ParseAuditDigestHex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c.records[0].hash);
  EXPECT_FALSE(ParseAuditDigestHex(hex.substr(1)).ok());
  EXPECT_FALSE(ParseAuditDigestHex(std::string(64, 'g')).ok());
}

TEST(AuditChain, EmptyLogIsIntact) {
  AuditVerdict v = Verify({}, AuditChainHead{});
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.records, 0);
  EXPECT_EQ(v.head_seq, 0);
}

TEST(AuditChain, WellFormedChainIsIntact) {
  Chain c = MakeChain(5);
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.records, 5);
  EXPECT_EQ(v.head_seq, 5);
  EXPECT_EQ(v.head_hash, c.records[4].hash);
}

TEST(AuditChain, ChangedRecordIsFound) {
  Chain c = MakeChain(5);
  c.records[2].after_json = R"({"n":999})";
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 3);
  EXPECT_NE(v.problem.find("changed"), std::string::npos) << v.problem;
}

TEST(AuditChain, ChangedTimeOrActorIsFound) {
  for (int field = 0; field < 3; ++field) {
    Chain c = MakeChain(3);
    if (field == 0) c.records[1].at_micros += 1;
    if (field == 1) c.records[1].principal_name = "mallory";
    if (field == 2) c.records[1].principal_role = "hr";
    AuditVerdict v = Verify(c.records, c.head);
    EXPECT_FALSE(v.intact) << field;
    EXPECT_EQ(v.first_bad_seq, 2) << field;
  }
}

TEST(AuditChain, DeletedRecordIsFound) {
  Chain c = MakeChain(5);
  c.records.erase(c.records.begin() + 1);  // seq 2
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST(AuditChain, DeletedFirstRecordIsFound) {
  Chain c = MakeChain(3);
  c.records.erase(c.records.begin());
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 1);
}

TEST(AuditChain, DeletedLastRecordIsFoundByTheHead) {
  Chain c = MakeChain(5);
  c.records.pop_back();
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 5);
  EXPECT_NE(v.problem.find("deleted at the end"), std::string::npos)
      << v.problem;
}

TEST(AuditChain, RenumberedRecordsAfterADeletionAreFound) {
  // Delete record 2 and shift 3..5 down by one, keeping their hashes.
  Chain c = MakeChain(5);
  c.records.erase(c.records.begin() + 1);
  for (size_t i = 1; i < c.records.size(); ++i) c.records[i].seq -= 1;
  c.head.last_seq = 4;
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
}

TEST(AuditChain, InsertedRecordBeyondTheHeadIsFound) {
  // Even a correctly hashed and sealed extra record (someone holding the
  // key), if the head was not moved.
  Chain c = MakeChain(3);
  AuditRecord extra = Entry(4);
  SealAuditRecord(c.head.last_hash, extra, Sha, kSeal);
  c.records.push_back(extra);
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 4);
  EXPECT_NE(v.problem.find("inserted"), std::string::npos) << v.problem;
}

TEST(AuditChain, InsertedRecordBeforeTheFirstIsFound) {
  Chain c = MakeChain(3);
  AuditRecord extra = Entry(0);
  SealAuditRecord(kAuditGenesis, extra, Sha, kSeal);
  c.records.insert(c.records.begin(), extra);
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 0);
}

TEST(AuditChain, ReplacedRecordWithWrongPrevHashIsFound) {
  Chain c = MakeChain(3);
  AuditRecord forged = Entry(2);
  forged.principal_name = "mallory";
  SealAuditRecord(kAuditGenesis, forged, Sha, kSeal);  // wrong predecessor
  c.records[1] = forged;
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("prev_hash"), std::string::npos) << v.problem;
}

TEST(AuditChain, ChainRehashedWithoutTheKeyIsFoundByTheSeal) {
  // Someone who knows the format but not the pepper changes record 2 and
  // recomputes every SHA-256 link and the head: only the seals expose it.
  Chain c = MakeChain(4);
  c.records[1].after_json = R"({"n":"forged"})";
  AuditDigestFunction wrong_key =
      SealWith("an attacker's guess of the key....");
  AuditDigest prev = c.records[0].hash;
  for (size_t i = 1; i < c.records.size(); ++i) {
    AuditDigest seal = c.records[i].seal;
    SealAuditRecord(prev, c.records[i], Sha, wrong_key);
    if (i > 1) c.records[i].seal = seal;  // keep the old seals where possible
    prev = c.records[i].hash;
  }
  c.head.last_hash = prev;
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("seal"), std::string::npos) << v.problem;
}

TEST(AuditChain, HeadWithAnotherHashIsFound) {
  Chain c = MakeChain(3);
  c.head.last_hash[0] ^= 1;
  AuditVerdict v = Verify(c.records, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 3);
}

TEST(AuditChain, AnchorsExposeACutBackLog) {
  // The whole tail cut and the head rewound to a genuine older state: every
  // in-database check passes; the anchor noted earlier does not.
  Chain c = MakeChain(5);
  AuditAnchor anchor{5, c.records[4].hash};
  EXPECT_TRUE(Verify(c.records, c.head, anchor).intact);
  std::vector<AuditRecord> cut(c.records.begin(), c.records.begin() + 3);
  AuditChainHead rewound{3, c.records[2].hash};
  EXPECT_TRUE(Verify(cut, rewound).intact);
  AuditVerdict v = Verify(cut, rewound, anchor);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 5);
  AuditAnchor wrong{2, c.records[2].hash};
  v = Verify(c.records, c.head, wrong);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 2);
  EXPECT_NE(v.problem.find("anchor"), std::string::npos) << v.problem;
}

TEST(AuditChain, VerifierStopsAtTheFirstProblem) {
  Chain c = MakeChain(5);
  c.records[1].target = "x";
  c.records[3].target = "y";
  AuditChainVerifier v(Sha, kSeal);
  EXPECT_TRUE(v.Add(c.records[0]));
  EXPECT_FALSE(v.Add(c.records[1]));
  EXPECT_FALSE(v.Add(c.records[2]));
  AuditVerdict verdict = v.Finish(c.head);
  EXPECT_EQ(verdict.first_bad_seq, 2);
}

TEST(AuditEntry, Validation) {
  AuditRecord r = Entry(1);
  EXPECT_TRUE(ValidateAuditEntry(r).ok());
  r.before_json = "";
  r.after_json = "";
  EXPECT_TRUE(ValidateAuditEntry(r).ok());
  r.principal_role = "system";
  EXPECT_TRUE(ValidateAuditEntry(r).ok());
  r.target = "员工:E0001";
  EXPECT_TRUE(ValidateAuditEntry(r).ok());

  auto refused = [](AuditRecord bad, const std::string& field) {
    absl::Status s = ValidateAuditEntry(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << field;
    EXPECT_EQ(std::string(s.message()).rfind(field + ":", 0), 0u)
        << s.message();
  };
  AuditRecord bad = Entry(1);
  bad.principal_name = "";
  refused(bad, "principal_name");
  bad = Entry(1);
  bad.principal_role = "root";
  refused(bad, "principal_role");
  bad = Entry(1);
  bad.action = "Report.Read";
  refused(bad, "action");
  bad = Entry(1);
  bad.action = "";
  refused(bad, "action");
  bad = Entry(1);
  bad.target = std::string(256, 'x');
  refused(bad, "target");
  bad = Entry(1);
  bad.target = "a\nb";
  refused(bad, "target");
  bad = Entry(1);
  bad.target = "\xff";
  refused(bad, "target");
  bad = Entry(1);
  bad.before_json = "{not json";
  refused(bad, "before_json");
  bad = Entry(1);
  bad.after_json = R"({"a":1} trailing)";
  refused(bad, "after_json");
}

}  // namespace
}  // namespace survey::domain
