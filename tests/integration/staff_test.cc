// Staff authentication over real gRPC against a real MariaDB: a TLS server
// with staff mTLS (certificates from deploy/certs.sh), API keys, the first
// admin's bootstrap, and the role checks of the staff-access RPCs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/bootstrap.h"
#include "support/temp_dirs.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {
namespace {

using v1::AdminService;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Sh(const std::string& command) {
  int status = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Two certificate directories made once per process: "certs" (the server's
// CA; staff alice, carol, dave, erin, mallory) and "rogue" (another CA;
// staff alice).
struct Certs {
  std::string dir;
  std::string rogue;
};

const Certs& TestCerts() {
  static const Certs* certs = [] {
    auto* c = new Certs;
    std::string script = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/certs.sh");
    char a[] = "/tmp/survey-staff-certs-XXXXXX";
    char b[] = "/tmp/survey-rogue-certs-XXXXXX";
    c->dir = mkdtemp(a);
    c->rogue = mkdtemp(b);
    RemoveAtExit(c->dir);
    RemoveAtExit(c->rogue);
    EXPECT_EQ(Sh(absl::StrCat(script, " ", c->dir)), 0);
    EXPECT_EQ(Sh(absl::StrCat(script, " ", c->dir,
                              " staff alice carol dave erin mallory")),
              0);
    EXPECT_EQ(Sh(absl::StrCat(script, " ", c->rogue)), 0);
    EXPECT_EQ(Sh(absl::StrCat(script, " ", c->rogue, " staff alice")), 0);
    return c;
  }();
  return *certs;
}

v1::StaffAccount Account(const std::string& name, v1::StaffRole role,
                         const std::string& department = "",
                         const std::string& employee = "", bool active = true) {
  v1::StaffAccount a;
  a.set_name(name);
  a.set_role(role);
  a.set_department_code(department);
  a.set_employee_no(employee);
  a.set_active(active);
  return a;
}

class StaffTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(api::ServerOptions()); }

  void StartServer(api::ServerOptions options) {
    const Certs& certs = TestCerts();
    options.tls_cert_file = certs.dir + "/server.pem";
    options.tls_key_file = certs.dir + "/server.key";
    options.tls_client_ca_file = certs.dir + "/ca.pem";
    absl::StatusOr<std::string> pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    options.pepper_file = *pepper;
    options_ = options;
    ts_.reset();
    auto ts = TestServer::Start(options);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    // The first admin, the way a new installation makes it.
    api::ServerOptions boot;
    boot.db_url = ts_->db().url();
    boot.pepper_file = *pepper;
    absl::StatusOr<api::BootstrapResult> root =
        api::BootstrapAdmin(boot, "root", 1);
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_TRUE(root->created);
    root_key_ = root->key;
    // A small organisation for manager and employee accounts.
    ASSERT_TRUE(ts_->db()
                    .Execute("INSERT INTO department (code, name) VALUES "
                             "('AS', 'After sales'),"
                             " ('CS', 'Customer service')")
                    .ok());
    ASSERT_TRUE(
        ts_->db()
            .Execute("INSERT INTO employee (employee_no, name, "
                     "department_code, post_type,"
                     " position) VALUES ('E1', 'Wang', 'AS', 'other', 'other'),"
                     " ('E2', 'Li', 'CS', 'other', 'other')")
            .ok());
  }

  // A TLS channel of its own, optionally presenting a staff certificate.
  std::shared_ptr<grpc::Channel> Channel(const std::string& staff = "",
                                         bool rogue = false) {
    const Certs& certs = TestCerts();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(certs.dir + "/ca.pem");
    if (!staff.empty()) {
      std::string dir = (rogue ? certs.rogue : certs.dir) + "/staff/";
      ssl.pem_cert_chain = ReadFile(dir + staff + ".pem");
      ssl.pem_private_key = ReadFile(dir + staff + ".key");
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(ts_->address(), grpc::SslCredentials(ssl),
                                     args);
  }

  std::unique_ptr<AdminService::Stub> Stub(const std::string& staff = "",
                                           bool rogue = false) {
    return AdminService::NewStub(Channel(staff, rogue));
  }

  // A context carrying `key` as a bearer API key (none if empty).
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key = "") {
    auto ctx = TestServer::Context("");
    if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
    return ctx;
  }

  grpc::Status Upsert(const v1::StaffAccount& a, const std::string& key) {
    v1::StaffAccount out;
    return Stub()->UpsertStaffAccount(Ctx(key).get(), a, &out);
  }

  // Creates a key for `account` as root; "" on failure.
  std::string CreateKey(const std::string& account,
                        v1::CreateApiKeyResponse* out = nullptr) {
    v1::CreateApiKeyRequest req;
    req.set_account_name(account);
    v1::CreateApiKeyResponse resp;
    grpc::Status s = Stub()->CreateApiKey(Ctx(root_key_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (out != nullptr) *out = resp;
    return resp.secret();
  }

  // An account with a fresh key; returns the key.
  std::string AccountWithKey(const v1::StaffAccount& a) {
    grpc::Status s = Upsert(a, root_key_);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return CreateKey(a.name());
  }

  grpc::Status ListDepartments(AdminService::Stub& stub,
                               grpc::ClientContext* ctx) {
    v1::ListDepartmentsResponse resp;
    return stub.ListDepartments(ctx, v1::ListDepartmentsRequest(), &resp);
  }

  grpc::Status ListAccounts(AdminService::Stub& stub, grpc::ClientContext* ctx,
                            v1::ListStaffAccountsResponse* out = nullptr) {
    v1::ListStaffAccountsResponse resp;
    grpc::Status s =
        stub.ListStaffAccounts(ctx, v1::ListStaffAccountsRequest(), &resp);
    if (out != nullptr) *out = resp;
    return s;
  }

  api::ServerOptions options_;
  std::unique_ptr<TestServer> ts_;
  std::string root_key_;
};

TEST_F(StaffTest, BootstrappedAdminKeyWorks) {
  v1::ListStaffAccountsResponse accounts;
  grpc::Status s = ListAccounts(*Stub(), Ctx(root_key_).get(), &accounts);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(accounts.accounts_size(), 1);
  EXPECT_EQ(accounts.accounts(0).name(), "root");
  EXPECT_EQ(accounts.accounts(0).role(), v1::STAFF_ROLE_ADMIN);
  EXPECT_TRUE(accounts.accounts(0).active());
  // Bootstrapping again (recovery) keeps the account and adds a key; the
  // old key keeps working.
  api::ServerOptions boot;
  boot.db_url = ts_->db().url();
  boot.pepper_file = options_.pepper_file;
  absl::StatusOr<api::BootstrapResult> again =
      api::BootstrapAdmin(boot, "root", 1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_NE(again->key, root_key_);
  EXPECT_TRUE(ListAccounts(*Stub(), Ctx(again->key).get()).ok());
  EXPECT_TRUE(ListAccounts(*Stub(), Ctx(root_key_).get()).ok());
  // Bad names are refused before anything is written.
  EXPECT_TRUE(
      absl::IsInvalidArgument(api::BootstrapAdmin(boot, " root", 1).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(api::BootstrapAdmin(boot, "a:b", 1).status()));
}

TEST_F(StaffTest, NoCredentialIsUnauthenticated) {
  auto stub = Stub();
  EXPECT_EQ(ListDepartments(*stub, Ctx().get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListAccounts(*stub, Ctx().get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(StaffTest, DevHeaderIsIgnoredWithoutInsecure) {
  auto stub = Stub();
  for (const char* who : {"admin", "hr", "manager:AS"}) {
    grpc::Status s = ListDepartments(*stub, TestServer::Context(who).get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << who;
    s = ListAccounts(*stub, TestServer::Context(who).get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << who;
  }
}

TEST_F(StaffTest, CertificateCommonNameMapsToTheAccount) {
  ASSERT_TRUE(Upsert(Account("alice", v1::STAFF_ROLE_HR), root_key_).ok());
  auto alice = Stub("alice");
  // HR: organisation yes, staff administration no.
  EXPECT_TRUE(ListDepartments(*alice, Ctx().get()).ok());
  EXPECT_EQ(ListAccounts(*alice, Ctx().get()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The role is read at every call: promoted, the same connection may.
  ASSERT_TRUE(Upsert(Account("alice", v1::STAFF_ROLE_ADMIN), root_key_).ok());
  EXPECT_TRUE(ListAccounts(*alice, Ctx().get()).ok());

  // A manager's certificate sees their own department only.
  ASSERT_TRUE(
      Upsert(Account("carol", v1::STAFF_ROLE_MANAGER, "AS"), root_key_).ok());
  auto carol = Stub("carol");
  v1::ListEmployeesResponse employees;
  grpc::Status s =
      carol->ListEmployees(Ctx().get(), v1::ListEmployeesRequest(), &employees);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(employees.employees_size(), 1);
  EXPECT_EQ(employees.employees(0).employee_no(), "E1");
  v1::ListEmployeesRequest other;
  other.set_department_code("CS");
  EXPECT_EQ(carol->ListEmployees(Ctx().get(), other, &employees).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(StaffTest, UnknownCommonNameIsUnauthenticated) {
  auto mallory = Stub("mallory");  // signed by our CA, but no account
  grpc::Status s = ListDepartments(*mallory, Ctx().get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();
  EXPECT_NE(s.error_message().find("mallory"), std::string::npos)
      << s.error_message();
}

TEST_F(StaffTest, FiltersThatNoNameCouldMatchAreRefused) {
  auto stub = Stub();
  v1::ListApiKeysRequest keys;
  keys.set_account_name("王堃");
  v1::ListApiKeysResponse keys_out;
  EXPECT_EQ(
      stub->ListApiKeys(Ctx(root_key_).get(), keys, &keys_out).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListAuditRequest audit;
  audit.set_action("报告.read");
  v1::ListAuditResponse audit_out;
  EXPECT_EQ(
      stub->ListAudit(Ctx(root_key_).get(), audit, &audit_out).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateApiKeyRequest create;
  create.set_account_name("王堃");
  v1::CreateApiKeyResponse created;
  EXPECT_EQ(
      stub->CreateApiKey(Ctx(root_key_).get(), create, &created).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StaffTest, InactiveAccountIsUnauthenticated) {
  ASSERT_TRUE(Upsert(Account("dave", v1::STAFF_ROLE_HR), root_key_).ok());
  std::string key = CreateKey("dave");
  auto dave = Stub("dave");
  EXPECT_TRUE(ListDepartments(*dave, Ctx().get()).ok());
  EXPECT_TRUE(ListDepartments(*Stub(), Ctx(key).get()).ok());
  ASSERT_TRUE(
      Upsert(Account("dave", v1::STAFF_ROLE_HR, "", "", false), root_key_)
          .ok());
  EXPECT_EQ(ListDepartments(*dave, Ctx().get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListDepartments(*Stub(), Ctx(key).get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(StaffTest, CertificateOfAnotherCaIsRefused) {
  ASSERT_TRUE(Upsert(Account("alice", v1::STAFF_ROLE_ADMIN), root_key_).ok());
  auto rogue = Stub("alice", /*rogue=*/true);
  grpc::Status s = ListDepartments(*rogue, Ctx().get());
  EXPECT_FALSE(s.ok());  // the TLS handshake fails: no call is made at all
}

TEST_F(StaffTest, ApiKeyIsShownOnceAndStoredOnlyAsAHash) {
  ASSERT_TRUE(Upsert(Account("bot", v1::STAFF_ROLE_HR), root_key_).ok());
  v1::CreateApiKeyResponse created;
  std::string key = CreateKey("bot", &created);
  ASSERT_EQ(key.size(), 47u);
  EXPECT_EQ(key.substr(0, 4), "ssk_");
  EXPECT_EQ(key.substr(4, 16), created.key_id());
  std::string secret = key.substr(21);
  EXPECT_GT(created.expires_at_unix(), absl::ToUnixSeconds(absl::Now()));

  // It works.
  EXPECT_TRUE(ListDepartments(*Stub(), Ctx(key).get()).ok());

  // Neither the key nor its secret is anywhere in the database: not in the
  // key table, not in the audit log (every column, as text and as hex).
  for (const char* table : {"api_key", "audit_log", "staff_account"}) {
    auto rows = ts_->db().Query(absl::StrCat("SELECT * FROM ", table));
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const auto& row : *rows) {
      for (const std::string& cell : row) {
        EXPECT_EQ(cell.find(secret), std::string::npos) << table;
        EXPECT_EQ(cell.find(key), std::string::npos) << table;
      }
    }
  }
  auto hmac = ts_->db().Query(absl::StrCat(
      "SELECT LENGTH(key_hmac), HEX(key_hmac) FROM api_key WHERE key_id = '",
      created.key_id(), "'"));
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  ASSERT_EQ(hmac->size(), 1u);
  EXPECT_EQ((*hmac)[0][0], "32");
  // Not an unkeyed hash of the key either (a leaked table must not allow
  // offline guessing without the pepper).
  auto sha = ts_->db().Query(absl::StrCat("SELECT UPPER(SHA2('", key,
                                          "', 256)), "
                                          "UPPER(SHA2('apikey:",
                                          key, "', 256))"));
  ASSERT_TRUE(sha.ok());
  EXPECT_NE((*hmac)[0][1], (*sha)[0][0]);
  EXPECT_NE((*hmac)[0][1], (*sha)[0][1]);

  // Listings never carry it.
  v1::ListApiKeysResponse keys;
  ASSERT_TRUE(
      Stub()
          ->ListApiKeys(Ctx(root_key_).get(), v1::ListApiKeysRequest(), &keys)
          .ok());
  ASSERT_EQ(keys.keys_size(), 2);  // root's bootstrap key and bot's
  std::string listing = keys.DebugString();
  EXPECT_EQ(listing.find(secret), std::string::npos);
  bool found = false;
  for (const v1::ApiKey& k : keys.keys()) {
    if (k.key_id() != created.key_id()) continue;
    found = true;
    EXPECT_EQ(k.account_name(), "bot");
    EXPECT_EQ(k.created_by(), "root");
    EXPECT_EQ(k.revoked_at_unix(), 0);
    EXPECT_EQ(k.expires_at_unix(), created.expires_at_unix());
  }
  EXPECT_TRUE(found);
}

TEST_F(StaffTest, ExpiredKeyIsRefused) {
  std::string key = AccountWithKey(Account("bot", v1::STAFF_ROLE_HR));
  ASSERT_FALSE(key.empty());
  std::string key_id = key.substr(4, 16);
  EXPECT_TRUE(ListDepartments(*Stub(), Ctx(key).get()).ok());
  ASSERT_TRUE(ts_->db()
                  .Execute(absl::StrCat("UPDATE api_key SET expires_at = "
                                        "UNIX_TIMESTAMP() - 1 WHERE key_id = '",
                                        key_id, "'"))
                  .ok());
  grpc::Status s = ListDepartments(*Stub(), Ctx(key).get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("expired"), std::string::npos)
      << s.error_message();
}

TEST_F(StaffTest, RevokedKeyIsRefused) {
  std::string key = AccountWithKey(Account("bot", v1::STAFF_ROLE_HR));
  std::string key_id = key.substr(4, 16);
  EXPECT_TRUE(ListDepartments(*Stub(), Ctx(key).get()).ok());
  v1::RevokeApiKeyRequest req;
  req.set_key_id(key_id);
  v1::RevokeApiKeyResponse resp;
  ASSERT_TRUE(Stub()->RevokeApiKey(Ctx(root_key_).get(), req, &resp).ok());
  grpc::Status s = ListDepartments(*Stub(), Ctx(key).get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("revoked"), std::string::npos)
      << s.error_message();
  // Idempotent; unknown and malformed ids are told apart.
  EXPECT_TRUE(Stub()->RevokeApiKey(Ctx(root_key_).get(), req, &resp).ok());
  req.set_key_id("0123456789abcdef");
  EXPECT_EQ(Stub()->RevokeApiKey(Ctx(root_key_).get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_key_id("nope");
  EXPECT_EQ(Stub()->RevokeApiKey(Ctx(root_key_).get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StaffTest, WrongOrMalformedKeysAreUnauthenticated) {
  std::string key = AccountWithKey(Account("bot", v1::STAFF_ROLE_HR));
  // Right id, wrong secret (last character changed within the alphabet).
  std::string wrong = key;
  wrong[wrong.size() - 2] = wrong[wrong.size() - 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {wrong, std::string("ssk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAA"),
        std::string("hello"), std::string("")}) {
    auto ctx = TestServer::Context("");
    ctx->AddMetadata("authorization", "Bearer " + bad);
    grpc::Status s = ListDepartments(*Stub(), ctx.get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
    EXPECT_EQ(s.error_message().find(bad.empty() ? "\x01" : bad),
              std::string::npos);
  }
  auto basic = TestServer::Context("");
  basic->AddMetadata("authorization", "Basic " + key);
  EXPECT_EQ(ListDepartments(*Stub(), basic.get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The scheme is case-insensitive.
  auto lower = TestServer::Context("");
  lower->AddMetadata("authorization", "bearer " + key);
  EXPECT_TRUE(ListDepartments(*Stub(), lower.get()).ok());
}

TEST_F(StaffTest, KeyWinsOverCertificate) {
  ASSERT_TRUE(Upsert(Account("alice", v1::STAFF_ROLE_ADMIN), root_key_).ok());
  std::string hr_key = AccountWithKey(Account("bot", v1::STAFF_ROLE_HR));
  auto alice = Stub("alice");
  EXPECT_TRUE(ListAccounts(*alice, Ctx().get()).ok());
  EXPECT_EQ(ListAccounts(*alice, Ctx(hr_key).get()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(StaffTest, StaffAccessRpcsAreForAdminsOnly) {
  std::string hr = AccountWithKey(Account("h", v1::STAFF_ROLE_HR));
  std::string manager =
      AccountWithKey(Account("m", v1::STAFF_ROLE_MANAGER, "AS"));
  std::string employee =
      AccountWithKey(Account("e", v1::STAFF_ROLE_EMPLOYEE, "", "E1"));
  auto stub = Stub();
  for (const std::string& key : {hr, manager, employee, root_key_}) {
    grpc::StatusCode want = key == root_key_
                                ? grpc::StatusCode::OK
                                : grpc::StatusCode::PERMISSION_DENIED;
    v1::StaffAccount account = Account("zed", v1::STAFF_ROLE_HR);
    v1::StaffAccount account_out;
    EXPECT_EQ(stub->UpsertStaffAccount(Ctx(key).get(), account, &account_out)
                  .error_code(),
              want);
    EXPECT_EQ(ListAccounts(*stub, Ctx(key).get()).error_code(), want);
    v1::CreateApiKeyRequest create;
    create.set_account_name("zed");
    v1::CreateApiKeyResponse created;
    grpc::Status s = stub->CreateApiKey(Ctx(key).get(), create, &created);
    EXPECT_EQ(s.error_code(), want) << s.error_message();
    v1::ListApiKeysResponse keys;
    EXPECT_EQ(stub->ListApiKeys(Ctx(key).get(), v1::ListApiKeysRequest(), &keys)
                  .error_code(),
              want);
    v1::RevokeApiKeyRequest revoke;
    revoke.set_key_id(want == grpc::StatusCode::OK ? created.key_id()
                                                   : "0123456789abcdef");
    v1::RevokeApiKeyResponse revoked;
    EXPECT_EQ(stub->RevokeApiKey(Ctx(key).get(), revoke, &revoked).error_code(),
              want);
    v1::VerifyAuditResponse verdict;
    EXPECT_EQ(
        stub->VerifyAudit(Ctx(key).get(), v1::VerifyAuditRequest(), &verdict)
            .error_code(),
        want);
    v1::ListAuditResponse audit;
    EXPECT_EQ(stub->ListAudit(Ctx(key).get(), v1::ListAuditRequest(), &audit)
                  .error_code(),
              want);
  }
  // The existing role checks hold for the new identities.
  v1::ImportOrgResponse imported;
  EXPECT_EQ(
      stub->ImportOrg(Ctx(manager).get(), v1::ImportOrgRequest(), &imported)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListDepartments(*stub, Ctx(employee).get()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(StaffTest, UpsertValidatesTheAccount) {
  struct Case {
    v1::StaffAccount account;
    std::string field;
  };
  std::vector<Case> cases = {
      {Account("", v1::STAFF_ROLE_HR), "name"},
      {Account(" x", v1::STAFF_ROLE_HR), "name"},
      {Account("x:y", v1::STAFF_ROLE_HR), "name"},
      {Account(std::string(65, 'x'), v1::STAFF_ROLE_HR), "name"},
      {Account("x", v1::STAFF_ROLE_UNSPECIFIED), "role"},
      {Account("x", v1::STAFF_ROLE_MANAGER), "department_code"},
      {Account("x", v1::STAFF_ROLE_MANAGER, "ZZ"), "department_code"},
      {Account("x", v1::STAFF_ROLE_EMPLOYEE), "employee_no"},
      {Account("x", v1::STAFF_ROLE_EMPLOYEE, "", "E9"), "employee_no"},
      {Account("x", v1::STAFF_ROLE_HR, "AS"), "department_code"},
      // A manager may be linked to an employee (nobody reviews their own
      // sheet), but only to one that exists.
      {Account("x", v1::STAFF_ROLE_MANAGER, "AS", "E9"), "employee_no"},
  };
  for (const Case& c : cases) {
    grpc::Status s = Upsert(c.account, root_key_);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.account.ShortDebugString();
    EXPECT_EQ(s.error_message().rfind(c.field + ":", 0), 0u)
        << s.error_message();
  }
  v1::ListStaffAccountsResponse accounts;
  ASSERT_TRUE(ListAccounts(*Stub(), Ctx(root_key_).get(), &accounts).ok());
  EXPECT_EQ(accounts.accounts_size(), 1);  // nothing was written
  EXPECT_FALSE(Upsert(Account("Zoë Chen", v1::STAFF_ROLE_HR), root_key_).ok());
  EXPECT_TRUE(
      Upsert(Account("zoe.chen@example.com", v1::STAFF_ROLE_HR), root_key_)
          .ok());
  EXPECT_TRUE(Upsert(Account("Zoe Chen", v1::STAFF_ROLE_HR), root_key_).ok());
}

TEST_F(StaffTest, TheLastAdminCannotBeDemoted) {
  grpc::Status s = Upsert(Account("root", v1::STAFF_ROLE_HR), root_key_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  s = Upsert(Account("root", v1::STAFF_ROLE_ADMIN, "", "", false), root_key_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Upsert(Account("alice", v1::STAFF_ROLE_ADMIN), root_key_).ok());
  EXPECT_TRUE(Upsert(Account("root", v1::STAFF_ROLE_HR), root_key_).ok());
  // root is HR now: its own key no longer administers.
  EXPECT_EQ(ListAccounts(*Stub(), Ctx(root_key_).get()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(ListAccounts(*Stub("alice"), Ctx().get()).ok());
}

TEST_F(StaffTest, CreateApiKeyChecksAccountAndExpiry) {
  v1::CreateApiKeyRequest req;
  v1::CreateApiKeyResponse resp;
  req.set_account_name("ghost");
  EXPECT_EQ(Stub()->CreateApiKey(Ctx(root_key_).get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(
      Upsert(Account("old", v1::STAFF_ROLE_HR, "", "", false), root_key_).ok());
  req.set_account_name("old");
  EXPECT_EQ(Stub()->CreateApiKey(Ctx(root_key_).get(), req, &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Upsert(Account("bot", v1::STAFF_ROLE_HR), root_key_).ok());
  req.set_account_name("bot");
  int64_t now = absl::ToUnixSeconds(absl::Now());
  for (int64_t bad : {now - 10, now + int64_t{3} * 366 * 24 * 3600}) {
    req.set_expires_at_unix(bad);
    grpc::Status s = Stub()->CreateApiKey(Ctx(root_key_).get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message().rfind("expires_at_unix:", 0), 0u);
  }
  req.set_expires_at_unix(0);  // default: 90 days
  ASSERT_TRUE(Stub()->CreateApiKey(Ctx(root_key_).get(), req, &resp).ok());
  EXPECT_NEAR(resp.expires_at_unix() - now, 90 * 24 * 3600, 60);
}

TEST_F(StaffTest, RepeatedFailuresFromOneAddressAreLimited) {
  api::ServerOptions options;
  options.abuse.staff_auth_failure.burst = 3;
  options.abuse.staff_auth_failure.refill_per_second = 1.0 / 3600;
  StartServer(options);
  auto stub = Stub();
  std::string bad = "ssk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAA";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ListDepartments(*stub, Ctx(bad).get()).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << i;
  }
  // The bucket is empty: every later call from the address with a
  // credential, valid or not, is refused unexamined until it refills.
  EXPECT_EQ(ListDepartments(*stub, Ctx(bad).get()).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ListDepartments(*stub, Ctx(root_key_).get()).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A call without any credential is refused without touching the bucket.
  EXPECT_EQ(ListDepartments(*stub, Ctx().get()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// The quick start's development server (--insecure) takes API keys too,
// next to the development header.
TEST(StaffDevServerTest, ApiKeysWorkOnADevelopmentServer) {
  absl::StatusOr<std::string> pepper = WriteTestPepper();
  ASSERT_TRUE(pepper.ok()) << pepper.status();
  api::ServerOptions options;
  options.pepper_file = *pepper;
  auto ts = TestServer::Start(options);
  ASSERT_TRUE(ts.ok()) << ts.status();
  api::ServerOptions boot;
  boot.db_url = (*ts)->db().url();
  boot.pepper_file = *pepper;
  absl::StatusOr<api::BootstrapResult> root =
      api::BootstrapAdmin(boot, "root", 1);
  ASSERT_TRUE(root.ok()) << root.status();
  auto stub = AdminService::NewStub((*ts)->channel());
  v1::ListStaffAccountsResponse resp;
  auto with_key = TestServer::Context("");
  with_key->AddMetadata("authorization", "Bearer " + root->key);
  EXPECT_TRUE(stub->ListStaffAccounts(with_key.get(), {}, &resp).ok());
  auto bad_key = TestServer::Context("");
  bad_key->AddMetadata("authorization", "Bearer ssk_nope");
  EXPECT_EQ(stub->ListStaffAccounts(bad_key.get(), {}, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub->ListStaffAccounts(TestServer::Context("").get(), {}, &resp)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(
      stub->ListStaffAccounts(TestServer::Context("admin").get(), {}, &resp)
          .ok());
  EXPECT_EQ(stub->ListStaffAccounts(TestServer::Context("hr").get(), {}, &resp)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace survey::testing
