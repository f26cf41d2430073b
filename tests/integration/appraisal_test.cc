// AppraisalService against the real server and MariaDB: the satisfaction
// push (means, window, insufficient responses, idempotence, replacement,
// an interrupted push), sheets and their roles, and the audit trail.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/appraisal_service.h"
#include "integration/survey_fixture.h"
#include "survey/v1/appraisal.grpc.pb.h"

namespace survey::testing {
namespace {

class AppraisalTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
  }
  void TearDown() override { api::SetPushFaultForTesting(nullptr); }

  // An opened customer-satisfaction campaign for `period`.
  std::string Customer(const std::string& period) {
    v1::CreateCampaignRequest req;
    req.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
    req.mutable_campaign()->set_period(period);
    req.mutable_campaign()->set_template_key("default");
    v1::Campaign out;
    grpc::Status s = admin_->CreateCampaign(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(Transition(out.id(), true).ok());
    return out.id();
  }

  // `n` answers about `employee`, every sub-indicator `score` (total 10 x score).
  void Answer(const std::string& campaign, const std::string& employee, int n, int score) {
    if (n == 0) return;
    for (const std::string& t : Issue(campaign, std::vector<std::string>(n, employee))) {
      grpc::Status s = Submit(t, Scores(score));
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  void Close(const std::string& campaign) { ASSERT_TRUE(Transition(campaign, false).ok()); }

  grpc::Status Push(const std::string& as, v1::PushSatisfactionResponse* out,
                    const std::string& period = "2026-11") {
    v1::PushSatisfactionRequest req;
    req.set_period(period);
    return appraisal_->PushSatisfaction(TestServer::Context(as).get(), req, out);
  }

  grpc::Status Sheet(const std::string& as, const std::string& no, v1::Sheet* out,
                     const std::string& period = "2026-11") {
    v1::GetSheetRequest req;
    req.set_employee_no(no);
    req.set_period(period);
    return appraisal_->GetSheet(TestServer::Context(as).get(), req, out);
  }

  grpc::Status Update(const std::string& as, const std::string& no,
                      const std::vector<v1::SheetLine>& lines, v1::Sheet* out = nullptr) {
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no(no);
    req.set_period("2026-11");
    for (const auto& l : lines) *req.add_lines() = l;
    v1::Sheet ignored;
    return appraisal_->UpdateSheetLines(TestServer::Context(as).get(), req,
                                        out ? out : &ignored);
  }

  static v1::SheetLine Line(v1::SheetSection section, double weight, double reviewer) {
    v1::SheetLine l;
    l.set_section(section);
    l.set_title("line");
    l.set_weight_percent(weight);
    l.set_reviewer_score(reviewer);
    return l;
  }

  static const v1::SheetLine* SatisfactionLine(const v1::Sheet& s) {
    for (const auto& l : s.lines()) {
      if (l.satisfaction()) return &l;
    }
    return nullptr;
  }

  int Count(const std::string& where) {
    return std::stoi(Scalar("SELECT COUNT(*) FROM audit_log WHERE " + where));
  }

  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
};

bool HasFlag(const v1::Sheet& s, const std::string& prefix) {
  return std::any_of(s.flags().begin(), s.flags().end(),
                     [&](const std::string& f) { return f.rfind(prefix, 0) == 0; });
}

TEST_F(AppraisalTest, PushWritesTheMeanAndIsIdempotent) {
  std::string c = Customer("2026-11");
  // E1: totals 80, 80, 80, 80, 100 -> mean 420 / 5 = 84; sd sqrt(80) = 8.944;
  // CI 84 -/+ 2.7764 x sqrt(80) / sqrt(5) = 84 -/+ 11.1056.
  Answer(c, "E1", 4, 8);
  Answer(c, "E1", 1, 10);
  // 2 < k = 5 and no earlier months: insufficient. (In CS: the same 2
  // answers about E2 would hide E1's 5 as their complement, as in the
  // reports, or AS's figure minus E1's line would give them away.)
  Answer(c, "E3", 2, 9);
  Close(c);

  v1::PushSatisfactionResponse r;
  ASSERT_TRUE(Push("hr", &r).ok());
  EXPECT_EQ(r.sheets_written(), 5);  // E1..E5, every active employee
  EXPECT_EQ(r.sheets_unchanged(), 0);
  EXPECT_EQ(r.insufficient(), 4);
  EXPECT_EQ(r.departments_written(), 3);  // no cross-evaluation: insufficient

  v1::Sheet s;
  ASSERT_TRUE(Sheet("hr", "E1", &s).ok());
  const v1::SheetLine* line = SatisfactionLine(s);
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->section(), v1::SHEET_SECTION_KPI);
  EXPECT_DOUBLE_EQ(line->weight_percent(), 20);
  ASSERT_TRUE(line->has_reviewer_score());
  EXPECT_NEAR(line->reviewer_score(), 84.0, 1e-9);
  const v1::Provenance& p = line->provenance();
  EXPECT_EQ(p.responses(), 5);
  EXPECT_NEAR(p.mean(), 84.0, 1e-9);
  EXPECT_NEAR(p.stddev(), std::sqrt(80.0), 1e-9);
  EXPECT_NEAR(p.ci95().low(), 84 - 2.7764 * 4.0, 1e-3);
  EXPECT_NEAR(p.ci95().high(), 84 + 2.7764 * 4.0, 1e-3);
  ASSERT_EQ(p.campaign_ids_size(), 1);
  EXPECT_EQ(p.campaign_ids(0), c);
  ASSERT_EQ(p.periods_size(), 1);
  EXPECT_EQ(p.periods(0), "2026-11");
  EXPECT_FALSE(p.insufficient_responses());

  v1::Sheet e2;
  ASSERT_TRUE(Sheet("hr", "E3", &e2).ok());
  ASSERT_NE(SatisfactionLine(e2), nullptr);
  EXPECT_FALSE(SatisfactionLine(e2)->has_reviewer_score());  // never shown < k
  EXPECT_TRUE(SatisfactionLine(e2)->provenance().insufficient_responses());
  // The count is participation: the 2 answers exist, none is shown.
  EXPECT_EQ(SatisfactionLine(e2)->provenance().responses(), 2);
  // The window widened over the 3 earlier months, all empty.
  EXPECT_EQ(SatisfactionLine(e2)->provenance().periods_size(), 4);
  EXPECT_TRUE(HasFlag(e2, "satisfaction_insufficient_responses"));

  int pushes = Count("action = 'appraisal.push' AND target LIKE 'sheet:%'");
  EXPECT_EQ(pushes, 5);
  // The 5 records of one batch were chained in one append: the chain holds.
  v1::VerifyAuditRequest vreq;
  v1::VerifyAuditResponse verdict;
  ASSERT_TRUE(admin_->VerifyAudit(TestServer::Context("admin").get(), vreq, &verdict).ok());
  EXPECT_TRUE(verdict.intact()) << verdict.ShortDebugString();
  EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT seq) FROM audit_log WHERE action = 'appraisal.push'"),
            "8");  // 5 sheets + 3 departments
  // Same inputs: nothing written, nothing recorded.
  v1::PushSatisfactionResponse again;
  ASSERT_TRUE(Push("hr", &again).ok());
  EXPECT_EQ(again.sheets_written(), 0);
  EXPECT_EQ(again.sheets_unchanged(), 5);
  EXPECT_EQ(again.departments_written(), 0);
  EXPECT_EQ(again.departments_unchanged(), 3);
  EXPECT_EQ(Count("action = 'appraisal.push'"), pushes + 3);

