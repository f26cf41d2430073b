// Every state-changing staff RPC writes an audit record (issue 18, item 3).
//
// The list of RPCs comes from the proto descriptors of the staff services
// (AdminService, AppraisalService, ReportService, AccountService;
// RespondService is the respondents' and is never audited). The rule: an
// RPC is read-only if its name starts with Get, List, Export or Verify (or
// is WhoAmI), and it must then also be
// on kReadOnly below (so a new reader is a conscious decision); every other
// RPC changes state and must have a step in Steps() that calls it once with
// valid input and names the audit record it must leave. A new RPC that is
// neither fails the test. Read-only RPCs may still record (report reads do;
// GetSheet records the creation of a missing sheet); they are not checked.
//
// At the end, no record may hold a token, an API key's secret or the pepper.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/test_server.h"
#include "survey/v1/account.grpc.pb.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/appraisal.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

const std::set<std::string> kReadOnly = {
    "ListDepartments", "ListEmployees",  "GetTemplate",       "ListTemplates",
    "GetCampaign",     "ListCampaigns",  "VerifyAudit",       "ListStaffAccounts",
    "ListApiKeys",     "ListAudit",      "GetPeriodConfig",   "GetHolidays",
    "ListPayProfiles", "GetSheet",       "ListSheets",        "GetSheetHistory",
    "GetDepartmentAppraisal", "ListQuarterlyScores", "GetAnnualGrading",
    "ListAppeals",     "ExportSheets",   "GetSubjectReport",  "GetDepartmentReport",
    "GetOrganisationReport", "GetCrossEvaluationReport", "GetComments",
    "ExportReport",    "ExportResponses", "Verify",          "WhoAmI",
    "ListSessions"};

bool ReadOnlyByName(const std::string& method) {
  if (method == "WhoAmI") return true;
  for (const char* prefix : {"Get", "List", "Export", "Verify"}) {
    if (absl::StartsWith(method, prefix)) return true;
  }
  return false;
}

// One mutating RPC: `call` runs it (after `prepare`, whose own records are
// not looked at) as `who`; it must leave a record `action` on a target
// starting with `target`, by the caller ("dev:<who>", or `principal` for
// a caller signed in by password).
struct Step {
  std::string rpc;  // method name, unique across the staff services
  std::string who;
  std::string action;
  std::string target;
  std::function<grpc::Status()> call;
  std::function<void()> prepare;
  std::string principal;
};

class AuditCoverageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    pepper_file_ = *pepper;
    api::ServerOptions options;
    options.pepper_file = pepper_file_;
    auto ts = TestServer::Start(options);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    admin_ = v1::AdminService::NewStub(ts_->channel());
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
    account_ = v1::AccountService::NewStub(ts_->channel());
  }

  void TearDown() override {
    ts_.reset();
    if (!pepper_file_.empty()) {
      std::filesystem::remove_all(std::filesystem::path(pepper_file_).parent_path());
    }
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& who) {
    return TestServer::Context(who);
  }

  std::vector<v1::AuditRecord> RecordsAfter(int64_t seq) {
    v1::ListAuditRequest req;
    req.set_page_size(1000);
    req.set_page_token(absl::StrCat(seq));
    v1::ListAuditResponse resp;
    grpc::Status s = admin_->ListAudit(Ctx("admin").get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.records().begin(), resp.records().end()};
  }

  int64_t LastSeq() {
    std::vector<v1::AuditRecord> all = RecordsAfter(0);
    return all.empty() ? 0 : all.back().seq();
  }

  grpc::Status MoveSheet(const std::string& who, const std::string& no, v1::SheetState to) {
    v1::TransitionSheetRequest req;
    req.set_employee_no(no);
    req.set_period(kPeriod);
    req.set_to(to);
    v1::Sheet out;
    return appraisal_->TransitionSheet(Ctx(who).get(), req, &out);
  }

  grpc::Status ScoreSheet(const std::string& no, double score) {
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
    return appraisal_->UpdateSheetLines(Ctx("hr").get(), req, &out);
  }

  std::vector<Step> Steps();
  void AccountSteps(std::vector<Step>& steps);
  static std::unique_ptr<grpc::ClientContext> Bearer(const std::string& token) {
    auto ctx = Ctx("");
    ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  static constexpr char kPeriod[] = "2026-10";
  static constexpr char kPassword[] = "Blue-kettle-42!";
  static constexpr char kPassword2[] = "Orange-lamp-93#";
  std::string pepper_file_;
  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
  std::unique_ptr<v1::AccountService::Stub> account_;
  // State carried from step to step, and every secret handed out.
  std::string template_key_ = "audited";
  std::string campaign_;
  std::string key_id_;
  std::string appeal_;
  std::map<std::string, std::string> codes_;  // activation codes
  std::string session_, session2_, revoke_id_;
  std::vector<std::string> secrets_;
};

