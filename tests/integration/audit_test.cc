// The audit log over real gRPC against a real MariaDB: staff actions are
// recorded with their change, the chain verifies, and tampering with the
// table directly (update, delete, insert, re-chaining, cutting back) is
// found by VerifyAudit.
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/audit_log.h"
#include "crypto/sha256.h"
#include "crypto/token.h"
#include "domain/audit_chain.h"
#include "integration/survey_fixture.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {
namespace {

using v1::AdminService;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ts = TestServer::Start();  // plaintext, development identities
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    stub_ = AdminService::NewStub(ts_->channel());
    ASSERT_TRUE(ts_->db()
                    .Execute("INSERT INTO department (code, name) VALUES "
                             "('AS', 'After sales')")
                    .ok());
  }

  grpc::Status Upsert(const std::string& name, v1::StaffRole role,
                      const std::string& department = "") {
    v1::StaffAccount a, out;
    a.set_name(name);
    a.set_role(role);
    a.set_department_code(department);
    a.set_active(true);
    return stub_->UpsertStaffAccount(TestServer::Context("admin").get(), a,
                                     &out);
  }

  // Five audited actions: three accounts, a key, its revocation.
  void FiveActions() {
    ASSERT_TRUE(Upsert("ann", v1::STAFF_ROLE_HR).ok());
    ASSERT_TRUE(Upsert("ben", v1::STAFF_ROLE_MANAGER, "AS").ok());
    ASSERT_TRUE(Upsert("ann", v1::STAFF_ROLE_ADMIN).ok());
    v1::CreateApiKeyRequest create;
    create.set_account_name("ben");
    v1::CreateApiKeyResponse key;
    ASSERT_TRUE(
        stub_->CreateApiKey(TestServer::Context("admin").get(), create, &key)
            .ok());
    key_ = key.secret();
    v1::RevokeApiKeyRequest revoke;
    revoke.set_key_id(key.key_id());
    v1::RevokeApiKeyResponse revoked;
    ASSERT_TRUE(
        stub_
            ->RevokeApiKey(TestServer::Context("admin").get(), revoke, &revoked)
            .ok());
  }

  v1::VerifyAuditResponse Verify(int64_t anchor_seq = 0,
                                 const std::string& anchor_hash = "") {
    v1::VerifyAuditRequest req;
    req.set_anchor_seq(anchor_seq);
    req.set_anchor_hash(anchor_hash);
    v1::VerifyAuditResponse resp;
    grpc::Status s =
        stub_->VerifyAudit(TestServer::Context("admin").get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::vector<v1::AuditRecord> All() {
    v1::ListAuditRequest req;
    req.set_page_size(1000);
    v1::ListAuditResponse resp;
    grpc::Status s =
        stub_->ListAudit(TestServer::Context("admin").get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.records().begin(), resp.records().end()};
  }

  std::string Scalar(const std::string& query) {
    auto rows = ts_->db().Query(query);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) return "";
    return (*rows)[0][0];
  }

  void Exec(const std::string& statement) {
    absl::Status s = ts_->db().Execute(statement);
    ASSERT_TRUE(s.ok()) << s;
  }

  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<AdminService::Stub> stub_;
  std::string key_;
};

TEST_F(AuditTest, StaffActionsAreRecordedWithBeforeAndAfter) {
  FiveActions();
  std::vector<v1::AuditRecord> records = All();
  ASSERT_EQ(records.size(), 5u);
  std::vector<std::string> actions;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq(), static_cast<int64_t>(i) + 1);
    EXPECT_EQ(records[i].principal_name(), "dev:admin");
    EXPECT_EQ(records[i].principal_role(), "admin");
    EXPECT_GT(records[i].at_unix_micros(), 0);
    actions.push_back(records[i].action());
    if (i > 0) {
      EXPECT_EQ(records[i].prev_hash(), records[i - 1].hash());
    }
  }
  EXPECT_EQ(records[0].prev_hash(), std::string(64, '0'));
  EXPECT_EQ(actions, (std::vector<std::string>{"staff.upsert", "staff.upsert",
                                               "staff.upsert", "apikey.create",
                                               "apikey.revoke"}));
  EXPECT_EQ(records[0].target(), "staff:ann");
  EXPECT_EQ(records[0].before_json(), "");
  EXPECT_EQ(
      records[0].after_json(),
      R"({"name":"ann","role":"hr","department_code":"","employee_no":"","active":true})");
  EXPECT_EQ(records[2].before_json(), records[0].after_json());
  EXPECT_NE(records[2].after_json().find(R"("role":"admin")"),
            std::string::npos);
  EXPECT_NE(records[1].after_json().find(R"("department_code":"AS")"),
            std::string::npos);
  EXPECT_EQ(records[3].target().rfind("apikey:", 0), 0u);
  EXPECT_EQ(records[3].after_json().find(key_.substr(21)), std::string::npos);
  EXPECT_NE(records[4].after_json().find("revoked_at"), std::string::npos);

  // An unchanged upsert and a repeated revocation change nothing and
  // record nothing.
  ASSERT_TRUE(Upsert("ann", v1::STAFF_ROLE_ADMIN).ok());
  EXPECT_EQ(All().size(), 5u);
}

