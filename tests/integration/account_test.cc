// AccountService against the real MariaDB: activation, sign-in, lockout,
// secrets at rest, organisation accounts. Sessions: account_session_test.cc.
#include <algorithm>
#include <chrono>
#include <set>

#include "absl/strings/match.h"
#include "integration/account_fixture.h"

namespace survey::testing {
namespace {

constexpr char kGood[] = "Blue-kettle-42!";
constexpr char kOther[] = "Green-teapot-77?";

TEST_F(AccountTest, ActivationCodeWorksOnceAndExpires) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  ASSERT_EQ(codes.size(), 6u);
  v1::SignInResponse out;
  std::string reason;
  // Weak passwords are refused before anything else, the code stays usable.
  for (const char* weak : {"short", "Password123", "qwertyuiop"}) {
    grpc::Status s = Activate("E2", codes["E2"], weak, &out, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << weak;
    EXPECT_EQ(reason, "WEAK_PASSWORD") << weak;
  }
  {
    grpc::Status s = Activate("E2", "E2E2E-2E2E2", kGood, &out, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(reason, "BAD_CREDENTIALS");
  }
  // Typed in lower case without dashes, as people do.
  std::string typed = codes["E2"];
  typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());
  std::transform(typed.begin(), typed.end(), typed.begin(), ::tolower);
  ASSERT_TRUE(Activate("E2", typed, kGood, &out).ok());
  EXPECT_TRUE(absl::StartsWith(out.session_token(), "sss_"));
  EXPECT_EQ(out.expires_at_unix(), kStart + 8 * 3600);
  EXPECT_EQ(out.me().account_name(), "E2");
  EXPECT_EQ(out.me().role(), v1::STAFF_ROLE_EMPLOYEE);
  EXPECT_EQ(out.me().display_name(), "员工E2");
  EXPECT_EQ(out.me().credential(), "session");
  v1::Me me;
  ASSERT_TRUE(WhoAmI(out.session_token(), &me).ok());
  EXPECT_EQ(me.employee_no(), "E2");

  // Once only.
  grpc::Status again = Activate("E2", codes["E2"], kOther, &out, &reason);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "BAD_CREDENTIALS");
  // Expired after 14 days.
  Advance(14 * 86400);
  grpc::Status late = Activate("E3", codes["E3"], kGood, &out, &reason);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "BAD_CREDENTIALS");
}

TEST_F(AccountTest, FiveWrongPasswordsLockTheAccountUntilTheLockEnds) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  SessionOf("E2", kGood, codes["E2"]);
  v1::SignInResponse out;
  std::string reason;
  ASSERT_TRUE(SignIn("E2", kGood, &out).ok());
  for (int i = 1; i <= 5; ++i) {
    grpc::Status s = SignIn("E2", absl::StrCat("wrong-password-", i), &out, &reason);
    if (i < 5) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << i;
      EXPECT_EQ(reason, "BAD_CREDENTIALS") << i;
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << i;
      EXPECT_EQ(reason, "ACCOUNT_LOCKED") << i;
    }
    Advance(60);
  }
  // The right password changes nothing while locked.
  grpc::Status s = SignIn("E2", kGood, &out, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(reason, "ACCOUNT_LOCKED");
  // The lock is in the database (every server sees it) and audited.
  auto row = ts_->db().Query("SELECT locked_until FROM staff_account WHERE name = 'E2'");
  ASSERT_TRUE(row.ok());
  EXPECT_GT(std::stoll(row->at(0).at(0)), now_.load());
  auto locks = ts_->db().Query(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'account.lock' AND target = 'staff:E2'");
  ASSERT_TRUE(locks.ok());
  EXPECT_EQ(locks->at(0).at(0), "1");
  // 15 minutes after the lock began, the right password works again.
  Advance(15 * 60 - 60);
  EXPECT_TRUE(SignIn("E2", kGood, &out).ok());
  // Failures spread over more than 15 minutes never lock.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(SignIn("E2", "not-the-password", &out, &reason).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    Advance(4 * 60);
  }
  EXPECT_TRUE(SignIn("E2", kGood, &out).ok());
}

