// Nobody reviews their own appraisal sheet (issue 18, item 4), against the
// real server and MariaDB, with real staff accounts and API keys: a manager
// account is linked to the employee the organisation names as the
// department's manager; on their own sheet they give self scores, confirm
// and appeal, nothing else; a department manager's sheet is reviewed by HR;
// an HR officer linked to an employee does not finalize their own sheet.
#include <gtest/gtest.h>

#include <optional>

#include "absl/strings/match.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/appraisal.grpc.pb.h"

namespace survey::testing {
namespace {

constexpr char kPeriod[] = "2026-10";

class SelfReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ts = TestServer::Start();
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    admin_ = v1::AdminService::NewStub(ts_->channel());
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
    // AS: E1 (its manager), E2. HR: E5.
    v1::ImportOrgRequest org;
    auto dept = [&](const std::string& code, const std::string& manager) {
      v1::Department* d = org.add_departments();
      d->set_code(code);
      d->set_name(code + " 部");
      d->set_manager_employee_no(manager);
    };
    auto emp = [&](const std::string& no, const std::string& code) {
      v1::Employee* e = org.add_employees();
      e->set_employee_no(no);
      e->set_name("员工" + no);
      e->set_department_code(code);
      e->set_post_type(v1::POST_TYPE_OTHER);
      e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
    };
    dept("AS", "E1");
    dept("HRD", "");
    emp("E1", "AS");
    emp("E2", "AS");
    emp("E5", "HRD");
    v1::ImportOrgResponse out;
    grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Creates `name` and returns an API key for it; `linked` is the employee
  // link the server reports.
  std::string Account(const std::string& name, v1::StaffRole role, const std::string& department,
                      const std::string& employee, std::string* linked = nullptr) {
    v1::StaffAccount a, out;
    a.set_name(name);
    a.set_role(role);
    a.set_department_code(department);
    a.set_employee_no(employee);
    a.set_active(true);
    grpc::Status s = admin_->UpsertStaffAccount(TestServer::Context("admin").get(), a, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (linked != nullptr) *linked = out.employee_no();
    v1::CreateApiKeyRequest req;
    req.set_account_name(name);
    v1::CreateApiKeyResponse key;
    s = admin_->CreateApiKey(TestServer::Context("admin").get(), req, &key);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return key.secret();
  }

  // `who`: an API key (ssk_...) or a development identity.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    if (!absl::StartsWith(who, "ssk_")) return TestServer::Context(who);
    auto ctx = TestServer::Context("");
    ctx->AddMetadata("authorization", "Bearer " + who);
    return ctx;
  }

  // A KPI and a behaviour line (L1, L2), scored `score` by the reviewer.
  grpc::Status Review(const std::string& who, const std::string& no, double score) {
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no(no);
    req.set_period(kPeriod);
    for (auto section : {v1::SHEET_SECTION_KPI, v1::SHEET_SECTION_BEHAVIOUR}) {
      v1::SheetLine* l = req.add_lines();
      l->set_section(section);
      l->set_title("line");
      l->set_weight_percent(100);
      l->set_reviewer_score(score);
    }
    v1::Sheet out;
    return appraisal_->UpdateSheetLines(As(who).get(), req, &out);
  }

  grpc::Status SetLine(const std::string& who, const std::string& no, const std::string& id,
                       std::optional<double> self, std::optional<double> reviewer) {
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no(no);
    req.set_period(kPeriod);
    v1::SheetLine* l = req.add_lines();
    l->set_id(id);
    if (self) l->set_self_score(*self);
    if (reviewer) l->set_reviewer_score(*reviewer);
    v1::Sheet out;
    return appraisal_->UpdateSheetLines(As(who).get(), req, &out);
  }

  grpc::Status Move(const std::string& who, const std::string& no, v1::SheetState to) {
    v1::TransitionSheetRequest req;
    req.set_employee_no(no);
    req.set_period(kPeriod);
    req.set_to(to);
    v1::Sheet out;
    return appraisal_->TransitionSheet(As(who).get(), req, &out);
  }

  v1::Sheet Sheet(const std::string& no) {
    v1::GetSheetRequest req;
    req.set_employee_no(no);
    req.set_period(kPeriod);
    v1::Sheet out;
    EXPECT_TRUE(appraisal_->GetSheet(As("hr").get(), req, &out).ok());
    return out;
  }

  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
};

void ExpectDenied(const grpc::Status& s, const std::string& reason) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), reason)) << s.error_message();
}

