// Figures built at close (issue 13): Submit writes no shared row, an open
// campaign shows counts from its responses, the close builds the figures,
// and a close interrupted before the build shows counts only until closing
// again finishes it.
#include <gtest/gtest.h>

#include "integration/survey_fixture.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

class FiguresTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    report_ = v1::ReportService::NewStub(ts_->channel());
  }
  v1::SubjectReport E1() {
    v1::SubjectReportRequest req;
    req.mutable_subject()->set_employee_no("E1");
    req.mutable_range()->set_month("2026-11");
    v1::SubjectReport r;
    grpc::Status s = report_->GetSubjectReport(TestServer::Context("hr").get(), req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }
  v1::VerifyResponse Verify() {
    v1::VerifyRequest req;
    v1::VerifyResponse out;
    grpc::Status s = report_->Verify(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  std::unique_ptr<v1::ReportService::Stub> report_;
};

TEST_F(FiguresTest, OpenShowsCountsCloseBuildsFiguresAndAnInterruptedCloseFinishes) {
  std::string c = CustomerCampaign();
  std::vector<std::string> tokens = Issue(c, std::vector<std::string>(8, "E1"));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Submit(tokens[i], Scores(7 + i % 2)).ok());

  // Open: no shared row was written; participation from the responses.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM aggregate"), "0");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM aggregate_sub"), "0");
  v1::SubjectReport open = E1();
  EXPECT_EQ(open.figures().responses().value(), 6);
  EXPECT_EQ(open.figures().invitations().value(), 8);
  EXPECT_EQ(open.figures().total().suppression(), v1::SUPPRESSION_CAMPAIGN_OPEN);

  // Closed: figures built from the responses, released.
  ASSERT_TRUE(Transition(c, false).ok());
  EXPECT_EQ(Scalar("SELECT figures_built FROM campaign"), "1");
  EXPECT_EQ(Scalar("SELECT n FROM aggregate"), "6");
  v1::SubjectReport closed = E1();
  EXPECT_EQ(closed.figures().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_NEAR(closed.figures().total().value(), 75.0, 1e-9);  // 3 x 70 + 3 x 80
  v1::VerifyResponse verified = Verify();
  EXPECT_EQ(verified.differences_size(), 0);
  EXPECT_EQ(verified.responses_checked(), 6);

  // A close that stopped after its first transaction (state committed,
  // figures not built): counts only, as while open...
  ASSERT_TRUE(ts_->db().Execute("UPDATE campaign SET figures_built = 0").ok());
  ASSERT_TRUE(ts_->db().Execute("DELETE FROM aggregate_sub").ok());
  ASSERT_TRUE(ts_->db().Execute("DELETE FROM aggregate").ok());
  v1::SubjectReport interrupted = E1();
  EXPECT_EQ(interrupted.figures().responses().value(), 6);
  EXPECT_EQ(interrupted.figures().total().suppression(), v1::SUPPRESSION_CAMPAIGN_OPEN);
  EXPECT_EQ(Verify().differences_size(), 0);  // nothing built, nothing to check
  // ...and no answer gets in meanwhile.
  EXPECT_EQ(Submit(tokens[6], Scores(9)).error_code(), grpc::FAILED_PRECONDITION);
  // Closing again finishes it.
  ASSERT_TRUE(Transition(c, false).ok());
  EXPECT_EQ(Scalar("SELECT n FROM aggregate"), "6");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM aggregate_sub"), "9");
  EXPECT_EQ(E1().figures().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_EQ(Verify().differences_size(), 0);
}

}  // namespace
}  // namespace survey::testing
