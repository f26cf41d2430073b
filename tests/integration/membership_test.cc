// Frozen membership and audited organisation changes (issue 12, channel 5),
// against the real server and MariaDB.
//
// The attack: a manager reads their department's closed figure and its
// comments, HR moves one employee out with an ordinary org import, the
// manager reads again and subtracts: the moved employee's answers and
// comments fall out, though they were too few to be shown on their own.
// Reports must group each campaign by the membership frozen when it opened,
// and every org import and deactivation must leave an audit record.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "integration/survey_fixture.h"
#include "store/mysql/migrations.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

// Everything a manager of AS can read about the department for one month,
// as text: the department view (department and employees), the department
// as a subject, its CSV export and its comments (sorted: they come
// shuffled).
struct ManagerView {
  std::string department_view, subject_view, export_csv;
  std::vector<std::string> comments;
  v1::Suppression comments_suppression = v1::SUPPRESSION_NONE;
  int64_t responses = 0;
  double total = 0;

  bool operator==(const ManagerView&) const = default;
};

class MembershipTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    report_ = v1::ReportService::NewStub(ts_->channel());
    // AS: E1, E2, A3 (the one HR will move); CS: E3, E4.
    ASSERT_TRUE(Import({Employee("A3", "AS")}).ok());
  }

  static v1::Employee Employee(const std::string& no, const std::string& dept) {
    v1::Employee e;
    e.set_employee_no(no);
    e.set_name("员工" + no);
    e.set_department_code(dept);
    e.set_post_type(v1::POST_TYPE_OTHER);
    e.set_position(v1::POSITION_AFTER_SALES_ENGINEER);
    return e;
  }

  grpc::Status Import(const std::vector<v1::Employee>& employees) {
    v1::ImportOrgRequest req;
    for (const v1::Employee& e : employees) *req.add_employees() = e;
    v1::ImportOrgResponse out;
    return admin_->ImportOrg(TestServer::Context("hr").get(), req, &out);
  }

  // `n` answers about `employee`, each all `score` with a comment.
  void Answer(const std::string& campaign, const std::string& employee, int n, int score) {
    std::vector<std::string> tokens = Issue(campaign, std::vector<std::string>(n, employee));
    for (size_t i = 0; i < tokens.size(); ++i) {
      grpc::Status s = Submit(tokens[i], Scores(score), {},
                              employee + " comment " + std::to_string(i));
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  ManagerView Read(const std::string& as, const std::string& dept) {
    ManagerView v;
    v1::PeriodRange month;
    month.set_month("2026-11");
    v1::DepartmentReportRequest dreq;
    dreq.set_department_code(dept);
    *dreq.mutable_range() = month;
    v1::DepartmentReport d;
    grpc::Status s = report_->GetDepartmentReport(TestServer::Context(as).get(), dreq, &d);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v.department_view = d.DebugString();
    v.responses = static_cast<int64_t>(d.department().responses().value());
    v.total = d.department().total().value();

    v1::SubjectReportRequest sreq;
    sreq.mutable_subject()->set_department_code(dept);
    *sreq.mutable_range() = month;
    v1::SubjectReport subject;
    s = report_->GetSubjectReport(TestServer::Context(as).get(), sreq, &subject);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v.subject_view = subject.DebugString();

    v1::ExportReportRequest ereq;
    *ereq.mutable_department() = dreq;
    auto ctx = TestServer::Context(as);
    auto reader = report_->ExportReport(ctx.get(), ereq);
    v1::ExportChunk chunk;
    while (reader->Read(&chunk)) v.export_csv += chunk.data();
    s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();

    v1::CommentsRequest creq;
    creq.mutable_subject()->set_department_code(dept);
    *creq.mutable_range() = month;
    v1::CommentsResponse comments;
    s = report_->GetComments(TestServer::Context(as).get(), creq, &comments);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v.comments.assign(comments.comments().begin(), comments.comments().end());
    std::sort(v.comments.begin(), v.comments.end());
    v.comments_suppression = comments.suppression();
    return v;
  }

  std::vector<v1::AuditRecord> Audit(const std::string& action) {
    v1::ListAuditRequest req;
    req.set_action(action);
    v1::ListAuditResponse out;
    grpc::Status s = admin_->ListAudit(TestServer::Context("admin").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.records().begin(), out.records().end()};
  }

  std::unique_ptr<v1::ReportService::Stub> report_;
};

TEST_F(MembershipTest, MovingAnEmployeeChangesNoClosedFigure) {
  std::string c = CustomerCampaign();
  // AS: 13 answers and 13 comments (comment threshold 10). A3 has 2: too
  // few to be shown on their own, as figure or as comments.
  Answer(c, "E1", 6, 8);
  Answer(c, "E2", 5, 7);
  Answer(c, "A3", 2, 2);
  Answer(c, "E3", 5, 9);
  ASSERT_TRUE(Transition(c, false).ok());

  const ManagerView as = Read("manager:AS", "AS");
  const ManagerView cs = Read("manager:CS", "CS");
  ASSERT_EQ(as.responses, 13);
  ASSERT_EQ(as.comments.size(), 13u);
  EXPECT_EQ(as.comments_suppression, v1::SUPPRESSION_NONE);
  ASSERT_EQ(cs.responses, 5);

  // HR moves A3 to CS with an ordinary import: the manager reads again.
  ASSERT_TRUE(Import({Employee("A3", "CS")}).ok());
  const ManagerView as_after = Read("manager:AS", "AS");
  EXPECT_EQ(as_after.responses, 13);
  EXPECT_EQ(as_after.comments.size(), 13u);
  EXPECT_EQ(as_after.total, as.total);
  EXPECT_TRUE(as_after == as) << "before:\n" << as.department_view << as.export_csv
                              << "\nafter the move:\n" << as_after.department_view
                              << as_after.export_csv;
  // Nor does the department A3 moved to gain their July answers.
  EXPECT_TRUE(Read("manager:CS", "CS") == cs);
  // HR's organisation view agrees. It is read here for the first time, so
  // it does not come from the server's cache of closed campaigns: the
  // membership is read from the database after the move.
  v1::OrganisationReportRequest oreq;
  oreq.mutable_range()->set_month("2026-11");
  v1::OrganisationReport org;
  ASSERT_TRUE(report_->GetOrganisationReport(TestServer::Context("hr").get(), oreq, &org).ok());
  for (const v1::RankedSubject& d : org.departments()) {
    if (d.subject().department_code() == "AS") {
      EXPECT_EQ(d.figures().responses().value(), 13);
    } else if (d.subject().department_code() == "CS") {
      EXPECT_EQ(d.figures().responses().value(), 5);
    }
  }

  // And back: still the same.
  ASSERT_TRUE(Import({Employee("A3", "AS")}).ok());
  EXPECT_TRUE(Read("manager:AS", "AS") == as);
  EXPECT_TRUE(Read("manager:CS", "CS") == cs);

  // The move and the move back are on record, with before and after.
  std::vector<v1::AuditRecord> imports = Audit("org.import");
  ASSERT_GE(imports.size(), 3u);  // the set-up's, A3 out, A3 back
  const v1::AuditRecord& out = imports[imports.size() - 2];
  const v1::AuditRecord& back = imports.back();
  EXPECT_EQ(out.principal_role(), "hr");
  EXPECT_EQ(out.target(), "org");
  nlohmann::json out_before = nlohmann::json::parse(out.before_json());
  nlohmann::json out_after = nlohmann::json::parse(out.after_json());
  EXPECT_EQ(out_before["employees"]["A3"]["department_code"], "AS");
  EXPECT_EQ(out_after["employees"]["A3"]["department_code"], "CS");
  EXPECT_EQ(out_after["employees"].size(), 1u) << "only what changed";
  EXPECT_EQ(nlohmann::json::parse(back.before_json())["employees"]["A3"]["department_code"],
            "CS");
  EXPECT_EQ(nlohmann::json::parse(back.after_json())["employees"]["A3"]["department_code"],
            "AS");
  EXPECT_GT(back.at_unix_micros(), 0);
}

TEST_F(MembershipTest, AnEmployeeWhoJoinsAfterOpeningIsFrozenAtTheirFirstInvitation) {
  std::string c = CustomerCampaign();
  Answer(c, "E1", 5, 8);
  ASSERT_TRUE(Import({Employee("N1", "AS")}).ok());  // hired after the campaign opened
  Answer(c, "N1", 5, 6);
  ASSERT_TRUE(Transition(c, false).ok());
  const ManagerView as = Read("manager:AS", "AS");
  ASSERT_EQ(as.responses, 10);
  ASSERT_TRUE(Import({Employee("N1", "CS")}).ok());
  EXPECT_TRUE(Read("manager:AS", "AS") == as);
  EXPECT_EQ(Scalar("SELECT department_code FROM campaign_member WHERE employee_no = 'N1'"),
            "AS");
  // The employee's own figure follows them as a person, whoever manages
  // them now: CS's manager may read it, and it is the same figure.
  v1::SubjectReportRequest req;
  req.mutable_subject()->set_employee_no("N1");
  req.mutable_range()->set_month("2026-11");
  v1::SubjectReport mine;
  ASSERT_TRUE(report_->GetSubjectReport(TestServer::Context("manager:CS").get(), req, &mine).ok());
  EXPECT_EQ(mine.figures().responses().value(), 5);
  EXPECT_EQ(mine.figures().total().suppression(), v1::SUPPRESSION_NONE);
  EXPECT_NEAR(mine.figures().total().value(), 60.0, 1e-9);
}

TEST_F(MembershipTest, DeactivationsAreAuditedOnceWithBeforeAndAfter) {
  ASSERT_TRUE(Import({Employee("X9", "TS")}).ok());
  v1::DeactivateRequest req;
  req.set_employee_no("X9");
  v1::DeactivateResponse out;
  ASSERT_TRUE(admin_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());
  ASSERT_TRUE(admin_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());  // no-op
  std::vector<v1::AuditRecord> records = Audit("org.deactivate");
  ASSERT_EQ(records.size(), 1u) << "a deactivation that changes nothing records nothing";
  EXPECT_EQ(records[0].target(), "employee:X9");
  EXPECT_EQ(records[0].principal_role(), "hr");
  nlohmann::json before = nlohmann::json::parse(records[0].before_json());
  nlohmann::json after = nlohmann::json::parse(records[0].after_json());
  EXPECT_EQ(before["active"], true);
  EXPECT_EQ(after["active"], false);
  EXPECT_EQ(after["department_code"], "TS");

  // A department: its employees first, then the department itself.
  req.set_employee_no("E5");
  ASSERT_TRUE(admin_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());
  req.set_department_code("TS");
  ASSERT_TRUE(admin_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());
  records = Audit("org.deactivate");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].target(), "department:TS");
  EXPECT_EQ(nlohmann::json::parse(records[2].before_json())["active"], true);
  EXPECT_EQ(nlohmann::json::parse(records[2].after_json())["active"], false);

  // The first import is on record too (created: before is null), and an
  // import that changes nothing adds no record.
  std::vector<v1::AuditRecord> imports = Audit("org.import");
  const size_t n = imports.size();
  nlohmann::json created = nlohmann::json::parse(imports[0].before_json());
  EXPECT_TRUE(created["departments"]["AS"].is_null());
  EXPECT_EQ(nlohmann::json::parse(imports[0].after_json())["departments"]["AS"]["name"],
            "售后服务部");
  ASSERT_TRUE(Import({Employee("A3", "AS")}).ok());
  EXPECT_EQ(Audit("org.import").size(), n);
  // The chain still verifies.
  v1::VerifyAuditRequest vreq;
  v1::VerifyAuditResponse verdict;
  ASSERT_TRUE(admin_->VerifyAudit(TestServer::Context("admin").get(), vreq, &verdict).ok());
  EXPECT_TRUE(verdict.intact()) << verdict.ShortDebugString();
}