TEST_F(AuditTest, ListAuditPagesBothWays) {
  FiveActions();
  v1::ListAuditRequest req;
  req.set_page_size(2);
  std::vector<int64_t> seen;
  while (true) {
    v1::ListAuditResponse resp;
    ASSERT_TRUE(
        stub_->ListAudit(TestServer::Context("admin").get(), req, &resp).ok());
    for (const auto& r : resp.records()) seen.push_back(r.seq());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  req = v1::ListAuditRequest();
  req.set_page_size(2);
  req.set_newest_first(true);
  seen.clear();
  while (true) {
    v1::ListAuditResponse resp;
    ASSERT_TRUE(
        stub_->ListAudit(TestServer::Context("admin").get(), req, &resp).ok());
    for (const auto& r : resp.records()) seen.push_back(r.seq());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{5, 4, 3, 2, 1}));
  req = v1::ListAuditRequest();
  req.set_action("apikey.create");
  v1::ListAuditResponse only;
  ASSERT_TRUE(
      stub_->ListAudit(TestServer::Context("admin").get(), req, &only).ok());
  ASSERT_EQ(only.records_size(), 1);
  EXPECT_EQ(only.records(0).seq(), 4);
  req = v1::ListAuditRequest();
  req.set_page_token("x");
  EXPECT_EQ(stub_->ListAudit(TestServer::Context("admin").get(), req, &only)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTest, IntactChainVerifies) {
  v1::VerifyAuditResponse empty = Verify();
  EXPECT_TRUE(empty.intact()) << empty.problem();
  EXPECT_EQ(empty.records(), 0);
  FiveActions();
  v1::VerifyAuditResponse v = Verify();
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), 5);
  EXPECT_EQ(v.head_seq(), 5);
  EXPECT_EQ(v.head_hash(),
            absl::AsciiStrToLower(
                Scalar("SELECT HEX(hash) FROM audit_log WHERE seq = 5")));
  // The anchor it gave verifies too.
  EXPECT_TRUE(Verify(v.head_seq(), v.head_hash()).intact());
}

TEST_F(AuditTest, UpdatedRowIsFound) {
  FiveActions();
  ASSERT_TRUE(Verify().intact());
  // Someone with database access makes ann look like she was never an
  // admin.
  Exec(
      "UPDATE audit_log SET after_json = REPLACE(after_json, '\"admin\"', "
      "'\"hr\"')"
      " WHERE seq = 3");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 3);
  EXPECT_NE(v.problem().find("changed"), std::string::npos) << v.problem();
}

TEST_F(AuditTest, UpdatedActorIsFound) {
  FiveActions();
  Exec("UPDATE audit_log SET principal_name = 'someone else' WHERE seq = 1");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 1);
}

TEST_F(AuditTest, DeletedRowIsFound) {
  FiveActions();
  Exec("DELETE FROM audit_log WHERE seq = 2");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 2);
  EXPECT_NE(v.problem().find("missing"), std::string::npos) << v.problem();
}

TEST_F(AuditTest, DeletedLastRowIsFound) {
  FiveActions();
  Exec("DELETE FROM audit_log WHERE seq = 5");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 5);
}

TEST_F(AuditTest, InsertedRowIsFound) {
  FiveActions();
  // A copy of the last row as record 6, its hash as prev_hash.
  Exec(
      "INSERT INTO audit_log SELECT 6, at_us, principal_name, principal_role,"
      " 'staff.upsert', 'staff:ghost', '', '{}', hash, hash, seal"
      " FROM audit_log WHERE seq = 5");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 6);
}

TEST_F(AuditTest, InsertedRowRechainedWithoutThePepperIsFound) {
  // Someone who read domain/audit_chain.h appends a well-hashed record and
  // moves the chain head, but cannot seal it without the server's pepper.
  FiveActions();
  auto last = domain::ParseAuditDigestHex(
      Scalar("SELECT HEX(hash) FROM audit_log WHERE seq = 5"));
  ASSERT_TRUE(last.ok());
  domain::AuditRecord r;
  r.seq = 6;
  r.at_micros = 1700000000000000;
  r.principal_name = "dev:admin";
  r.principal_role = "admin";
  r.action = "staff.upsert";
  r.target = "staff:ghost";
  r.after_json = "{}";
  domain::SealAuditRecord(
      *last, r, [](std::string_view d) { return crypto::Sha256(d); },
      [](std::string_view d) {
        return crypto::HmacSha256("not the pepper, but 32 bytes long", d);
      });
  Exec(absl::StrCat("INSERT INTO audit_log VALUES (6, ", r.at_micros,
                    ", 'dev:admin', 'admin', 'staff.upsert', 'staff:ghost', "
                    "'', '{}', UNHEX('",
                    domain::AuditDigestHex(r.prev_hash), "'), UNHEX('",
                    domain::AuditDigestHex(r.hash), "'), UNHEX('",
                    domain::AuditDigestHex(r.seal), "'))"));
  Exec(absl::StrCat(
      "UPDATE audit_chain_head SET last_seq = 6, last_hash = UNHEX('",
      domain::AuditDigestHex(r.hash), "')"));
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 6);
  EXPECT_NE(v.problem().find("seal"), std::string::npos) << v.problem();
}