TEST_F(AccountTest, UnknownAccountAnswersExactlyLikeAWrongPassword) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  SessionOf("E2", kGood, codes["E2"]);
  auto attempt = [&](const std::string& name, grpc::Status* s, std::string* reason) {
    v1::SignInResponse out;
    auto start = std::chrono::steady_clock::now();
    *s = SignIn(name, "wrong-password-1", &out, reason);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Known, unknown, known but not yet activated: the same answer, and each
  // costs an argon2id verification (the fastest of three tries).
  double fastest[3] = {1e9, 1e9, 1e9};
  const char* names[3] = {"E2", "nobody", "E3"};
  grpc::Status first[3];
  std::string first_reason[3];
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      grpc::Status s;
      std::string reason;
      fastest[i] = std::min(fastest[i], attempt(names[i], &s, &reason));
      if (round == 0) {
        first[i] = s;
        first_reason[i] = reason;
      }
    }
  }
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(first[i].error_code(), first[0].error_code()) << names[i];
    EXPECT_EQ(first[i].error_message(), first[0].error_message()) << names[i];
    EXPECT_EQ(first_reason[i], first_reason[0]) << names[i];
    EXPECT_GT(fastest[i], 0.4 * fastest[0]) << names[i] << " answered without a hash";
  }
  EXPECT_EQ(first_reason[0], "BAD_CREDENTIALS");
  std::cout << "fastest wrong sign-in: known " << fastest[0] << " s, unknown "
            << fastest[1] << " s, not activated " << fastest[2] << " s\n";
  // ... and an unknown name locks like a real one.
  grpc::Status s;
  std::string reason;
  attempt("nobody", &s, &reason);
  attempt("nobody", &s, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(reason, "ACCOUNT_LOCKED");
}

TEST_F(AccountTest, NoPasswordCodeOrTokenInClearInTheDatabase) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  const std::string code = codes["E2"];
  std::string token = SessionOf("E2", kGood, code);
  std::string token2 = SessionOf("E2", kGood);
  std::string normal_code = code;
  normal_code.erase(std::remove(normal_code.begin(), normal_code.end(), '-'),
                    normal_code.end());
  const std::vector<std::string> secrets = {
      kGood, token, token2, token.substr(21), token2.substr(21), code, normal_code,
      codes["E3"]};
  for (const char* table : {"staff_account", "staff_session", "audit_log"}) {
    auto rows = ts_->db().Query(absl::StrCat("SELECT * FROM ", table));
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_FALSE(rows->empty()) << table;
    for (const auto& row : *rows) {
      for (const std::string& cell : row) {
        for (const std::string& secret : secrets) {
          EXPECT_FALSE(absl::StrContains(cell, secret)) << table << ": " << cell;
        }
      }
    }
  }
  auto hash = ts_->db().Query("SELECT password_hash FROM staff_account WHERE name = 'E2'");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(absl::StartsWith(hash->at(0).at(0), "$argon2id$")) << hash->at(0).at(0);
}