TEST_F(MembershipTest, MigrationGivesOpenedCampaignsTheOrganisationAsItStands) {
  std::string closed = CustomerCampaign();
  ASSERT_TRUE(Transition(closed, false).ok());
  std::string draft = CustomerCampaign(/*open=*/false);
  // A database from before migration 008: no membership at all.
  ASSERT_TRUE(ts_->db().Execute("DELETE FROM campaign_member").ok());
  // (Later migrations are re-runnable and go again with it.)
  ASSERT_TRUE(ts_->db().Execute("DELETE FROM schema_version WHERE version >= 8").ok());
  absl::StatusOr<store::mysql::MigrationResult> migrated =
      store::mysql::Migrate(ts_->db().config(), store::mysql::EmbeddedMigrations());
  ASSERT_TRUE(migrated.ok()) << migrated.status();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM campaign_member WHERE campaign_id = '" + closed + "'"),
            Scalar("SELECT COUNT(*) FROM employee"));
  EXPECT_EQ(Scalar("SELECT department_code FROM campaign_member WHERE employee_no = 'A3'"),
            "AS");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM campaign_member WHERE campaign_id = '" + draft + "'"),
            "0");
  // The draft gets its own when it opens.
  ASSERT_TRUE(Transition(draft, true).ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM campaign_member WHERE campaign_id = '" + draft + "'"),
            Scalar("SELECT COUNT(*) FROM employee"));
}

}  // namespace
}  // namespace survey::testing