TEST_F(AuditTest, AnchorFindsALogCutBack) {
  FiveActions();
  v1::VerifyAuditResponse before = Verify();
  ASSERT_TRUE(before.intact());
  // Records 4 and 5 removed and the head rewound to record 3: every row
  // left is genuine, so only the anchor noted earlier can tell.
  Exec("DELETE FROM audit_log WHERE seq > 3");
  Exec(
      "UPDATE audit_chain_head h JOIN audit_log a ON a.seq = 3"
      " SET h.last_seq = 3, h.last_hash = a.hash");
  EXPECT_TRUE(Verify().intact());
  v1::VerifyAuditResponse v = Verify(before.head_seq(), before.head_hash());
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_bad_record(), 5);
  // Malformed anchors are refused.
  v1::VerifyAuditRequest bad;
  bad.set_anchor_seq(3);
  bad.set_anchor_hash("xyz");
  v1::VerifyAuditResponse resp;
  EXPECT_EQ(stub_->VerifyAudit(TestServer::Context("admin").get(), bad, &resp)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTest, AChangeThatFailsRecordsNothing) {
  FiveActions();
  EXPECT_EQ(Upsert("cat", v1::STAFF_ROLE_MANAGER, "ZZ").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(All().size(), 5u);
}

TEST_F(AuditTest, AChangeThatCannotBeRecordedIsNotMade) {
  FiveActions();
  Exec("DELETE FROM audit_chain_head");
  grpc::Status s = Upsert("cat", v1::STAFF_ROLE_HR);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM staff_account WHERE name = 'cat'"),
            "0");
  v1::VerifyAuditResponse v = Verify();
  EXPECT_FALSE(v.intact());
  EXPECT_NE(v.problem().find("head"), std::string::npos) << v.problem();
}

TEST_F(AuditTest, StandaloneRecordForReads) {
  api::Principal hr{api::Role::kHr, "", "", "alice"};
  api::AuditLog& log = ts_->server().audit_log();
  ASSERT_TRUE(log.Record(hr, "report.read", "employee:E0001", "",
                         R"({"period":"2026-05"})")
                  .ok());
  api::Principal manager{api::Role::kManager, "AS", "", "bob"};
  ASSERT_TRUE(
      log.Record(manager, "report.export", "department:AS", "", "").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(
      log.Record(hr, "Report Read", "employee:E0001", "", "")));
  EXPECT_TRUE(absl::IsInvalidArgument(
      log.Record(hr, "report.read", "employee:E0001", "{", "")));
  std::vector<v1::AuditRecord> records = All();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].principal_name(), "alice");
  EXPECT_EQ(records[0].principal_role(), "hr");
  EXPECT_EQ(records[0].action(), "report.read");
  EXPECT_EQ(records[0].target(), "employee:E0001");
  EXPECT_EQ(records[0].after_json(), R"({"period":"2026-05"})");
  EXPECT_EQ(records[1].principal_role(), "manager");
  EXPECT_TRUE(Verify().intact());
}

TEST_F(AuditTest, ConcurrentAppendsFormOneChain) {
  api::AuditLog& log = ts_->server().audit_log();
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      api::Principal p{api::Role::kHr, "", "", absl::StrCat("worker", t)};
      for (int i = 0; i < kEach; ++i) {
        absl::Status s =
            log.Record(p, "report.read", absl::StrCat("n:", i), "", "");
        EXPECT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& th : threads) th.join();
  v1::VerifyAuditResponse v = Verify();
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), kThreads * kEach);
  EXPECT_EQ(Scalar("SELECT MAX(seq) - MIN(seq) + 1 FROM audit_log"),
            absl::StrCat(kThreads * kEach));
}

// Respondents are never audited: answering leaves the log as it was.
class RespondAuditTest : public SurveyFixture {};

TEST_F(RespondAuditTest, AnsweringIsNotAudited) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1", "E1"});
  ASSERT_EQ(tokens.size(), 2u);
  std::string before = Scalar("SELECT COUNT(*) FROM audit_log");
  v1::Survey survey;
  ASSERT_TRUE(GetSurvey(tokens[0], &survey).ok());
  ASSERT_TRUE(Submit(tokens[0], Scores(8)).ok());
  ASSERT_TRUE(Submit(tokens[1], Scores(9)).ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log"), before);
}

}  // namespace
}  // namespace survey::testing