  // A newly closed campaign with more answers replaces E1's line.
  std::string c2 = Customer("2026-11");
  Answer(c2, "E1", 5, 10);
  Close(c2);
  v1::PushSatisfactionResponse later;
  ASSERT_TRUE(Push("hr", &later).ok());
  EXPECT_EQ(later.sheets_written(), 1);
  EXPECT_EQ(later.sheets_unchanged(), 4);
  ASSERT_TRUE(Sheet("hr", "E1", &s).ok());
  line = SatisfactionLine(s);
  ASSERT_NE(line, nullptr);
  // (420 + 5 x 100) / 10 = 92
  EXPECT_NEAR(line->reviewer_score(), 92.0, 1e-9);
  EXPECT_EQ(line->provenance().responses(), 10);
  EXPECT_EQ(line->provenance().campaign_ids_size(), 2);
  // The history keeps both pushes, before and after.
  v1::GetSheetRequest hreq;
  hreq.set_employee_no("E1");
  hreq.set_period("2026-11");
  v1::SheetHistory h;
  ASSERT_TRUE(appraisal_->GetSheetHistory(TestServer::Context("employee:E1").get(), hreq, &h).ok());
  ASSERT_EQ(h.changes_size(), 2);
  EXPECT_EQ(h.changes(0).what(), "appraisal.push");
  EXPECT_EQ(h.changes(0).before(), "");
  EXPECT_NE(h.changes(1).before().find("\"mean\":84"), std::string::npos) << h.changes(1).before();
  EXPECT_NE(h.changes(1).after().find("\"mean\":92"), std::string::npos);
  EXPECT_EQ(h.changes(1).who(), h.changes(0).who());
}