TEST_F(AccountTest, OrganisationAccountsOneRowPerActiveEmployeeIdempotent) {
  ASSERT_TRUE(ImportOrg().ok());
  v1::DeactivateRequest off;
  off.set_employee_no("E6");
  v1::DeactivateResponse off_out;
  ASSERT_TRUE(admin_->Deactivate(Dev("hr").get(), off, &off_out).ok());
  std::vector<CsvAccount> rows;
  ASSERT_TRUE(OrgAccounts(Dev("hr").get(), false, &rows).ok());
  ASSERT_EQ(rows.size(), 5u);
  std::set<std::string> distinct;
  for (const CsvAccount& r : rows) {
    EXPECT_EQ(r.account_name, r.employee_no);
    EXPECT_EQ(r.code.size(), 31u) << r.code;  // 26 characters in groups of 5
    EXPECT_FALSE(r.expires_at.empty());
    distinct.insert(r.code);
  }
  EXPECT_EQ(distinct.size(), 5u);
  EXPECT_EQ(rows[0].role, "manager");  // E1 manages AS
  EXPECT_EQ(rows[0].department_code, "AS");
  EXPECT_EQ(rows[1].role, "employee");
  EXPECT_EQ(rows[3].role, "manager");  // E4 manages CS
  EXPECT_EQ(rows[3].name, "员工E4");

  v1::SignInResponse out;
  ASSERT_TRUE(Activate("E2", rows[1].code, kGood, &out).ok());
  // Again: the same rows, no codes, nothing created.
  std::vector<CsvAccount> again;
  ASSERT_TRUE(OrgAccounts(Dev("admin").get(), false, &again).ok());
  ASSERT_EQ(again.size(), 5u);
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].account_name, rows[i].account_name);
    EXPECT_EQ(again[i].role, rows[i].role);
    EXPECT_EQ(again[i].code, "");
  }
  auto count = ts_->db().Query("SELECT COUNT(*) FROM staff_account");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->at(0).at(0), "5");
  // Reissued: new codes for the four not yet activated, none for E2; the
  // old codes stop working.
  std::vector<CsvAccount> reissued;
  ASSERT_TRUE(OrgAccounts(Dev("hr").get(), true, &reissued).ok());
  int with_code = 0;
  for (const CsvAccount& r : reissued) with_code += !r.code.empty();
  EXPECT_EQ(with_code, 4);
  EXPECT_EQ(reissued[1].code, "");
  std::string reason;
  EXPECT_EQ(Activate("E3", rows[2].code, kGood, &out, &reason).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Activate("E3", reissued[2].code, kGood, &out).ok());
  auto audited = ts_->db().Query(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'account.org' AND principal_name = 'dev:hr'");
  ASSERT_TRUE(audited.ok());
  EXPECT_EQ(audited->at(0).at(0), "2");
}

TEST_F(AccountTest, ManagerAccountFollowsTheOrganisation) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string e1 = SessionOf("E1", kGood, codes["E1"]);
  std::string e2 = SessionOf("E2", kGood, codes["E2"]);
  v1::Me me;
  ASSERT_TRUE(WhoAmI(e1, &me).ok());
  EXPECT_EQ(me.role(), v1::STAFF_ROLE_MANAGER);
  EXPECT_EQ(me.department_code(), "AS");
  EXPECT_EQ(me.department_name(), "部门AS");
  // E2 becomes AS's manager: the roles move at the next call.
  ASSERT_TRUE(ImportOrg("E2").ok());
  ASSERT_TRUE(WhoAmI(e1, &me).ok());
  EXPECT_EQ(me.role(), v1::STAFF_ROLE_EMPLOYEE);
  EXPECT_EQ(me.department_code(), "");
  ASSERT_TRUE(WhoAmI(e2, &me).ok());
  EXPECT_EQ(me.role(), v1::STAFF_ROLE_MANAGER);
  EXPECT_EQ(me.department_code(), "AS");
  // The new manager reaches the department's data, the old one no longer.
  v1::ListEmployeesRequest req;
  req.set_department_code("AS");
  v1::ListEmployeesResponse list;
  EXPECT_TRUE(admin_->ListEmployees(Bearer(e2).get(), req, &list).ok());
  EXPECT_EQ(admin_->ListEmployees(Bearer(e1).get(), req, &list).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An employee who leaves can no longer use the account.
  v1::DeactivateRequest off;
  off.set_employee_no("E1");
  v1::DeactivateResponse off_out;
  ASSERT_TRUE(admin_->Deactivate(Dev("hr").get(), off, &off_out).ok());
  EXPECT_EQ(WhoAmI(e1).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AccountTest, EmployeeCannotCallHrRpcs) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string e2 = SessionOf("E2", kGood, codes["E2"]);
  std::vector<CsvAccount> rows;
  EXPECT_EQ(OrgAccounts(Bearer(e2).get(), false, &rows).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ResetPasswordRequest reset;
  reset.set_account_name("E3");
  v1::ResetPasswordResponse reset_out;
  EXPECT_EQ(account_->ResetPassword(Bearer(e2).get(), reset, &reset_out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ImportOrgRequest import;
  Dept(&import, "XX", "");
  v1::ImportOrgResponse import_out;
  EXPECT_EQ(admin_->ImportOrg(Bearer(e2).get(), import, &import_out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListSessionsResponse sessions;
  EXPECT_EQ(account_->ListSessions(Bearer(e2).get(), v1::ListSessionsRequest(), &sessions)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace survey::testing
