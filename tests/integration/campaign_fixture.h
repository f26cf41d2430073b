// Fixture of campaign_test.cc: AdminService with the survey stores, in
// process over real gRPC on loopback, against its own TestDatabase. Built
// by hand (not TestServer) so it depends only on the stores and the
// service, with a random source the test can make fail.
#ifndef SURVEY_TESTS_INTEGRATION_CAMPAIGN_FIXTURE_H_
#define SURVEY_TESTS_INTEGRATION_CAMPAIGN_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/admin_service.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "domain/form.h"
#include "crypto/sha256.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/migrations.h"
#include "store/mysql/org_store.h"
#include "store/mysql/survey_store.h"
#include "support/test_db.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {

// The system source, or an error while `fail` is set (or once
// `fail_after` more Fill calls have succeeded, if it is >= 0).
class SwitchableRandom final : public crypto::RandomSource {
 public:
  absl::Status Fill(uint8_t* out, size_t n) override {
    if (fail) return absl::InternalError("injected: no entropy");
    if (fail_after >= 0 && fail_after-- == 0) {
      fail = true;
      return absl::InternalError("injected: no entropy");
    }
    return crypto::SystemRandom().Fill(out, n);
  }
  std::atomic<bool> fail{false};
  std::atomic<int> fail_after{-1};
};

