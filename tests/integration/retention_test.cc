// Retention (issue 17, item 5; DOMAIN §5.6): AdminService.ApplyRetention
// removes the answers of closed campaigns past retention and nothing else.
//
//   RemovesOnlyWhatIsPastRetentionAndKeepsEveryFigure
//       three closed campaigns (a cross-evaluation 20 months old, customer
//       surveys 14 and 30 months old; default policy 12 / 24 months): a dry
//       run changes nothing; the run removes exactly the two past
//       retention, audited once each before the rows go; every report
//       figure is the same before and after; Verify skips them; a second
//       run removes nothing and records nothing.
//   FinishesARemovalBegunEarlier
//       a campaign marked by a run that stopped half-way is finished by the
//       next run, whatever the policy says now.
//   OnlyAdmins
//       HR and managers are refused; nothing is removed.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/period.h"
#include "integration/survey_fixture.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

// The company's month `n` months ago (the server's default zone). Periods
// sit months away from any retention boundary, so a month turning during
// the test changes nothing.
std::string MonthsAgo(int n) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone));
  const absl::CivilSecond now = absl::ToCivilSecond(absl::Now(), zone);
  absl::StatusOr<domain::Period> today =
      domain::Period::FromYearMonth(static_cast<int>(now.year()), now.month());
  return today->Previous(n)->ToString();
}

class RetentionTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    report_ = v1::ReportService::NewStub(ts_->channel());
  }

  // A customer survey of `period` with `n` answers about E1, closed.
  std::string ClosedCustomer(const std::string& period, int n) {
    std::string id = CustomerCampaign(true, period);
    std::vector<std::string> tokens = Issue(id, std::vector<std::string>(n, "E1"));
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(Submit(tokens[i], Scores(3 + i % 7), {}, absl::StrCat("comment ", i)).ok());
    }
    EXPECT_TRUE(Transition(id, false).ok());
    return id;
  }

  std::string ClosedCross(const std::string& period) {
    std::string id = CrossCampaign(true, period);
    std::vector<v1::IssuedInvitation> issued = IssueCross(id);
    for (size_t i = 0; i < issued.size(); ++i) {
      EXPECT_TRUE(Submit(issued[i].token(), Scores(2 + i % 8)).ok());
    }
    EXPECT_TRUE(Transition(id, false).ok());
    return id;
  }

  grpc::Status Apply(const std::string& who, bool dry_run, v1::ApplyRetentionResponse* out) {
    v1::ApplyRetentionRequest req;
    req.set_dry_run(dry_run);
    return admin_->ApplyRetention(TestServer::Context(who).get(), req, out);
  }

  int64_t Responses(const std::string& campaign) {
    return std::stoll(
        Scalar(absl::StrCat("SELECT COUNT(*) FROM response WHERE campaign_id = '", campaign, "'")));
  }
  int64_t RemovalRecords() {
    return std::stoll(Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.remove'"));
  }
  std::string OutcomeOf(const v1::ApplyRetentionResponse& r, const std::string& id) {
    for (const v1::RetentionOutcome& c : r.campaigns()) {
      if (c.campaign_id() == id) return c.outcome();
    }
    return "<absent>";
  }

  // Every figure HR sees about E1 and about the departments for `period`.
  std::string Figures(const std::string& period) {
    v1::SubjectReportRequest subject;
    subject.mutable_subject()->set_employee_no("E1");
    subject.mutable_range()->set_month(period);
    v1::SubjectReport e1;
    grpc::Status s = report_->GetSubjectReport(TestServer::Context("hr").get(), subject, &e1);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::OrganisationReportRequest org;
    org.mutable_range()->set_month(period);
    v1::OrganisationReport whole;
    s = report_->GetOrganisationReport(TestServer::Context("hr").get(), org, &whole);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::CrossEvaluationReportRequest cross;
    cross.mutable_range()->set_month(period);
    v1::CrossEvaluationReport matrix;
    s = report_->GetCrossEvaluationReport(TestServer::Context("hr").get(), cross, &matrix);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e1.figures().SerializeAsString() + "|" + whole.SerializeAsString() + "|" +
           matrix.SerializeAsString();
  }

  std::unique_ptr<v1::ReportService::Stub> report_;
};