TEST_F(SelfReviewTest, AManagerAccountIsLinkedFromTheOrganisation) {
  std::string linked;
  Account("li.as", v1::STAFF_ROLE_MANAGER, "AS", "", &linked);
  EXPECT_EQ(linked, "E1");
  // An explicit link stays, also when the account is upserted again.
  Account("deputy.as", v1::STAFF_ROLE_MANAGER, "AS", "E2", &linked);
  EXPECT_EQ(linked, "E2");
  Account("deputy.as", v1::STAFF_ROLE_MANAGER, "AS", "", &linked);
  EXPECT_EQ(linked, "E2");
  // HR may be linked; an unknown employee is refused, naming the field.
  Account("wang.hr", v1::STAFF_ROLE_HR, "", "E5", &linked);
  EXPECT_EQ(linked, "E5");
  v1::StaffAccount bad, out;
  bad.set_name("ghost");
  bad.set_role(v1::STAFF_ROLE_HR);
  bad.set_employee_no("E404");
  bad.set_active(true);
  grpc::Status s = admin_->UpsertStaffAccount(TestServer::Context("admin").get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "employee_no: ")) << s.error_message();
}

TEST_F(SelfReviewTest, TheManagerOfAsCannotReviewTheirOwnSheet) {
  const std::string li = Account("li.as", v1::STAFF_ROLE_MANAGER, "AS", "");
  // The probe's finding: reviewer score 100 on E1's sheet by AS's manager.
  ExpectDenied(Review(li, "E1", 100), "is your own");
  // Their team's sheets they review as before.
  ASSERT_TRUE(Review(li, "E2", 70).ok());
  // HR reviews the manager's sheet; the manager gives self scores ...
  ASSERT_TRUE(Review("hr", "E1", 80).ok());
  ASSERT_TRUE(SetLine(li, "E1", "L1", 95, std::nullopt).ok());
  EXPECT_DOUBLE_EQ(Sheet("E1").lines(0).self_score(), 95);
  // ... but no reviewer score, even on an existing line,
  ExpectDenied(SetLine(li, "E1", "L1", std::nullopt, 100), "is your own");
  EXPECT_DOUBLE_EQ(Sheet("E1").lines(0).reviewer_score(), 80);
  // and does not submit it; they confirm it once HR has.
  ExpectDenied(Move(li, "E1", v1::SHEET_STATE_SUBMITTED), "is your own");
  ASSERT_TRUE(Move("hr", "E1", v1::SHEET_STATE_SUBMITTED).ok());
  ExpectDenied(Move(li, "E1", v1::SHEET_STATE_DRAFT), "is your own");
  grpc::Status s = Move(li, "E1", v1::SHEET_STATE_CONFIRMED);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

TEST_F(SelfReviewTest, ADepartmentManagersSheetIsReviewedByHrNotByAManager) {
  // A deputy's account for AS, or an unlinked manager identity of AS.
  const std::string deputy = Account("deputy.as", v1::STAFF_ROLE_MANAGER, "AS", "E2");
  ExpectDenied(Review(deputy, "E1", 100), "reviewed by HR");
  ExpectDenied(Review("manager:AS", "E1", 100), "reviewed by HR");
  ASSERT_TRUE(Review("hr", "E1", 80).ok());
  ExpectDenied(Move("manager:AS", "E1", v1::SHEET_STATE_SUBMITTED), "reviewed by HR");
  ASSERT_TRUE(Move("hr", "E1", v1::SHEET_STATE_SUBMITTED).ok());
  // The deputy's own sheet: self scores only, as for anyone.
  ExpectDenied(Review(deputy, "E2", 100), "is your own");
}

TEST_F(SelfReviewTest, HrDoesNotReviewOrFinalizeTheirOwnSheet) {
  const std::string wang = Account("wang.hr", v1::STAFF_ROLE_HR, "", "E5");
  ExpectDenied(Review(wang, "E5", 100), "is your own");
  ASSERT_TRUE(Review("hr", "E5", 90).ok());
  ExpectDenied(Move(wang, "E5", v1::SHEET_STATE_SUBMITTED), "is your own");
  ASSERT_TRUE(Move("hr", "E5", v1::SHEET_STATE_SUBMITTED).ok());
  ASSERT_TRUE(Move(wang, "E5", v1::SHEET_STATE_CONFIRMED).ok());  // as the employee
  ExpectDenied(Move(wang, "E5", v1::SHEET_STATE_APPEAL_WINDOW), "is your own");
  ASSERT_TRUE(Move("hr", "E5", v1::SHEET_STATE_APPEAL_WINDOW).ok());
  // Their own appeal: filed as the employee, decided by someone else.
  v1::FileAppealRequest file;
  file.set_employee_no("E5");
  file.set_period(kPeriod);
  file.set_reason("too low");
  v1::Appeal appeal;
  ASSERT_TRUE(appraisal_->FileAppeal(As(wang).get(), file, &appeal).ok());
  v1::ResolveAppealRequest resolve;
  resolve.set_appeal_id(appeal.id());
  resolve.set_accept(true);
  resolve.set_new_score(100);
  resolve.set_resolution("fine");
  v1::Appeal out;
  ExpectDenied(appraisal_->ResolveAppeal(As(wang).get(), resolve, &out), "your own sheet");
  ASSERT_TRUE(appraisal_->ResolveAppeal(As("hr").get(), resolve, &out).ok());
}

}  // namespace
}  // namespace survey::testing
