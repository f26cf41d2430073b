// ReportService against the real server and MariaDB: figures, thresholds,
// complementary suppression (with the subtraction attack), OPEN vs CLOSED,
// comments, roles, exports and Verify.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "integration/survey_fixture.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

class ReportTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    report_ = v1::ReportService::NewStub(ts_->channel());
    // AS: E1, E2 and A3..A8; CS: E3, E4 and C5, C6.
    v1::ImportOrgRequest org;
    for (int i = 3; i <= 8; ++i) AddEmployee(&org, "A" + std::to_string(i), "AS");
    for (int i = 5; i <= 6; ++i) AddEmployee(&org, "C" + std::to_string(i), "CS");
    v1::ImportOrgResponse out;
    grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static void AddEmployee(v1::ImportOrgRequest* org, const std::string& no,
                          const std::string& dept) {
    v1::Employee* e = org->add_employees();
    e->set_employee_no(no);
    e->set_name("员工" + no);
    e->set_department_code(dept);
    e->set_post_type(v1::POST_TYPE_OTHER);
    e->set_position(v1::POSITION_CUSTOMER_SERVICE_AGENT);
  }

  // Issues `n` tokens for `employee` and answers all of them with `score`
  // on every sub-indicator (and `comment`, if any).
  void Answer(const std::string& campaign, const std::string& employee, int n,
              int score, const std::string& comment = "") {
    if (n == 0) return;
    std::vector<std::string> tokens = Issue(campaign, std::vector<std::string>(n, employee));
    for (const std::string& t : tokens) {
      grpc::Status s = Submit(t, Scores(score), {}, comment);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  grpc::Status Department(const std::string& as, const std::string& dept,
                          v1::DepartmentReport* out, const std::string& month = "2026-11") {
    v1::DepartmentReportRequest req;
    req.set_department_code(dept);
    req.mutable_range()->set_month(month);
    return report_->GetDepartmentReport(TestServer::Context(as).get(), req, out);
  }

  grpc::Status Employee(const std::string& as, const std::string& no,
                        v1::SubjectReport* out, const std::string& month = "2026-11") {
    v1::SubjectReportRequest req;
    req.mutable_subject()->set_employee_no(no);
    req.mutable_range()->set_month(month);
    return report_->GetSubjectReport(TestServer::Context(as).get(), req, out);
  }

  static const v1::RankedSubject* Find(const v1::DepartmentReport& r, const std::string& no) {
    for (const auto& e : r.employees()) {
      if (e.subject().employee_no() == no) return &e;
    }
    return nullptr;
  }

  std::unique_ptr<v1::ReportService::Stub> report_;
};

// --------------------------------------------------------------- figures

TEST_F(ReportTest, FiguresMatchHandArithmeticOnceClosed) {
  std::string c = CustomerCampaign();
  // E1: five answers, all 8 except one all-10 -> totals 80,80,80,80,100.
  Answer(c, "E1", 4, 8);
  Answer(c, "E1", 1, 10);
  Issue(c, {"E1", "E1", "E1"});  // three more issued, not answered
  v1::SubjectReport open;
  ASSERT_TRUE(Employee("hr", "E1", &open).ok());
  // OPEN: counts and the rate only.
  EXPECT_EQ(open.figures().responses().value(), 5);
  EXPECT_EQ(open.figures().invitations().value(), 8);
  EXPECT_DOUBLE_EQ(open.figures().response_rate().value(), 5.0 / 8.0);
  EXPECT_EQ(open.figures().total().suppression(), v1::SUPPRESSION_CAMPAIGN_OPEN);
  EXPECT_EQ(open.figures().indicators_size(), 0);

  ASSERT_TRUE(Transition(c, false).ok());  // close
  v1::SubjectReport r;
  ASSERT_TRUE(Employee("hr", "E1", &r).ok());
  const v1::Figures& f = r.figures();
  ASSERT_EQ(f.total().suppression(), v1::SUPPRESSION_NONE);
  // mean = (4 x 80 + 100) / 5 = 84
  EXPECT_NEAR(f.total().value(), 84.0, 1e-9);
  // sd: deviations -4 (x4) and 16: (64 + 256) / 4 = 80 -> sqrt(80)
  EXPECT_NEAR(f.stddev().value(), std::sqrt(80.0), 1e-9);
  // CI: 84 -/+ 2.7764 x sqrt(80) / sqrt(5) = 84 -/+ 11.1056
  EXPECT_NEAR(f.ci95().low(), 84 - 2.7764 * 4.0, 1e-6);
  EXPECT_NEAR(f.ci95().high(), 84 + 2.7764 * 4.0, 1e-6);
  // 9 of 45 scores are 10s; none is 1..5.
  EXPECT_NEAR(f.share_9_10().value(), 9.0 / 45.0, 1e-12);
  EXPECT_NEAR(f.share_1_5().value(), 0.0, 1e-12);
  ASSERT_EQ(f.indicators_size(), 3);
  // info: mean (4 x 8 + 10) / 5 = 8.4, weighted x 30 % = 2.52.
  EXPECT_NEAR(f.indicators(0).mean().value(), 8.4, 1e-12);
  EXPECT_NEAR(f.indicators(0).weighted_score().value(), 2.52, 1e-12);
  ASSERT_EQ(f.indicators(0).sub_indicators(0).distribution_size(), 10);
  EXPECT_EQ(f.indicators(0).sub_indicators(0).distribution(7), 4);  // score 8
  EXPECT_EQ(f.indicators(0).sub_indicators(0).distribution(9), 1);  // score 10
  EXPECT_EQ(f.k(), 5);
  // No October campaign: no change to show.
  EXPECT_EQ(f.change_vs_previous().suppression(), v1::SUPPRESSION_NO_DATA);
}

TEST_F(ReportTest, RevokedInvitationsLeaveTheResponseRate) {
  std::string c = CustomerCampaign();
  std::vector<std::string> tokens = Issue(c, {"E1", "E1", "E1", "E1", "E2"});
  v1::RevokeInvitationsRequest revoke;
  revoke.add_tokens(tokens[3]);
  revoke.add_tokens(tokens[3]);  // twice: counted once
  v1::RevokeInvitationsResponse revoked;
  ASSERT_TRUE(admin_->RevokeInvitations(TestServer::Context("hr").get(), revoke, &revoked).ok());
  ASSERT_TRUE(Submit(tokens[0], Scores(8)).ok());
  v1::SubjectReport r;
  ASSERT_TRUE(Employee("hr", "E1", &r).ok());
  EXPECT_EQ(r.figures().invitations().value(), 3);
  EXPECT_DOUBLE_EQ(r.figures().response_rate().value(), 1.0 / 3.0);
  EXPECT_EQ(Scalar("SELECT CONCAT(issued, '/', revoked) FROM invitation_tally"
                   " WHERE subject_code = 'E1'"),
            "4/1");
}

// n = 2, 4, 5, 6, 12 for E1 next to E2 with 12 answers, k = 5.
class ThresholdTest : public ReportTest, public ::testing::WithParamInterface<int> {};

TEST_P(ThresholdTest, SmallCellsAreHiddenWithAComplement) {
  const int n = GetParam();
  std::string c = CustomerCampaign();
  Answer(c, "E1", n, 8);
  Answer(c, "E2", 12, 10);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::DepartmentReport r;
  ASSERT_TRUE(Department("hr", "AS", &r).ok());
  const v1::RankedSubject* e1 = Find(r, "E1");
  const v1::RankedSubject* e2 = Find(r, "E2");
  ASSERT_NE(e1, nullptr);
  ASSERT_NE(e2, nullptr);
  EXPECT_EQ(e1->figures().responses().value(), n);  // participation is shown
  if (n < 5) {
    EXPECT_EQ(e1->figures().total().suppression(), v1::SUPPRESSION_BELOW_THRESHOLD);
    // Department minus E2 would give E1: E2 is hidden too.
    EXPECT_EQ(e2->figures().total().suppression(), v1::SUPPRESSION_COMPLEMENTARY);
    EXPECT_EQ(e1->rank(), 0);
    EXPECT_EQ(e2->figures().indicators_size(), 0);
  } else {
    EXPECT_EQ(e1->figures().total().suppression(), v1::SUPPRESSION_NONE);
    EXPECT_NEAR(e1->figures().total().value(), 80.0, 1e-9);
    EXPECT_NEAR(e2->figures().total().value(), 100.0, 1e-9);
    EXPECT_EQ(e2->rank(), 1);
    EXPECT_EQ(e1->rank(), 2);
  }
  // The department: (80 n + 1200) / (n + 12) points over n + 12 answers.
  EXPECT_EQ(r.department().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_NEAR(r.department().total().value(), (80.0 * n + 1200) / (n + 12), 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Matrix, ThresholdTest, ::testing::Values(2, 4, 5, 6, 12));

// Every subtraction among released figures of a department: the
// department's answers minus any set of released employees' answers (and
// their sums of totals) must describe nobody or at least k people.
TEST_F(ReportTest, NoSubtractionAmongReleasedFiguresRevealsFewerThanK) {
  std::string c = CustomerCampaign();
  const std::vector<std::pair<std::string, int>> plan = {
      {"E1", 2}, {"E2", 9}, {"A3", 6}, {"A4", 1}, {"A5", 7}, {"A6", 0}, {"A7", 5}, {"A8", 3}};
  int score = 4;
  for (const auto& [no, n] : plan) Answer(c, no, n, score++ % 10 + 1);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::DepartmentReport r;
  ASSERT_TRUE(Department("hr", "AS", &r).ok());
  ASSERT_EQ(r.department().total().suppression(), v1::SUPPRESSION_NONE);
  struct Released { int64_t n; double sum; };
  std::vector<Released> released;
  for (const auto& e : r.employees()) {
    if (e.figures().total().suppression() == v1::SUPPRESSION_NONE) {
      released.push_back({static_cast<int64_t>(e.figures().responses().value()),
                          e.figures().responses().value() * e.figures().total().value()});
    }
  }
  const int64_t dept_n = static_cast<int64_t>(r.department().responses().value());
  int hidden_cells = 0;
  for (const auto& e : r.employees()) {
    if (e.figures().total().suppression() != v1::SUPPRESSION_NONE &&
        e.figures().responses().value() > 0) {
      ++hidden_cells;
    }
  }
  EXPECT_GE(hidden_cells, 3);  // A4 (1), E1 (2), A8 (3) at least
  for (uint32_t mask = 0; mask < (1u << released.size()); ++mask) {
    int64_t rest = dept_n;
    for (size_t i = 0; i < released.size(); ++i) {
      if (mask & (1u << i)) rest -= released[i].n;
    }
    EXPECT_TRUE(rest == 0 || rest >= 5) << "mask " << mask << " leaves " << rest;
  }
}

TEST_F(ReportTest, AQuarterIsReleasedOnlyIfEveryMonthInItIs) {
  // 2026-11 released for E2 (6 answers); the quarter likewise. Then E2
  // gets 2 answers in a December campaign: the quarter is withheld, or
  // quarter minus November would reveal December's two.
  std::string nov = CustomerCampaign();
  Answer(nov, "E2", 6, 9);
  Answer(nov, "E1", 6, 7);
  ASSERT_TRUE(Transition(nov, false).ok());
  v1::SubjectReportRequest req;
  req.mutable_subject()->set_employee_no("E2");
  req.mutable_range()->set_quarter("2026-Q4");
  v1::SubjectReport q;
  ASSERT_TRUE(report_->GetSubjectReport(TestServer::Context("hr").get(), req, &q).ok());
  EXPECT_EQ(q.figures().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_NEAR(q.figures().total().value(), 90.0, 1e-9);

  v1::CreateCampaignRequest create;
  create.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  create.mutable_campaign()->set_period("2026-12");
  create.mutable_campaign()->set_template_key("default");
  v1::Campaign dec;
  ASSERT_TRUE(admin_->CreateCampaign(TestServer::Context("hr").get(), create, &dec).ok());
  ASSERT_TRUE(Transition(dec.id(), true).ok());
  Answer(dec.id(), "E2", 2, 3);
  Answer(dec.id(), "E1", 6, 7);
  ASSERT_TRUE(Transition(dec.id(), false).ok());
  ASSERT_TRUE(report_->GetSubjectReport(TestServer::Context("hr").get(), req, &q).ok());
  EXPECT_EQ(q.figures().responses().value(), 8);
  EXPECT_NE(q.figures().total().suppression(), v1::SUPPRESSION_NONE);
  // E1's quarter is all released months: 12 answers of 70 points.
  v1::SubjectReport e1q;
  req.mutable_subject()->set_employee_no("E1");
  ASSERT_TRUE(report_->GetSubjectReport(TestServer::Context("hr").get(), req, &e1q).ok());
  // E1's December part is hidden as E2's complement (2 + 6 >= 5).
  EXPECT_EQ(e1q.figures().total().suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  // And the change against the previous month is withheld for December.
  v1::SubjectReport decm;
  ASSERT_TRUE(Employee("hr", "E2", &decm, "2026-12").ok());
  EXPECT_EQ(decm.figures().total().suppression(), v1::SUPPRESSION_BELOW_THRESHOLD);
}

TEST_F(ReportTest, ChangeAgainstThePreviousMonth) {
  v1::CreateCampaignRequest create;
  create.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  create.mutable_campaign()->set_period("2026-10");
  create.mutable_campaign()->set_template_key("default");
  v1::Campaign oct;
  ASSERT_TRUE(admin_->CreateCampaign(TestServer::Context("hr").get(), create, &oct).ok());
  ASSERT_TRUE(Transition(oct.id(), true).ok());
  Answer(oct.id(), "E1", 5, 6);
  Answer(oct.id(), "E2", 5, 6);
  ASSERT_TRUE(Transition(oct.id(), false).ok());
  std::string nov = CustomerCampaign();
  Answer(nov, "E1", 5, 9);
  Answer(nov, "E2", 5, 9);
  ASSERT_TRUE(Transition(nov, false).ok());
  v1::SubjectReport r;
  ASSERT_TRUE(Employee("hr", "E1", &r).ok());
  EXPECT_NEAR(r.figures().change_vs_previous().value(), 90.0 - 60.0, 1e-9);
}

// ------------------------------------------------------------- comments

TEST_F(ReportTest, CommentsNeedTheCommentThresholdAndAClosedCampaign) {
  std::string c = CustomerCampaign();
  Answer(c, "E1", 9, 8, "服务很好");
  Answer(c, "E2", 10, 8, "回复及时");
  v1::CommentsRequest req;
  req.mutable_subject()->set_employee_no("E2");
  req.mutable_range()->set_month("2026-11");
  v1::CommentsResponse resp;
  ASSERT_TRUE(report_->GetComments(TestServer::Context("hr").get(), req, &resp).ok());
  EXPECT_EQ(resp.suppression(), v1::SUPPRESSION_CAMPAIGN_OPEN);
  EXPECT_EQ(resp.comments_size(), 0);
  ASSERT_TRUE(Transition(c, false).ok());
  ASSERT_TRUE(report_->GetComments(TestServer::Context("hr").get(), req, &resp).ok());
  // E2 has 10 = comment_k, but E1's 9 are hidden and need a complement:
  // E2 goes too, or department comments minus E2's would be E1's.
  EXPECT_EQ(resp.suppression(), v1::SUPPRESSION_COMPLEMENTARY);
  EXPECT_EQ(resp.comments_size(), 0);
  req.mutable_subject()->set_department_code("AS");
  ASSERT_TRUE(report_->GetComments(TestServer::Context("hr").get(), req, &resp).ok());
  EXPECT_EQ(resp.suppression(), v1::SUPPRESSION_NONE);
  ASSERT_EQ(resp.comments_size(), 19);
  EXPECT_EQ(std::count(resp.comments().begin(), resp.comments().end(), "服务很好"), 9);
}

TEST_F(ReportTest, CommentsOfALargeEnoughGroupAreReleased) {
  std::string c = CustomerCampaign();
  Answer(c, "E1", 10, 8, "耐心");
  Answer(c, "E2", 12, 8);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::CommentsRequest req;
  req.mutable_subject()->set_employee_no("E1");
  req.mutable_range()->set_month("2026-11");
  v1::CommentsResponse resp;
  ASSERT_TRUE(report_->GetComments(TestServer::Context("employee:E1").get(), req, &resp).ok());
  EXPECT_EQ(resp.suppression(), v1::SUPPRESSION_NONE);
  EXPECT_EQ(resp.comments_size(), 10);
}

// ------------------------------------------------------- cross-evaluation

TEST_F(ReportTest, CrossEvaluationByEvaluatorOnlyWhereTheGroupReachesK) {
  std::string c = CrossCampaign();
  std::vector<v1::IssuedInvitation> inv = IssueCross(c);
  // Rated AS: by CS (4 members) and TS (1 member). Answer all of them.
  int answered = 0;
  for (const auto& i : inv) {
    if (i.subject().department_code() != "AS") continue;
    ASSERT_TRUE(Submit(i.token(), Scores(i.evaluating_department_code() == "CS" ? 9 : 3)).ok());
    ++answered;
  }
  EXPECT_EQ(answered, 5);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::CrossEvaluationReportRequest req;
  req.mutable_range()->set_month("2026-11");
  v1::CrossEvaluationReport r;
  ASSERT_TRUE(report_->GetCrossEvaluationReport(TestServer::Context("hr").get(), req, &r).ok());
  const v1::CrossEvaluationRow* as = nullptr;
  for (const auto& row : r.rows()) {
    if (row.rated_department_code() == "AS") as = &row;
  }
  ASSERT_NE(as, nullptr);
  // Overall: 4 x 90 + 30 over 5 = 78.
  ASSERT_EQ(as->overall().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_NEAR(as->overall().total().value(), 78.0, 1e-9);
  ASSERT_EQ(as->by_evaluator_size(), 2);
  for (const auto& cell : as->by_evaluator()) {
    EXPECT_NE(cell.figures().total().suppression(), v1::SUPPRESSION_NONE)
        << cell.evaluating_department_code();
  }
  // A manager sees their own department's row only, and not another's.
  v1::CrossEvaluationReport mine;
  ASSERT_TRUE(report_->GetCrossEvaluationReport(TestServer::Context("manager:AS").get(),
                                                req, &mine).ok());
  ASSERT_EQ(mine.rows_size(), 1);
  EXPECT_EQ(mine.rows(0).rated_department_code(), "AS");
  req.set_rated_department_code("CS");
  EXPECT_EQ(report_->GetCrossEvaluationReport(TestServer::Context("manager:AS").get(), req,
                                              &mine).error_code(),
            grpc::PERMISSION_DENIED);
}

// ------------------------------------------------------------------ roles

TEST_F(ReportTest, RoleMatrix) {
  std::string c = CustomerCampaign();
  Answer(c, "E1", 5, 8);
  ASSERT_TRUE(Transition(c, false).ok());
  struct Call {
    std::string name;
    std::function<grpc::Status(const std::string&)> run;
  };
  auto subject_emp = [&](const std::string& no) {
    return [&, no](const std::string& as) {
      v1::SubjectReport out;
      return Employee(as, no, &out);
    };
  };
  auto dept = [&](const std::string& code) {
    return [&, code](const std::string& as) {
      v1::DepartmentReport out;
      return Department(as, code, &out);
    };
  };
  auto org = [&](const std::string& as) {
    v1::OrganisationReportRequest req;
    req.mutable_range()->set_month("2026-11");
    v1::OrganisationReport out;
    return report_->GetOrganisationReport(TestServer::Context(as).get(), req, &out);
  };
  auto verify = [&](const std::string& as) {
    v1::VerifyRequest req;
    v1::VerifyResponse out;
    return report_->Verify(TestServer::Context(as).get(), req, &out);
  };
  auto comments_emp = [&](const std::string& as) {
    v1::CommentsRequest req;
    req.mutable_subject()->set_employee_no("E1");
    req.mutable_range()->set_month("2026-11");
    v1::CommentsResponse out;
    return report_->GetComments(TestServer::Context(as).get(), req, &out);
  };
  auto export_rows = [&](const std::string& as) {
    v1::ExportResponsesRequest req;
    req.set_campaign_id(c);
    auto ctx = TestServer::Context(as);
    auto reader = report_->ExportResponses(ctx.get(), req);
    v1::ExportChunk chunk;
    while (reader->Read(&chunk)) {
    }
    return reader->Finish();
  };
  auto export_dept = [&](const std::string& as) {
    v1::ExportReportRequest req;
    req.mutable_department()->set_department_code("AS");
    req.mutable_department()->mutable_range()->set_month("2026-11");
    auto ctx = TestServer::Context(as);
    auto reader = report_->ExportReport(ctx.get(), req);
    v1::ExportChunk chunk;
    while (reader->Read(&chunk)) {
    }
    return reader->Finish();
  };
  const std::vector<std::string> roles = {"admin", "hr", "manager:AS", "manager:CS",
                                          "employee:E1", "employee:E2"};
  // Expected: 1 = allowed, 0 = PERMISSION_DENIED, per role above.
  const std::vector<std::pair<Call, std::vector<int>>> matrix = {
      {{"subject E1", subject_emp("E1")}, {1, 1, 1, 0, 1, 0}},
      {{"subject E3", subject_emp("E3")}, {1, 1, 0, 1, 0, 0}},
      {{"department AS", dept("AS")}, {1, 1, 1, 0, 0, 0}},
      {{"organisation", org}, {1, 1, 0, 0, 0, 0}},
      {{"comments E1", comments_emp}, {1, 1, 1, 0, 1, 0}},
      {{"export department AS", export_dept}, {1, 1, 1, 0, 0, 0}},
      {{"export responses", export_rows}, {1, 1, 0, 0, 0, 0}},
      {{"verify", verify}, {1, 1, 0, 0, 0, 0}},
  };
  for (const auto& [call, expected] : matrix) {
    for (size_t i = 0; i < roles.size(); ++i) {
      grpc::Status s = call.run(roles[i]);
      if (expected[i]) {
        EXPECT_TRUE(s.ok()) << call.name << " as " << roles[i] << ": " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED) << call.name << " as " << roles[i];
      }
    }
    // No identity at all.
    EXPECT_EQ(call.run("").error_code(), grpc::UNAUTHENTICATED) << call.name;
  }
}

TEST_F(ReportTest, ReadsAndExportsAreAudited) {
  std::string c = CustomerCampaign();
  Answer(c, "E1", 5, 8);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::SubjectReport r;
  ASSERT_TRUE(Employee("manager:AS", "E1", &r).ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.read'"
                   " AND target = 'employee:E1'"),
            "1");
  // A refused read is not a read.
  ASSERT_EQ(Employee("manager:CS", "E1", &r).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.read'"), "1");
  v1::ExportResponsesRequest req;
  req.set_campaign_id(c);
  auto ctx = TestServer::Context("hr");
  auto reader = report_->ExportResponses(ctx.get(), req);
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.export_responses'"),
            "1");
  // Respondents never are.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'respond%'"), "0");
}

TEST_F(ReportTest, BadRequestsNameTheField) {
  v1::SubjectReport out;
  v1::SubjectReportRequest req;
  req.mutable_subject()->set_employee_no("E1");
  grpc::Status s = report_->GetSubjectReport(TestServer::Context("hr").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("range"), std::string::npos);
  req.mutable_range()->set_quarter("2026-Q5");
  s = report_->GetSubjectReport(TestServer::Context("hr").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("range.quarter"), std::string::npos);
  req.mutable_subject()->set_employee_no("NOPE");
  req.mutable_range()->set_month("2026-11");
  EXPECT_EQ(report_->GetSubjectReport(TestServer::Context("hr").get(), req, &out).error_code(),
            grpc::NOT_FOUND);
}

// ------------------------------------------------------ exports and Verify

TEST_F(ReportTest, LargeExportsStreamInChunksAndVerifyFindsTampering) {
  std::string c = CustomerCampaign();
  // 1500 answers from 8 threads: E1 800 and E2 700; A3 gets 3 (hidden, so
  // the smaller E2 goes as its complement), to see the export filter too.
  std::vector<std::string> tokens =
      Issue(c, std::vector<std::string>(800, "E1"));
  std::vector<std::string> more = Issue(c, std::vector<std::string>(700, "E2"));
  tokens.insert(tokens.end(), more.begin(), more.end());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < tokens.size(); i += 8) {
        if (!Submit(tokens[i], Scores(static_cast<int>(1 + i % 10))).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  Answer(c, "A3", 3, 5);
  ASSERT_TRUE(Transition(c, false).ok());

  v1::ExportResponsesRequest req;
  req.set_campaign_id(c);
  auto ctx = TestServer::Context("hr");
  auto reader = report_->ExportResponses(ctx.get(), req);
  v1::ExportChunk chunk;
  int chunks = 0;
  std::string all;
  while (reader->Read(&chunk)) {
    ++chunks;
    all += chunk.data();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GT(chunks, 1);
  const long lines = std::count(all.begin(), all.end(), '\n');
  // Header + E1's 800 (E2 is A3's complement, A3 is below k).
  EXPECT_EQ(lines, 1 + 800);
  EXPECT_EQ(all.find(",A3,"), std::string::npos);
  EXPECT_EQ(all.find(",E2,"), std::string::npos);

  v1::VerifyRequest vreq;
  v1::VerifyResponse v;
  ASSERT_TRUE(report_->Verify(TestServer::Context("hr").get(), vreq, &v).ok());
  EXPECT_EQ(v.differences_size(), 0);
  EXPECT_EQ(v.responses_checked(), 1503);
  EXPECT_EQ(v.aggregates_checked(), 3);
  ASSERT_TRUE(ts_->db()
                  .Execute("UPDATE aggregate_sub SET h3 = h3 + 1 WHERE subject_code = 'E2'"
                           " AND sub_index = 4")
                  .ok());
  ASSERT_TRUE(ts_->db().Execute("DELETE FROM response WHERE subject_code = 'A3' LIMIT 1").ok());
  ASSERT_TRUE(report_->Verify(TestServer::Context("hr").get(), vreq, &v).ok());
  std::vector<std::string> fields;
  for (const auto& d : v.differences()) {
    fields.push_back(d.subject().employee_no() + ":" + d.field());
  }
  EXPECT_NE(std::find(fields.begin(), fields.end(), "E2:histogram[4][3]"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "A3:n"), fields.end());
}

TEST_F(ReportTest, OrganisationRanksByTheLowerBoundAndPages) {
  std::string c = CustomerCampaign();
  // E3: 5 answers at 100 except one 60 (mean 92, wide interval);
  // E4: 12 answers at 90 (mean 90, no spread): E4 ranks first.
  Answer(c, "E3", 4, 10);
  Answer(c, "E3", 1, 6);
  Answer(c, "E4", 12, 9);
  Answer(c, "E1", 6, 7);
  Answer(c, "E2", 6, 8);
  ASSERT_TRUE(Transition(c, false).ok());
  v1::OrganisationReportRequest req;
  req.mutable_range()->set_month("2026-11");
  req.set_page_size(2);
  v1::OrganisationReport page1, page2;
  ASSERT_TRUE(report_->GetOrganisationReport(TestServer::Context("hr").get(), req, &page1).ok());
  ASSERT_EQ(page1.employees_size(), 2);
  EXPECT_EQ(page1.employees(0).subject().employee_no(), "E4");
  EXPECT_EQ(page1.employees(0).rank(), 1);
  EXPECT_EQ(page1.employees(1).rank(), 2);
  EXPECT_FALSE(page1.next_page_token().empty());
  EXPECT_EQ(page1.departments_size(), 3);
  // The organisation view ranks on totals: no indicators, no shares.
  EXPECT_EQ(page1.employees(0).figures().indicators_size(), 0);
  EXPECT_FALSE(page1.employees(0).figures().has_share_9_10());
  EXPECT_NEAR(page1.employees(0).figures().total().value(), 90.0, 1e-9);
  EXPECT_NEAR(page1.employees(0).figures().ci95().low(), 90.0, 1e-9);
  req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(report_->GetOrganisationReport(TestServer::Context("hr").get(), req, &page2).ok());
  EXPECT_EQ(page2.employees(0).rank(), 3);
}

}  // namespace
}  // namespace survey::testing