std::vector<Step> AuditCoverageTest::Steps() {
  std::vector<Step> steps;
  auto add = [&](std::string rpc, std::string who, std::string action, std::string target,
                 std::function<grpc::Status()> call, std::function<void()> prepare = {}) {
    steps.push_back({std::move(rpc), std::move(who), std::move(action), std::move(target),
                     std::move(call), std::move(prepare), ""});
  };
  // ---- AdminService: organisation
  add("ImportOrg", "hr", "org.import", "org", [this] {
    v1::ImportOrgRequest req;
    v1::Department* d = req.add_departments();
    d->set_code("AS");
    d->set_name("售后");
    d->set_manager_employee_no("E1");
    for (const char* no : {"E1", "E2", "E3"}) {
      v1::Employee* e = req.add_employees();
      e->set_employee_no(no);
      e->set_name(absl::StrCat("员工", no));
      e->set_department_code("AS");
      e->set_post_type(v1::POST_TYPE_OTHER);
      e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
    }
    v1::ImportOrgResponse out;
    return admin_->ImportOrg(Ctx("hr").get(), req, &out);
  });
  add("Deactivate", "hr", "org.deactivate", "employee:E3", [this] {
    v1::DeactivateRequest req;
    req.set_employee_no("E3");
    v1::DeactivateResponse out;
    return admin_->Deactivate(Ctx("hr").get(), req, &out);
  });
  // ---- templates, campaigns, invitations
  add("CreateTemplate", "hr", "template.create", "template:audited/1", [this] {
    v1::GetTemplateRequest get;
    get.set_key("default");
    v1::CreateTemplateRequest req;
    grpc::Status s = admin_->GetTemplate(Ctx("hr").get(), get, req.mutable_template_());
    if (!s.ok()) return s;
    req.mutable_template_()->set_key(template_key_);
    v1::Template out;
    return admin_->CreateTemplate(Ctx("hr").get(), req, &out);
  });
  add("CreateCampaign", "hr", "campaign.create", "campaign:", [this] {
    v1::CreateCampaignRequest req;
    req.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
    req.mutable_campaign()->set_period(kPeriod);
    req.mutable_campaign()->set_template_key(template_key_);
    v1::Campaign out;
    grpc::Status s = admin_->CreateCampaign(Ctx("hr").get(), req, &out);
    campaign_ = out.id();
    return s;
  });
  add("OpenCampaign", "hr", "campaign.open", "campaign:", [this] {
    v1::CampaignTransitionRequest req;
    req.set_id(campaign_);
    v1::Campaign out;
    return admin_->OpenCampaign(Ctx("hr").get(), req, &out);
  });
  add("IssueInvitations", "hr", "invitations.issue", "campaign:", [this] {
    v1::IssueInvitationsRequest req;
    req.set_campaign_id(campaign_);
    for (int i = 0; i < 3; ++i) req.add_events()->set_subject_employee_no("E2");
    auto ctx = Ctx("hr");
    auto reader = admin_->IssueInvitations(ctx.get(), req);
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) secrets_.push_back(inv.token());
    return reader->Finish();
  });
  add("RevokeInvitations", "hr", "invitations.revoke", "campaign:", [this] {
    v1::RevokeInvitationsRequest req;
    req.add_tokens(secrets_.at(0));
    v1::RevokeInvitationsResponse out;
    return admin_->RevokeInvitations(Ctx("hr").get(), req, &out);
  });
  add("CloseCampaign", "hr", "campaign.close", "campaign:", [this] {
    v1::CampaignTransitionRequest req;
    req.set_id(campaign_);
    v1::Campaign out;
    return admin_->CloseCampaign(Ctx("hr").get(), req, &out);
  });
  // Retention: the closed campaign moved into the past (a campaign of
  // today's month is never past retention).
  add(
      "ApplyRetention", "admin", "retention.remove", "campaign:",
      [this] {
        v1::ApplyRetentionRequest req;
        v1::ApplyRetentionResponse out;
        return admin_->ApplyRetention(Ctx("admin").get(), req, &out);
      },
      [this] {
        ASSERT_TRUE(ts_->db()
                        .Execute(absl::StrCat("UPDATE campaign SET period = '2020-01' WHERE id = '",
                                              campaign_, "'"))
                        .ok());
      });
  // ---- staff access
  add("UpsertStaffAccount", "admin", "staff.upsert", "staff:bot", [this] {
    v1::StaffAccount a, out;
    a.set_name("bot");
    a.set_role(v1::STAFF_ROLE_HR);
    a.set_active(true);
    return admin_->UpsertStaffAccount(Ctx("admin").get(), a, &out);
  });
  add("CreateApiKey", "admin", "apikey.create", "apikey:", [this] {
    v1::CreateApiKeyRequest req;
    req.set_account_name("bot");
    v1::CreateApiKeyResponse out;
    grpc::Status s = admin_->CreateApiKey(Ctx("admin").get(), req, &out);
    key_id_ = out.key_id();
    secrets_.push_back(out.secret());
    return s;
  });
  add("RevokeApiKey", "admin", "apikey.revoke", "apikey:", [this] {
    v1::RevokeApiKeyRequest req;
    req.set_key_id(key_id_);
    v1::RevokeApiKeyResponse out;
    return admin_->RevokeApiKey(Ctx("admin").get(), req, &out);
  });
  // ---- AppraisalService
  add("SetPeriodConfig", "hr", "appraisal.change", "config:", [this] {
    v1::GetPeriodConfigRequest get;
    get.set_period(kPeriod);
    v1::PeriodConfig c, out;
    grpc::Status s = appraisal_->GetPeriodConfig(Ctx("hr").get(), get, &c);
    if (!s.ok()) return s;
    (*c.mutable_performance_caps())["engineer:3"] = 3000;
    return appraisal_->SetPeriodConfig(Ctx("hr").get(), c, &out);
  });
  add("SetHolidays", "hr", "appraisal.change", "calendar:2026", [this] {
    v1::SetHolidaysRequest req;
    req.set_year("2026");
    req.add_dates("2026-10-01");
    v1::SetHolidaysResponse out;
    return appraisal_->SetHolidays(Ctx("hr").get(), req, &out);
  });
  add("SetPayProfiles", "hr", "appraisal.change", "pay:E2", [this] {
    v1::SetPayProfilesRequest req;
    v1::PayProfile* p = req.add_profiles();
    p->set_employee_no("E2");
    p->set_from_period("2026-01");
    p->set_post("engineer");
    p->set_grade("3");
    p->set_post_pay(5000);
    p->set_base_salary(8000);
    v1::SetPayProfilesResponse out;
    return appraisal_->SetPayProfiles(Ctx("hr").get(), req, &out);
  });
  add("UpdateSheetLines", "hr", "appraisal.change", "sheet:E2/2026-10",
      [this] { return ScoreSheet("E2", 80); });
  add("ReportIncident", "employee:E1", "appraisal.incident", "sheet:E2/2026-10", [this] {
    v1::ReportIncidentRequest req;
    req.set_employee_no("E2");
    req.set_period(kPeriod);
    req.set_title("迟到 / late on site");
    req.set_points(-2);
    v1::ReportIncidentResponse out;
    return appraisal_->ReportIncident(Ctx("employee:E1").get(), req, &out);
  });
  add("TransitionSheet", "hr", "appraisal.change", "sheet:E2/2026-10",
      [this] { return MoveSheet("hr", "E2", v1::SHEET_STATE_SUBMITTED); });
  add("UpdateDepartmentAppraisal", "hr", "appraisal.change", "department:AS/2026-10", [this] {
    v1::DepartmentAppraisal d, out;
    d.set_department_code("AS");
    d.set_period(kPeriod);
    d.set_duties_score(90);
    d.set_plan_score(80);
    d.set_key_indicator_score(70);
    return appraisal_->UpdateDepartmentAppraisal(Ctx("hr").get(), d, &out);
  });
  add("PushSatisfaction", "hr", "appraisal.push", "sheet:", [this] {
    v1::PushSatisfactionRequest req;
    req.set_period("2026-09");
    v1::PushSatisfactionResponse out;
    return appraisal_->PushSatisfaction(Ctx("hr").get(), req, &out);
  });
  add("RunAnnualGrading", "hr", "appraisal.grade", "grading:2026", [this] {
    v1::RunAnnualGradingRequest req;
    req.set_year("2026");
    req.set_completion_rate_percent(105);
    req.set_bonus_factor(1.5);
    v1::AnnualGradingResult out;
    return appraisal_->RunAnnualGrading(Ctx("hr").get(), req, &out);
  });
  add(
      "FileAppeal", "employee:E2", "appraisal.appeal", "appeal:",
      [this] {
        v1::FileAppealRequest req;
        req.set_employee_no("E2");
        req.set_period(kPeriod);
        req.set_reason("the incident was not mine");
        v1::Appeal out;
        grpc::Status s = appraisal_->FileAppeal(Ctx("employee:E2").get(), req, &out);
        appeal_ = out.id();
        return s;
      },
      [this] {  // submitted (above) -> confirmed -> released
        ASSERT_TRUE(MoveSheet("employee:E2", "E2", v1::SHEET_STATE_CONFIRMED).ok());
        grpc::Status s = MoveSheet("hr", "E2", v1::SHEET_STATE_APPEAL_WINDOW);
        ASSERT_TRUE(s.ok()) << s.error_message();
      });
  AccountSteps(steps);
  add("ResolveAppeal", "hr", "appraisal.appeal", "appeal:", [this] {
    v1::ResolveAppealRequest req;
    req.set_appeal_id(appeal_);
    req.set_accept(false);
    req.set_resolution("checked against the tickets");
    v1::Appeal out;
    return appraisal_->ResolveAppeal(Ctx("hr").get(), req, &out);
  });
  return steps;
}