class CampaignTest : public ::testing::Test {
 protected:
  static constexpr char kPepper[] = "test-pepper-0123456789abcdef-012";  // 32 bytes

  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto migrated = store::mysql::Migrate(db_->config(),
                                          store::mysql::EmbeddedMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.status();
    pool_ = std::make_unique<store::mysql::ConnectionPool>(db_->config(), 4);
    org_ = std::make_unique<store::mysql::MysqlOrgStore>(pool_.get());
    templates_ = std::make_unique<store::mysql::MysqlTemplateStore>(pool_.get());
    campaigns_ = std::make_unique<store::mysql::MysqlCampaignStore>(pool_.get());
    invitations_ =
        std::make_unique<store::mysql::MysqlInvitationStore>(pool_.get());
    auto hasher = crypto::TokenHasher::Create(kPepper);
    ASSERT_TRUE(hasher.ok()) << hasher.status();
    hasher_ = std::make_unique<crypto::TokenHasher>(std::move(*hasher));
    // What the server does at start.
    ASSERT_TRUE(templates_->EnsureDefault(domain::DefaultTemplate()).ok());
    // Organisation changes are recorded in the audit log (as the server's).
    const crypto::TokenHasher* seal_key = hasher_.get();
    audit_ = std::make_unique<store::mysql::MysqlAuditStore>(
        pool_.get(), [](std::string_view data) { return crypto::Sha256(data); },
        [seal_key](std::string_view data) { return seal_key->Hmac(data); },
        [] { return int64_t{0}; });
    auth_ = std::make_unique<api::Authenticator>(true);
    service_ = std::make_unique<api::AdminServiceImpl>(
        auth_.get(), org_.get(), templates_.get(), campaigns_.get(),
        invitations_.get(), hasher_.get(), &random_, nullptr, audit_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_ != nullptr && port != 0);
    stub_ = v1::AdminService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // For calling the stores directly: changes are recorded as a test's.
  store::ChangeAudit Audit() const {
    return store::ChangeAudit{audit_.get(), {"test", "system"}};
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& who = "hr") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!who.empty()) ctx->AddMetadata(api::kDevPrincipalHeader, who);
    return ctx;
  }

  // Departments `codes`, with members[i] active employees each, numbered
  // "<code>-M<k>" (k from 1), all named in Chinese.
  void ImportOrg(const std::vector<std::string>& codes,
                 const std::vector<int>& members) {
    v1::ImportOrgRequest req;
    for (size_t i = 0; i < codes.size(); ++i) {
      v1::Department* d = req.add_departments();
      d->set_code(codes[i]);
      d->set_name(absl::StrCat("部门", codes[i]));
      for (int k = 1; k <= members[i]; ++k) {
        v1::Employee* e = req.add_employees();
        e->set_employee_no(absl::StrCat(codes[i], "-M", k));
        e->set_name(absl::StrCat("员工", codes[i], k));
        e->set_department_code(codes[i]);
        e->set_post_type(v1::POST_TYPE_OTHER);
        e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
      }
    }
    v1::ImportOrgResponse resp;
    grpc::Status s = stub_->ImportOrg(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void Deactivate(const std::string& employee_no) {
    v1::DeactivateRequest req;
    req.set_employee_no(employee_no);
    v1::DeactivateResponse resp;
    ASSERT_TRUE(stub_->Deactivate(Ctx().get(), req, &resp).ok());
  }

  grpc::Status CreateCampaign(v1::CampaignKind kind, v1::Campaign* out,
                              int k = 0, const std::string& key = "default",
                              int version = 0) {
    v1::CreateCampaignRequest req;
    req.mutable_campaign()->set_kind(kind);
    req.mutable_campaign()->set_period("2026-11");
    req.mutable_campaign()->set_template_key(key);
    req.mutable_campaign()->set_template_version(version);
    req.mutable_campaign()->mutable_title()->set_zh("十一月满意度调查");
    req.mutable_campaign()->set_anonymity_k(k);
    return stub_->CreateCampaign(Ctx().get(), req, out);
  }

  v1::Campaign NewCampaign(v1::CampaignKind kind) {
    v1::Campaign c;
    grpc::Status s = CreateCampaign(kind, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  // Runs IssueInvitations to the end; returns the status, fills `out`.
  grpc::Status Issue(const v1::IssueInvitationsRequest& req,
                     std::vector<v1::IssuedInvitation>* out,
                     const std::string& who = "hr") {
    auto ctx = Ctx(who);
    auto reader = stub_->IssueInvitations(ctx.get(), req);
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) out->push_back(inv);
    return reader->Finish();
  }

  static v1::IssueInvitationsRequest Events(const std::string& campaign_id,
                                            const std::vector<std::string>& nos) {
    v1::IssueInvitationsRequest req;
    req.set_campaign_id(campaign_id);
    for (const std::string& no : nos) {
      req.add_events()->set_subject_employee_no(no);
    }
    return req;
  }

  // A single-value query, as text.
  std::string One(const std::string& query) {
    auto rows = db_->Query(query);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty() || (*rows)[0].empty()) return "<none>";
    return (*rows)[0][0];
  }

  // Cells, over every column of every table except `skip`, whose bytes
  // contain `needle` (case-sensitive). Needles must be [A-Za-z0-9-].
  int CellsContaining(const std::string& needle,
                      const std::vector<std::string>& skip = {}) {
    for (char c : needle) {
      EXPECT_TRUE(absl::ascii_isalnum(c) || c == '-') << needle;
    }
    auto columns = db_->Query(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = DATABASE()");
    EXPECT_TRUE(columns.ok() && !columns->empty());
    int found = 0;
    for (const auto& col : *columns) {
      if (std::find(skip.begin(), skip.end(), col[0]) != skip.end()) continue;
      found += std::stoi(One(absl::StrCat(
          "SELECT COUNT(*) FROM `", col[0], "` WHERE INSTR(CAST(`", col[1],
          "` AS BINARY), CAST('", needle, "' AS BINARY)) > 0")));
    }
    return found;
  }

  std::string HmacHex(const std::string& token) {
    crypto::Sha256Digest d = hasher_->Hmac(token);
    return absl::AsciiStrToUpper(crypto::ToHex(absl::MakeConstSpan(d)));
  }

  // Declaration order is teardown order, reversed: server first.
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::mysql::ConnectionPool> pool_;
  std::unique_ptr<store::mysql::MysqlOrgStore> org_;
  std::unique_ptr<store::mysql::MysqlTemplateStore> templates_;
  std::unique_ptr<store::mysql::MysqlCampaignStore> campaigns_;
  std::unique_ptr<store::mysql::MysqlInvitationStore> invitations_;
  std::unique_ptr<crypto::TokenHasher> hasher_;
  std::unique_ptr<store::mysql::MysqlAuditStore> audit_;
  SwitchableRandom random_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<api::AdminServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

}  // namespace survey::testing

#endif  // SURVEY_TESTS_INTEGRATION_CAMPAIGN_FIXTURE_H_