TEST_F(AppraisalTest, WindowWidensAndInsufficientRenormalises) {
  std::string sep = Customer("2026-09");
  Answer(sep, "E1", 5, 6);  // totals 60: released on its own
  // (An answer about E2 in September would hide E1's 5 too: complementary
  // suppression among AS's employees, as in the reports.)
  Close(sep);
  std::string nov = Customer("2026-11");
  Answer(nov, "E1", 2, 9);  // totals 90: hidden (2 < 5)
  Answer(nov, "E2", 1, 9);
  Close(nov);
  // Both sheets: a KPI line (80 %, reviewer 70) and a behaviour line
  // (100 %, reviewer 60); work goals empty, so section 1 takes the 80 %.
  for (const char* no : {"E1", "E2"}) {
    ASSERT_TRUE(Update("hr", no, {Line(v1::SHEET_SECTION_KPI, 80, 70),
                                  Line(v1::SHEET_SECTION_BEHAVIOUR, 100, 60)})
                    .ok());
  }
  v1::PushSatisfactionResponse r;
  ASSERT_TRUE(Push("hr", &r).ok());

  // E1: November's 2 answers are withheld; the window widens back to
  // September, whose 5 answers are released -> n = 5, mean 60. November's
  // answers are NOT added (5 + 2 minus September's figure would give them
  // away).
  v1::Sheet s;
  ASSERT_TRUE(Sheet("manager:AS", "E1", &s).ok());
  const v1::SheetLine* line = SatisfactionLine(s);
  ASSERT_NE(line, nullptr);
  EXPECT_NEAR(line->reviewer_score(), 60.0, 1e-9);
  EXPECT_EQ(line->provenance().responses(), 5);
  ASSERT_EQ(line->provenance().periods_size(), 3);
  EXPECT_EQ(line->provenance().periods(0), "2026-09");
  EXPECT_EQ(line->provenance().periods(2), "2026-11");
  // KPI = (20 x 60 + 80 x 70) / 100 = 68; sheet = 0.8 x 68 + 0.2 x 60 = 66.4
  ASSERT_TRUE(s.scored()) << (s.flags_size() ? s.flags(0) : "");
  EXPECT_NEAR(s.score(), 66.4, 1e-9);
  EXPECT_NEAR(s.coefficient(), 0.664, 1e-12);

  // E2: only November's 1 answer, withheld: insufficient; the KPI section is
  // renormalised over the 80 % line: KPI = 70; sheet = 0.8 x 70 + 0.2 x 60 = 68.
  ASSERT_TRUE(Sheet("hr", "E2", &s).ok());
  ASSERT_NE(SatisfactionLine(s), nullptr);
  EXPECT_TRUE(SatisfactionLine(s)->provenance().insufficient_responses());
  EXPECT_FALSE(SatisfactionLine(s)->counted());
  ASSERT_TRUE(s.scored());
  EXPECT_NEAR(s.score(), 68.0, 1e-9);
  EXPECT_TRUE(HasFlag(s, "renormalised"));
}