// AccountService (issue 15): E2 activates, signs in, changes the password
// and signs out (recorded under "E2"); HR resets it; an admin revokes E1's
// session.
void AuditCoverageTest::AccountSteps(std::vector<Step>& steps) {
  auto add = [&](std::string rpc, std::string who, std::string principal, std::string action,
                 std::string target, std::function<grpc::Status()> call,
                 std::function<void()> prepare = {}) {
    steps.push_back({std::move(rpc), std::move(who), std::move(action), std::move(target),
                     std::move(call), std::move(prepare), std::move(principal)});
  };
  add("CreateOrganisationAccounts", "hr", "", "account.org", "org", [this] {
    v1::CreateOrganisationAccountsRequest req;
    auto ctx = Ctx("hr");
    auto reader = account_->CreateOrganisationAccounts(ctx.get(), req);
    std::string csv;
    v1::AccountsChunk chunk;
    while (reader->Read(&chunk)) csv += chunk.data();
    for (absl::string_view line : absl::StrSplit(csv, '\n', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(line, ',');
      if (f.size() == 7 && !f[5].empty() && f[0] != "account_name") {
        codes_[f[0]] = f[5];
        secrets_.push_back(f[5]);
      }
    }
    return reader->Finish();
  });
  add("Activate", "", "E2", "account.activate", "staff:E2", [this] {
    v1::ActivateRequest req;
    req.set_account_name("E2");
    req.set_activation_code(codes_["E2"]);
    req.set_new_password(kPassword);
    v1::SignInResponse out;
    grpc::Status s = account_->Activate(Ctx("").get(), req, &out);
    session_ = out.session_token();
    secrets_.push_back(session_);
    return s;
  });
  add("SignIn", "", "E2", "session.signin", "session:", [this] {
    v1::SignInRequest req;
    req.set_account_name("E2");
    req.set_password(kPassword);
    v1::SignInResponse out;
    grpc::Status s = account_->SignIn(Ctx("").get(), req, &out);
    session2_ = out.session_token();
    secrets_.push_back(session2_);
    return s;
  });
  add("ChangePassword", "", "E2", "account.password", "staff:E2", [this] {
    v1::ChangePasswordRequest req;
    req.set_current_password(kPassword);
    req.set_new_password(kPassword2);
    v1::ChangePasswordResponse out;
    return account_->ChangePassword(Bearer(session2_).get(), req, &out);
  });
  add("SignOut", "", "E2", "session.signout", "session:", [this] {
    v1::SignOutResponse out;
    return account_->SignOut(Bearer(session2_).get(), v1::SignOutRequest(), &out);
  });
  add("ResetPassword", "hr", "", "account.reset", "staff:E2", [this] {
    v1::ResetPasswordRequest req;
    req.set_account_name("E2");
    v1::ResetPasswordResponse out;
    grpc::Status s = account_->ResetPassword(Ctx("hr").get(), req, &out);
    secrets_.push_back(out.activation_code());
    return s;
  });
  add(
      "RevokeSession", "admin", "", "session.revoke", "session:",
      [this] {
        v1::RevokeSessionRequest req;
        req.set_session_id(revoke_id_);
        v1::RevokeSessionResponse out;
        return account_->RevokeSession(Ctx("admin").get(), req, &out);
      },
      [this] {  // E1 signs in; its session is the one revoked
        v1::ActivateRequest req;
        req.set_account_name("E1");
        req.set_activation_code(codes_["E1"]);
        req.set_new_password(kPassword);
        v1::SignInResponse out;
        grpc::Status s = account_->Activate(Ctx("").get(), req, &out);
        ASSERT_TRUE(s.ok()) << s.error_message();
        secrets_.push_back(out.session_token());
        revoke_id_ = out.session_token().substr(4, 16);
      });
}

TEST_F(AuditCoverageTest, EveryMutatingStaffRpcWritesAnAuditRecord) {
  std::vector<Step> steps = Steps();
  std::map<std::string, const Step*> by_rpc;
  for (const Step& s : steps) {
    ASSERT_TRUE(by_rpc.emplace(s.rpc, &s).second) << "two steps for " << s.rpc;
  }

  // The mutating RPCs, from the descriptors.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::string> mutating, seen;
  for (const char* service : {"survey.v1.AdminService", "survey.v1.AppraisalService",
                              "survey.v1.ReportService", "survey.v1.AccountService"}) {
    const google::protobuf::ServiceDescriptor* d = pool->FindServiceByName(service);
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      const std::string name = d->method(i)->name();
      seen.insert(name);
      if (kReadOnly.contains(name)) {
        EXPECT_TRUE(ReadOnlyByName(name)) << name << " is allowed as read-only but its "
                                          << "name does not say so (Get/List/Export/Verify)";
        continue;
      }
      mutating.insert(name);
      EXPECT_TRUE(by_rpc.contains(name))
          << service << "." << name << " changes state (its name is not on the read-only "
          << "list) but no step calls it: audit it and add a step here";
    }
  }
  for (const std::string& name : kReadOnly) {
    EXPECT_TRUE(seen.contains(name)) << "read-only list names an unknown RPC " << name;
  }
  for (const Step& s : steps) {
    EXPECT_TRUE(mutating.contains(s.rpc)) << "step for an RPC that is not mutating: " << s.rpc;
  }

  int covered = 0;
  for (const Step& s : steps) {
    SCOPED_TRACE(s.rpc);
    if (s.prepare) s.prepare();
    ASSERT_FALSE(HasFatalFailure());
    const int64_t before = LastSeq();
    grpc::Status status = s.call();
    ASSERT_TRUE(status.ok()) << s.rpc << ": " << status.error_message();
    bool found = false;
    for (const v1::AuditRecord& r : RecordsAfter(before)) {
      found |= r.action() == s.action && absl::StartsWith(r.target(), s.target) &&
               r.principal_name() == (s.principal.empty() ? "dev:" + s.who : s.principal);
    }
    EXPECT_TRUE(found) << s.rpc << " as " << s.who << " wrote no audit record " << s.action
                       << " on " << s.target << "...";
    covered += found;
  }
  EXPECT_EQ(covered, static_cast<int>(mutating.size()));
  std::cout << "audit coverage: " << covered << " of " << mutating.size()
            << " mutating staff RPCs, " << kReadOnly.size() << " read-only\n";

  // No secret in any record.
  ASSERT_GE(secrets_.size(), 4u);  // three tokens and a key
  std::string pepper;
  {
    std::ifstream in(pepper_file_);
    std::stringstream ss;
    ss << in.rdbuf();
    pepper = ss.str();
  }
  if (!pepper.empty()) secrets_.push_back(pepper);
  secrets_.push_back(kPassword);
  secrets_.push_back(kPassword2);
  for (const v1::AuditRecord& r : RecordsAfter(0)) {
    const std::string all = absl::StrCat(r.principal_name(), "|", r.target(), "|",
                                         r.before_json(), "|", r.after_json());
    for (const std::string& secret : secrets_) {
      EXPECT_FALSE(absl::StrContains(all, secret)) << "record " << r.seq() << " " << r.action();
    }
  }
}