TEST_F(RetentionTest, RemovesOnlyWhatIsPastRetentionAndKeepsEveryFigure) {
  const std::string cross_old = MonthsAgo(20), customer_kept = MonthsAgo(14),
                    customer_old = MonthsAgo(30);
  const std::string cross = ClosedCross(cross_old);
  const std::string kept = ClosedCustomer(customer_kept, 6);
  const std::string old = ClosedCustomer(customer_old, 7);
  const std::string open = CustomerCampaign(true, MonthsAgo(40));  // open: never touched
  ASSERT_TRUE(Submit(Issue(open, {"E2"}).at(0), Scores(5)).ok());
  const int64_t cross_rows = Responses(cross);
  ASSERT_GT(cross_rows, 0);
  const std::string figures_cross = Figures(cross_old), figures_kept = Figures(customer_kept),
                    figures_old = Figures(customer_old);
  ASSERT_NE(figures_old.find("E1"), std::string::npos) << "E1 should be in the report";

  v1::ApplyRetentionResponse dry;
  ASSERT_TRUE(Apply("admin", true, &dry).ok());
  EXPECT_EQ(OutcomeOf(dry, cross), "would_remove");
  EXPECT_EQ(OutcomeOf(dry, old), "would_remove");
  EXPECT_EQ(OutcomeOf(dry, kept), "kept");
  EXPECT_EQ(OutcomeOf(dry, open), "<absent>");
  EXPECT_EQ(Responses(old), 7);
  EXPECT_EQ(RemovalRecords(), 0);

  v1::ApplyRetentionResponse run;
  ASSERT_TRUE(Apply("admin", false, &run).ok());
  EXPECT_EQ(OutcomeOf(run, cross), "removed");
  EXPECT_EQ(OutcomeOf(run, old), "removed");
  EXPECT_EQ(OutcomeOf(run, kept), "kept");
  for (const v1::RetentionOutcome& c : run.campaigns()) {
    if (c.campaign_id() == old) {
      EXPECT_EQ(c.responses_removed(), 7);
      EXPECT_EQ(c.removable_from(), MonthsAgo(30 - 25));
    }
    if (c.campaign_id() == cross) {
      EXPECT_EQ(c.responses_removed(), cross_rows);
    }
  }
  EXPECT_EQ(Responses(cross), 0);
  EXPECT_EQ(Responses(old), 0);
  EXPECT_EQ(Responses(kept), 6);
  EXPECT_EQ(Responses(open), 1);
  // Recorded once per campaign, with how many answers went.
  EXPECT_EQ(RemovalRecords(), 2);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT JSON_VALUE(after_json, '$.responses_removed') FROM "
                                "audit_log WHERE action = 'retention.remove' AND target = "
                                "'campaign:", old, "'")),
            "7");
  // The figures stay, to the last byte of every report.
  EXPECT_EQ(Figures(cross_old), figures_cross);
  EXPECT_EQ(Figures(customer_kept), figures_kept);
  EXPECT_EQ(Figures(customer_old), figures_old);

  v1::VerifyResponse verified;
  ASSERT_TRUE(
      report_->Verify(TestServer::Context("hr").get(), v1::VerifyRequest(), &verified).ok());
  EXPECT_EQ(verified.differences_size(), 0);
  EXPECT_EQ(verified.responses_checked(), 6);  // `kept` only: the open one has no figures yet
  EXPECT_EQ(std::set<std::string>(verified.campaigns_past_retention().begin(),
                                  verified.campaigns_past_retention().end()),
            (std::set<std::string>{cross, old}));

  v1::ApplyRetentionResponse again;
  ASSERT_TRUE(Apply("admin", false, &again).ok());
  EXPECT_EQ(OutcomeOf(again, cross), "removed_earlier");
  EXPECT_EQ(OutcomeOf(again, old), "removed_earlier");
  EXPECT_EQ(RemovalRecords(), 2);
  EXPECT_EQ(Responses(kept), 6);
}

TEST_F(RetentionTest, FinishesARemovalBegunEarlier) {
  const std::string kept = ClosedCustomer(MonthsAgo(3), 5);
  // What a run that stopped after its first transaction leaves behind.
  ASSERT_TRUE(ts_->db()
                  .Execute(absl::StrCat(
                      "UPDATE campaign SET responses_removed_at = 1 WHERE id = '", kept, "'"))
                  .ok());
  v1::ApplyRetentionResponse run;
  ASSERT_TRUE(Apply("admin", false, &run).ok());
  EXPECT_EQ(OutcomeOf(run, kept), "removed");
  EXPECT_EQ(Responses(kept), 0);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT responses_removal_done FROM campaign WHERE id = '", kept,
                                "'")),
            "1");
}

TEST_F(RetentionTest, OnlyAdmins) {
  const std::string old = ClosedCustomer(MonthsAgo(30), 5);
  for (const char* who : {"hr", "manager:AS", "employee:E1"}) {
    v1::ApplyRetentionResponse out;
    EXPECT_EQ(Apply(who, false, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;
  }
  EXPECT_EQ(Responses(old), 5);
  EXPECT_EQ(RemovalRecords(), 0);
}

}  // namespace
}  // namespace survey::testing