TEST_F(AppraisalTest, InterruptedPushLeavesEachSheetWholeAndRerunFinishes) {
  std::string c = Customer("2026-11");
  for (const char* no : {"E1", "E2", "E3", "E4", "E5"}) Answer(c, no, 5, 8);
  Close(c);
  api::SetPushFaultForTesting([](int done) {
    return done == 2 ? absl::UnavailableError("killed") : absl::OkStatus();
  });
  v1::PushSatisfactionResponse r;
  grpc::Status s = Push("hr", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  // E1 and E2 (employee-number order) are pushed; E3..E5 untouched.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM appraisal_line WHERE satisfaction = 1"), "2");
  EXPECT_EQ(Scalar("SELECT GROUP_CONCAT(employee_no ORDER BY employee_no) FROM"
                   " appraisal_sheet"),
            "E1,E2");
  EXPECT_EQ(Count("action = 'appraisal.push'"), 2);
  api::SetPushFaultForTesting(nullptr);
  ASSERT_TRUE(Push("hr", &r).ok());
  EXPECT_EQ(r.sheets_written(), 3);
  EXPECT_EQ(r.sheets_unchanged(), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM appraisal_line WHERE satisfaction = 1"), "5");
  EXPECT_EQ(Scalar("SELECT MIN(reviewer_score) = 80 AND MAX(reviewer_score) = 80"
                   " FROM appraisal_line WHERE satisfaction = 1"),
            "1");
}

TEST_F(AppraisalTest, RolesAndStates) {
  v1::Sheet s;
  // GetSheet: own, own department, HR.
  EXPECT_TRUE(Sheet("employee:E1", "E1", &s).ok());
  EXPECT_EQ(s.state(), v1::SHEET_STATE_DRAFT);
  EXPECT_EQ(Sheet("employee:E2", "E1", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Sheet("manager:AS", "E1", &s).ok());
  EXPECT_EQ(Sheet("manager:CS", "E1", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Sheet("manager:CS", "NOPE", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Sheet("hr", "NOPE", &s).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Sheet("", "E1", &s).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // The sheet was created once, on first access, and recorded.
  EXPECT_EQ(Count("action = 'appraisal.change' AND target = 'sheet:E1/2026-11'"), 1);

  // Push: HR only.
  v1::PushSatisfactionResponse r;
  EXPECT_EQ(Push("manager:AS", &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Push("employee:E1", &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Push("hr", &r).ok());

  // UpdateSheetLines: the manager adds lines in their department only.
  EXPECT_EQ(Update("manager:CS", "E1", {Line(v1::SHEET_SECTION_KPI, 80, 70)}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Update("manager:AS", "E1", {Line(v1::SHEET_SECTION_KPI, 80, 70),
                                          Line(v1::SHEET_SECTION_BEHAVIOUR, 100, 60)},
                     &s)
                  .ok());
  ASSERT_EQ(s.lines_size(), 3);  // satisfaction (insufficient) + 2
  std::string kpi_id = s.lines(1).id();
  // The employee gives a self score, nothing else.
  v1::SheetLine self;
  self.set_id(kpi_id);
  self.set_self_score(95);
  ASSERT_TRUE(Update("employee:E1", "E1", {self}, &s).ok());
  EXPECT_DOUBLE_EQ(s.lines(1).self_score(), 95);
  EXPECT_DOUBLE_EQ(s.lines(1).reviewer_score(), 70);
  EXPECT_EQ(Update("employee:E1", "E1", {Line(v1::SHEET_SECTION_BONUS, 0, 0)}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Update("employee:E2", "E1", {self}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The manager's change keeps the employee's self score.
  v1::SheetLine review = Line(v1::SHEET_SECTION_KPI, 80, 75);
  review.set_id(kpi_id);
  review.set_self_score(10);
  ASSERT_TRUE(Update("manager:AS", "E1", {review}, &s).ok());
  EXPECT_DOUBLE_EQ(s.lines(1).self_score(), 95);
  EXPECT_DOUBLE_EQ(s.lines(1).reviewer_score(), 75);
  // Nobody edits the satisfaction line.
  v1::SheetLine sat = Line(v1::SHEET_SECTION_KPI, 20, 100);
  sat.set_id(s.lines(0).id());
  EXPECT_EQ(Update("hr", "E1", {sat}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Out-of-range score names the field.
  grpc::Status bad = Update("hr", "E1", {Line(v1::SHEET_SECTION_KPI, 80, 170)});
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("lines[0].reviewer_score"), std::string::npos);

  // Submitted (scorable: the insufficient line is renormalised away), the
  // lines are frozen for everyone; the employee cannot submit.
  v1::TransitionSheetRequest t;
  t.set_employee_no("E1");
  t.set_period("2026-11");
  t.set_to(v1::SHEET_STATE_SUBMITTED);
  EXPECT_EQ(appraisal_->TransitionSheet(TestServer::Context("employee:E1").get(), t, &s)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(appraisal_->TransitionSheet(TestServer::Context("manager:AS").get(), t, &s).ok());
  EXPECT_EQ(s.state(), v1::SHEET_STATE_SUBMITTED);
  EXPECT_EQ(Update("employee:E1", "E1", {self}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Update("hr", "E1", {review}).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // An invalid move.
  t.set_to(v1::SHEET_STATE_FINAL);
  EXPECT_EQ(appraisal_->TransitionSheet(TestServer::Context("hr").get(), t, &s).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A push leaves the submitted sheet alone.
  ASSERT_TRUE(Push("hr", &r).ok());
  EXPECT_EQ(r.sheets_skipped_not_draft(), 1);
  // Every change was recorded in the audit log with before and after.
  EXPECT_GE(Count("action = 'appraisal.change' AND target = 'sheet:E1/2026-11'"
                  " AND after_json LIKE '%submitted%'"),
            1);
}

TEST_F(AppraisalTest, ConfigCarriesForwardAndIsHrOnly) {
  v1::GetPeriodConfigRequest get;
  get.set_period("2026-11");
  v1::PeriodConfig c;
  ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &c).ok());
  EXPECT_EQ(c.anonymity_k(), 5);
  EXPECT_EQ(c.satisfaction_weight_percent(), 20);
  EXPECT_EQ(appraisal_->GetPeriodConfig(TestServer::Context("manager:AS").get(), get, &c)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  c.set_period("2026-10");
  c.set_anonymity_k(3);
  v1::PeriodConfig out;
  EXPECT_EQ(appraisal_->SetPeriodConfig(TestServer::Context("employee:E1").get(), c, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out).ok());
  ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &c).ok());
  EXPECT_EQ(c.anonymity_k(), 3);  // 2026-10's carried forward
  c.set_anonymity_k(2);
  EXPECT_EQ(appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Count("action = 'appraisal.change' AND target = 'config:2026-11'"), 0);
  EXPECT_EQ(Count("action = 'appraisal.change' AND target = 'config:2026-10'"), 1);
}

}  // namespace
}  // namespace survey::testing
