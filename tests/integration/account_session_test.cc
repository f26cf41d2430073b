// Console sessions against the real MariaDB: absolute expiry, idle
// timeout, revocation, sign-out, password change and reset, and the
// per-address budget of failed sign-ins.
#include "absl/strings/match.h"
#include "integration/account_fixture.h"

namespace survey::testing {
namespace {

constexpr char kSessionGood[] = "Blue-kettle-42!";
constexpr char kSessionNew[] = "Orange-lamp-93#";

TEST_F(AccountTest, SessionEndsWhenIdleOrAfterItsLifetime) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string token = SessionOf("E2", kSessionGood, codes["E2"]);
  // Calls every 29 minutes keep it alive (last_seen moves)...
  for (int i = 0; i < 3; ++i) {
    Advance(29 * 60);
    ASSERT_TRUE(WhoAmI(token).ok()) << i;
  }
  // ... 30 minutes without one end it.
  Advance(30 * 60);
  grpc::Status idle = WhoAmI(token);
  EXPECT_EQ(idle.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(idle.error_message(), "session idle for too long");

  // Absolute: 8 hours from the sign-in, however busy.
  std::string busy = SessionOf("E2", kSessionGood);
  for (int minutes = 20; minutes < 8 * 60; minutes += 20) {
    Advance(20 * 60);
    ASSERT_TRUE(WhoAmI(busy).ok()) << minutes;
  }
  Advance(20 * 60);
  grpc::Status expired = WhoAmI(busy);
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(expired.error_message(), "session expired");
}

TEST_F(AccountTest, LastSeenMovesAtMostOnceAMinute) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string token = SessionOf("E2", kSessionGood, codes["E2"]);
  auto last_seen = [&] {
    auto r = ts_->db().Query("SELECT last_seen FROM staff_session");
    EXPECT_TRUE(r.ok());
    return std::stoll(r->at(0).at(0));
  };
  Advance(30);
  ASSERT_TRUE(WhoAmI(token).ok());
  EXPECT_EQ(last_seen(), kStart);
  Advance(30);
  ASSERT_TRUE(WhoAmI(token).ok());
  EXPECT_EQ(last_seen(), kStart + 60);
}

TEST_F(AccountTest, RevokedAndSignedOutSessionsAreRefused) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string a = SessionOf("E2", kSessionGood, codes["E2"]);
  Advance(1);
  std::string b = SessionOf("E2", kSessionGood);
  // Admins list sessions (newest first, no secrets) and revoke one.
  v1::ListSessionsRequest list_req;
  list_req.set_account_name("E2");
  v1::ListSessionsResponse list;
  ASSERT_TRUE(account_->ListSessions(Dev("admin").get(), list_req, &list).ok());
  ASSERT_EQ(list.sessions_size(), 2);
  EXPECT_TRUE(absl::StrContains(b, list.sessions(0).session_id()));
  EXPECT_EQ(list.sessions(0).client_address(), "127.0.0.1");
  v1::RevokeSessionRequest revoke;
  revoke.set_session_id(list.sessions(0).session_id());
  v1::RevokeSessionResponse revoked;
  ASSERT_TRUE(account_->RevokeSession(Dev("admin").get(), revoke, &revoked).ok());
  grpc::Status s = WhoAmI(b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "session ended");
  EXPECT_TRUE(WhoAmI(a).ok());
  // Sign-out ends the calling session only.
  v1::SignOutResponse out;
  ASSERT_TRUE(account_->SignOut(Bearer(a).get(), v1::SignOutRequest(), &out).ok());
  EXPECT_EQ(WhoAmI(a).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A forged secret for a real session id is refused like garbage.
  std::string forged = a.substr(0, 21) + std::string(26, 'A');
  EXPECT_EQ(WhoAmI(forged).error_message(), "invalid session");
  list_req.set_include_ended(true);
  ASSERT_TRUE(account_->ListSessions(Dev("admin").get(), list_req, &list).ok());
  ASSERT_EQ(list.sessions_size(), 2);
  for (const v1::Session& session : list.sessions()) EXPECT_NE(session.ended_at_unix(), 0);
  for (const char* action : {"session.signin", "session.revoke", "session.signout"}) {
    auto n = ts_->db().Query(
        absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE action = '", action, "'"));
    ASSERT_TRUE(n.ok());
    EXPECT_NE(n->at(0).at(0), "0") << action;
  }
}

TEST_F(AccountTest, ChangePasswordEndsTheOtherSessions) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string mine = SessionOf("E2", kSessionGood, codes["E2"]);
  std::string other = SessionOf("E2", kSessionGood);
  v1::ChangePasswordRequest req;
  v1::ChangePasswordResponse out;
  req.set_current_password("not-the-password");
  req.set_new_password(kSessionNew);
  {
    auto ctx = Bearer(mine);
    EXPECT_EQ(account_->ChangePassword(ctx.get(), req, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Reason(*ctx), "BAD_CREDENTIALS");
  }
  req.set_current_password(kSessionGood);
  req.set_new_password("e2");
  {
    auto ctx = Bearer(mine);
    EXPECT_EQ(account_->ChangePassword(ctx.get(), req, &out).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(Reason(*ctx), "WEAK_PASSWORD");
  }
  req.set_new_password(kSessionNew);
  ASSERT_TRUE(account_->ChangePassword(Bearer(mine).get(), req, &out).ok());
  EXPECT_TRUE(WhoAmI(mine).ok());
  EXPECT_EQ(WhoAmI(other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::SignInResponse signed_in;
  EXPECT_EQ(SignIn("E2", kSessionGood, &signed_in).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(SignIn("E2", kSessionNew, &signed_in).ok());
}

TEST_F(AccountTest, ResetPasswordIssuesANewCodeAndEndsEverySession) {
  std::map<std::string, std::string> codes = SetUpOrganisation();
  std::string e2 = SessionOf("E2", kSessionGood, codes["E2"]);
  v1::ResetPasswordRequest req;
  req.set_account_name("E2");
  v1::ResetPasswordResponse out;
  ASSERT_TRUE(account_->ResetPassword(Dev("hr").get(), req, &out).ok());
  EXPECT_EQ(out.expires_at_unix(), kStart + 14 * 86400);
  EXPECT_EQ(WhoAmI(e2).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::SignInResponse signed_in;
  EXPECT_EQ(SignIn("E2", kSessionGood, &signed_in).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Activate("E2", out.activation_code(), kSessionNew, &signed_in).ok());
  // HR cannot reset an admin (it would hand HR the admin's sign-in).
  v1::StaffAccount boss, stored;
  boss.set_name("boss");
  boss.set_role(v1::STAFF_ROLE_ADMIN);
  boss.set_active(true);
  ASSERT_TRUE(admin_->UpsertStaffAccount(Dev("admin").get(), boss, &stored).ok());
  req.set_account_name("boss");
  EXPECT_EQ(account_->ResetPassword(Dev("hr").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(account_->ResetPassword(Dev("admin").get(), req, &out).ok());
  std::string boss_session = SessionOf("boss", kSessionGood, out.activation_code());
  v1::Me me;
  ASSERT_TRUE(WhoAmI(boss_session, &me).ok());
  EXPECT_EQ(me.role(), v1::STAFF_ROLE_ADMIN);
}

class AccountRateTest : public AccountTest {
 protected:
  void SetUp() override { StartServer(3); }
};

// Failed sign-ins on many names from one address run into the address's
// budget (the staff bucket of the abuse limits) before any account locks.
TEST_F(AccountRateTest, ManyNamesFromOneAddressAreRateLimited) {
  ASSERT_TRUE(ImportOrg().ok());
  v1::SignInResponse out;
  std::string reason;
  for (const char* name : {"E1", "E2", "E3"}) {
    EXPECT_EQ(SignIn(name, "wrong-password", &out, &reason).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status s = SignIn("E4", "wrong-password", &out, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(reason, "RATE_LIMITED");
}

}  // namespace
}  // namespace survey::testing
