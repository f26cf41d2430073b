// AccountService tests (issue 15): the real server in-process against a
// real MariaDB, with a clock the test moves (ServerOptions.account_clock).
// The organisation: department AS managed by E1 (E1, E2, E3), department CS
// managed by E4 (E4, E5, E6).
#ifndef SURVEY_TESTS_INTEGRATION_ACCOUNT_FIXTURE_H_
#define SURVEY_TESTS_INTEGRATION_ACCOUNT_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/test_server.h"
#include "survey/v1/account.grpc.pb.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {

struct CsvAccount {
  std::string account_name, employee_no, name, department_code, role, code,
      expires_at;
};

class AccountTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStart = 1796000000;  // 2026-11-30, roughly

  void SetUp() override { StartServer(1000); }

  void StartServer(double staff_failure_burst) {
    api::ServerOptions options;
    options.account_clock = [this] { return now_.load(); };
    options.abuse.staff_auth_failure.burst = staff_failure_burst;
    auto ts = TestServer::Start(options);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    account_ = v1::AccountService::NewStub(ts_->channel());
    admin_ = v1::AdminService::NewStub(ts_->channel());
  }

  void Advance(int64_t seconds) { now_ += seconds; }

  static std::unique_ptr<grpc::ClientContext> Dev(const std::string& who) {
    return TestServer::Context(who);
  }
  static std::unique_ptr<grpc::ClientContext> Bearer(const std::string& token) {
    auto ctx = TestServer::Context("");
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    return ctx;
  }
  static std::string Reason(const grpc::ClientContext& ctx) {
    auto [b, e] = ctx.GetServerTrailingMetadata().equal_range("reason");
    return b == e ? "" : std::string(b->second.data(), b->second.size());
  }

  static v1::Department* Dept(v1::ImportOrgRequest* req, const std::string& code,
                              const std::string& manager) {
    v1::Department* d = req->add_departments();
    d->set_code(code);
    d->set_name(absl::StrCat("部门", code));
    d->set_manager_employee_no(manager);
    return d;
  }
  static void Emp(v1::ImportOrgRequest* req, const std::string& no,
                  const std::string& dept) {
    v1::Employee* e = req->add_employees();
    e->set_employee_no(no);
    e->set_name(absl::StrCat("员工", no));
    e->set_department_code(dept);
    e->set_post_type(v1::POST_TYPE_OTHER);
    e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  }
  grpc::Status ImportOrg(const std::string& as_manager = "E1") {
    v1::ImportOrgRequest req;
    Dept(&req, "AS", as_manager);
    Dept(&req, "CS", "E4");
    for (const char* no : {"E1", "E2", "E3"}) Emp(&req, no, "AS");
    for (const char* no : {"E4", "E5", "E6"}) Emp(&req, no, "CS");
    v1::ImportOrgResponse out;
    return admin_->ImportOrg(Dev("hr").get(), req, &out);
  }

  // CreateOrganisationAccounts as `ctx`'s caller; the CSV's rows.
  grpc::Status OrgAccounts(grpc::ClientContext* ctx, bool reissue,
                           std::vector<CsvAccount>* rows) {
    v1::CreateOrganisationAccountsRequest req;
    req.set_reissue_codes(reissue);
    auto reader = account_->CreateOrganisationAccounts(ctx, req);
    std::string csv;
    v1::AccountsChunk chunk;
    while (reader->Read(&chunk)) csv += chunk.data();
    grpc::Status s = reader->Finish();
    std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
    if (s.ok()) {
      EXPECT_EQ(lines.at(0),
                "account_name,employee_no,name,department_code,role,"
                "activation_code,expires_at");
    }
    rows->clear();
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> f = absl::StrSplit(lines[i], ',');
      EXPECT_EQ(f.size(), 7u) << lines[i];
      f.resize(7);
      rows->push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6]});
    }
    return s;
  }
  // The organisation imported and its accounts made: account -> code.
  std::map<std::string, std::string> SetUpOrganisation() {
    grpc::Status s = ImportOrg();
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<CsvAccount> rows;
    s = OrgAccounts(Dev("hr").get(), false, &rows);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, std::string> codes;
    for (const CsvAccount& r : rows) codes[r.account_name] = r.code;
    return codes;
  }

  grpc::Status Activate(const std::string& name, const std::string& code,
                        const std::string& password, v1::SignInResponse* out,
                        std::string* reason = nullptr) {
    v1::ActivateRequest req;
    req.set_account_name(name);
    req.set_activation_code(code);
    req.set_new_password(password);
    auto ctx = Dev("");
    grpc::Status s = account_->Activate(ctx.get(), req, out);
    if (reason != nullptr) *reason = Reason(*ctx);
    return s;
  }
  grpc::Status SignIn(const std::string& name, const std::string& password,
                      v1::SignInResponse* out, std::string* reason = nullptr) {
    v1::SignInRequest req;
    req.set_account_name(name);
    req.set_password(password);
    auto ctx = Dev("");
    grpc::Status s = account_->SignIn(ctx.get(), req, out);
    if (reason != nullptr) *reason = Reason(*ctx);
    return s;
  }
  // A signed-in session of `name` (activated with `code` first if given).
  std::string SessionOf(const std::string& name, const std::string& password,
                        const std::string& code = "") {
    v1::SignInResponse out;
    grpc::Status s = code.empty() ? SignIn(name, password, &out)
                                  : Activate(name, code, password, &out);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return out.session_token();
  }
  grpc::Status WhoAmI(const std::string& token, v1::Me* me = nullptr) {
    v1::Me local;
    return account_->WhoAmI(Bearer(token).get(), v1::WhoAmIRequest(),
                            me != nullptr ? me : &local);
  }

  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AccountService::Stub> account_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

}  // namespace survey::testing

#endif  // SURVEY_TESTS_INTEGRATION_ACCOUNT_FIXTURE_H_