// Six people reporting the same incident leave six records, one line.
TEST_F(AuditCoverageTest, EachIncidentReportIsItsOwnRecord) {
  for (Step& s : Steps()) {
    if (s.rpc == "ImportOrg") {
      ASSERT_TRUE(s.call().ok());
    }
  }
  ASSERT_TRUE(ScoreSheet("E2", 80).ok());
  const std::vector<std::string> reporters = {"employee:E1", "employee:E3", "manager:AS",
                                              "hr",          "admin",       "employee:E9"};
  for (const std::string& who : reporters) {
    v1::ReportIncidentRequest req;
    req.set_employee_no("E2");
    req.set_period(kPeriod);
    req.set_title("客户投诉 / customer complaint");
    req.set_points(-5);
    v1::ReportIncidentResponse out;
    grpc::Status s = appraisal_->ReportIncident(Ctx(who).get(), req, &out);
    ASSERT_TRUE(s.ok()) << who << ": " << s.error_message();
    EXPECT_EQ(out.line_id(), "L3") << who;  // the same line each time
  }
  std::vector<std::string> by;
  for (const v1::AuditRecord& r : RecordsAfter(0)) {
    if (r.action() == "appraisal.incident") by.push_back(r.principal_name());
  }
  std::vector<std::string> expected;
  for (const std::string& who : reporters) expected.push_back("dev:" + who);
  EXPECT_EQ(by, expected);
}

}  // namespace
}  // namespace survey::testing
