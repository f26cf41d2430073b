// AppraisalService results against the real server and MariaDB, on a clock
// the test moves: appeal deadlines over a weekend and a holiday, an appeal
// filed and resolved, pay and monthly flags, late sheets, the sheet export,
// annual grading (units, pooling, two-year flags, bonus) and quarterly
// scores. Every expected figure is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/appraisal.grpc.pb.h"

namespace survey::testing {
namespace {

bool HasFlag(const v1::Sheet& s, const std::string& flag) {
  return std::find(s.flags().begin(), s.flags().end(), flag) != s.flags().end();
}

// The company's time zone: the server's default --time-zone.
absl::TimeZone Company() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

int64_t LocalUnix(int y, int m, int d, int h = 12) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), Company()));
}

int64_t UtcUnix(int y, int m, int d, int h) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), absl::UTCTimeZone()));
}

class AppraisalResultsTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer("Asia/Shanghai"); }

  void StartServer(const std::string& time_zone) {
    ts_.reset();
    api::ServerOptions options;
    options.time_zone = time_zone;
    options.appraisal_clock = [this] { return now_.load(); };
    auto ts = TestServer::Start(options);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    admin_ = v1::AdminService::NewStub(ts_->channel());
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
  }

  // Departments AS (E1, E2), CS (E3, E4), TS (E5), and with `big` BIG
  // (G01..G20, managed by G20), SMALL (S1..S3) and N1 in TS.
  void ImportOrg(bool big) {
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
    dept("AS", "");
    dept("CS", "");
    dept("TS", "");
    for (const char* no : {"E1", "E2"}) emp(no, "AS");
    for (const char* no : {"E3", "E4"}) emp(no, "CS");
    emp("E5", "TS");
    if (big) {
      dept("BIG", "G20");
      dept("SMALL", "");
      for (int i = 1; i <= 20; ++i) emp(absl::StrFormat("G%02d", i), "BIG");
      for (const char* no : {"S1", "S2", "S3"}) emp(no, "SMALL");
      emp("N1", "TS");
    }
    v1::ImportOrgResponse out;
    grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A sheet whose score is `score`: one KPI line and one behaviour line,
  // both reviewed at `score` (an "other" post: 80 % + 20 % of the same).
  void MakeSheet(const std::string& no, const std::string& period, double score) {
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no(no);
    req.set_period(period);
    for (auto section : {v1::SHEET_SECTION_KPI, v1::SHEET_SECTION_BEHAVIOUR}) {
      v1::SheetLine* l = req.add_lines();
      l->set_section(section);
      l->set_title("line");
      l->set_weight_percent(100);
      l->set_reviewer_score(score);
    }
    v1::Sheet out;
    grpc::Status s = appraisal_->UpdateSheetLines(TestServer::Context("hr").get(), req, &out);
    ASSERT_TRUE(s.ok()) << no << " " << s.error_message();
    ASSERT_TRUE(out.scored()) << no;
    ASSERT_DOUBLE_EQ(out.score(), score);
  }

  grpc::Status Move(const std::string& as, const std::string& no, const std::string& period,
                    v1::SheetState to, v1::Sheet* out = nullptr) {
    v1::TransitionSheetRequest req;
    req.set_employee_no(no);
    req.set_period(period);
    req.set_to(to);
    v1::Sheet ignored;
    return appraisal_->TransitionSheet(TestServer::Context(as).get(), req, out ? out : &ignored);
  }

  // draft -> submitted -> confirmed -> appeal_window (released now).
  void Release(const std::string& no, const std::string& dept, const std::string& period) {
    ASSERT_TRUE(Move("manager:" + dept, no, period, v1::SHEET_STATE_SUBMITTED).ok());
    ASSERT_TRUE(Move("employee:" + no, no, period, v1::SHEET_STATE_CONFIRMED).ok());
    grpc::Status s = Move("hr", no, period, v1::SHEET_STATE_APPEAL_WINDOW);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Sheet Sheet(const std::string& no, const std::string& period) {
    v1::GetSheetRequest req;
    req.set_employee_no(no);
    req.set_period(period);
    v1::Sheet out;
    grpc::Status s = appraisal_->GetSheet(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status File(const std::string& as, const std::string& no, const std::string& reason,
                    v1::Appeal* out) {
    v1::FileAppealRequest req;
    req.set_employee_no(no);
    req.set_period("2026-10");
    req.set_reason(reason);
    return appraisal_->FileAppeal(TestServer::Context(as).get(), req, out);
  }

  grpc::Status Resolve(const std::string& as, const std::string& id, bool accept, double score,
                       v1::Appeal* out) {
    v1::ResolveAppealRequest req;
    req.set_appeal_id(id);
    req.set_accept(accept);
    req.set_new_score(score);
    req.set_resolution("复核属实 / verified against the tickets");
    return appraisal_->ResolveAppeal(TestServer::Context(as).get(), req, out);
  }

  int Appeals(const std::string& as) {
    v1::ListAppealsRequest req;
    v1::ListAppealsResponse out;
    grpc::Status s = appraisal_->ListAppeals(TestServer::Context(as).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.appeals_size();
  }

  void SetCaps(const std::string& period, const std::map<std::string, double>& caps) {
    v1::GetPeriodConfigRequest get;
    get.set_period(period);
    v1::PeriodConfig c;
    ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &c).ok());
    for (const auto& [k, v] : caps) (*c.mutable_performance_caps())[k] = v;
    v1::PeriodConfig out;
    grpc::Status s = appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Grade(const std::string& as, const std::string& year, bool dry_run,
                     v1::AnnualGradingResult* out, const std::string& pooling = "") {
    v1::RunAnnualGradingRequest req;
    req.set_year(year);
    req.set_pooling(pooling);
    req.set_completion_rate_percent(105);
    req.set_bonus_factor(1.5);
    req.set_dry_run(dry_run);
    return appraisal_->RunAnnualGrading(TestServer::Context(as).get(), req, out);
  }

  std::atomic<int64_t> now_{LocalUnix(2026, 11, 5)};
  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
};

TEST_F(AppraisalResultsTest, AppealDeadlineSkipsTheWeekendAndAHolidayAndAppealResolves) {
  ImportOrg(false);
  // HR's calendar: Monday 2026-11-09 is a holiday.
  v1::SetHolidaysRequest h;
  h.set_year("2026");
  h.add_dates("2026-11-09");
  h.add_dates("2026-11-09");  // duplicates collapse
  v1::SetHolidaysResponse hr_out;
  EXPECT_EQ(appraisal_->SetHolidays(TestServer::Context("employee:E1").get(), h, &hr_out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(appraisal_->SetHolidays(TestServer::Context("hr").get(), h, &hr_out).ok());
  EXPECT_EQ(hr_out.dates_size(), 1);
  v1::SetHolidaysRequest bad = h;
  bad.add_dates("2027-01-01");  // not in 2026
  grpc::Status s = appraisal_->SetHolidays(TestServer::Context("hr").get(), bad, &hr_out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("dates[2]"), std::string::npos) << s.error_message();
  bad = h;
  bad.add_extra_working_days("2026-11-10");  // a Tuesday cannot be a make-up day
  EXPECT_EQ(appraisal_->SetHolidays(TestServer::Context("hr").get(), bad, &hr_out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetHolidaysRequest gh;
  gh.set_year("2026");
  ASSERT_TRUE(appraisal_->GetHolidays(TestServer::Context("employee:E2").get(), gh, &hr_out).ok());
  ASSERT_EQ(hr_out.dates_size(), 1);
  EXPECT_EQ(hr_out.dates(0), "2026-11-09");

  for (const char* no : {"E1", "E2", "E3"}) MakeSheet(no, "2026-10", 80);
  // Released on Thursday 2026-11-05. Working days after it: Fri 6 (1),
  // [Sat 7, Sun 8, holiday Mon 9], Tue 10 (2), Wed 11 (3), Thu 12 (4),
  // Fri 13 (5): the last day to appeal is 2026-11-13.
  Release("E1", "AS", "2026-10");
  Release("E2", "AS", "2026-10");
  Release("E3", "CS", "2026-10");
  v1::Sheet e1 = Sheet("E1", "2026-10");
  EXPECT_EQ(e1.state(), v1::SHEET_STATE_APPEAL_WINDOW);
  EXPECT_EQ(e1.appeal_deadline_unix(), LocalUnix(2026, 11, 14, 0) - 1);

  // Who may file: the employee (own sheet), HR; not a colleague, not the
  // manager.
  v1::Appeal a;
  EXPECT_EQ(File("employee:E2", "E1", "too low", &a).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(File("manager:AS", "E1", "too low", &a).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(File("employee:E1", "E1", "", &a).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(File("employee:E1", "E1", "客户投诉已撤回 / the complaint was withdrawn", &a).ok());
  EXPECT_EQ(a.state(), v1::APPEAL_STATE_OPEN);
  EXPECT_EQ(a.deadline(), "2026-11-13");
  EXPECT_DOUBLE_EQ(a.score_before(), 80);
  // A retried call returns the same appeal; a second one waits.
  v1::Appeal again;
  ASSERT_TRUE(File("employee:E1", "E1", "客户投诉已撤回 / the complaint was withdrawn", &again).ok());
  EXPECT_EQ(again.id(), a.id());
  EXPECT_EQ(File("employee:E1", "E1", "another", &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Lists: own, own department, HR.
  EXPECT_EQ(Appeals("employee:E1"), 1);
  EXPECT_EQ(Appeals("employee:E2"), 0);
  EXPECT_EQ(Appeals("manager:AS"), 1);
  EXPECT_EQ(Appeals("manager:CS"), 0);
  EXPECT_EQ(Appeals("hr"), 1);
  EXPECT_TRUE(HasFlag(Sheet("E1", "2026-10"), "appeal_open"));

  // The deadline day itself is in time (E3, Friday 13th, evening).
  now_ = LocalUnix(2026, 11, 13, 22);
  ASSERT_TRUE(File("employee:E3", "E3", "late data", &again).ok());
  // The next working day is too late (E2, Monday 16th).
  now_ = LocalUnix(2026, 11, 16);
  s = File("employee:E2", "E2", "too low", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("2026-11-13"), std::string::npos) << s.error_message();

  // The sheet with an open appeal cannot become final.
  EXPECT_EQ(Move("hr", "E1", "2026-10", v1::SHEET_STATE_FINAL).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // HR resolves: accepted with 88.
  v1::Appeal r;
  EXPECT_EQ(Resolve("employee:E1", a.id(), true, 88, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Resolve("hr", a.id(), true, 250, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Resolve("hr", "999", true, 88, &r).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Resolve("hr", a.id(), true, 88, &r).ok());
  EXPECT_EQ(r.state(), v1::APPEAL_STATE_ACCEPTED);
  EXPECT_DOUBLE_EQ(r.new_score(), 88);
  EXPECT_EQ(r.resolved_by(), "dev:hr");
  // Retried: the same answer; changing the decision: refused.
  ASSERT_TRUE(Resolve("hr", a.id(), true, 88, &r).ok());
  EXPECT_EQ(Resolve("hr", a.id(), false, 0, &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  e1 = Sheet("E1", "2026-10");
  EXPECT_DOUBLE_EQ(e1.score(), 88);
  EXPECT_DOUBLE_EQ(e1.appeal_score(), 88);
  EXPECT_DOUBLE_EQ(e1.coefficient(), 0.88);
  EXPECT_TRUE(HasFlag(e1, "score_set_by_appeal"));
  EXPECT_FALSE(HasFlag(e1, "appeal_open"));
  EXPECT_DOUBLE_EQ(e1.lines(0).reviewer_score(), 80);  // the review is kept
  // Now past the deadline with no open appeal: final.
  ASSERT_TRUE(Move("hr", "E1", "2026-10", v1::SHEET_STATE_FINAL).ok());
  // The history tells the whole story.
  v1::GetSheetRequest hist;
  hist.set_employee_no("E1");
  hist.set_period("2026-10");
  v1::SheetHistory history;
  ASSERT_TRUE(appraisal_->GetSheetHistory(TestServer::Context("employee:E1").get(), hist,
                                          &history).ok());
  std::vector<std::string> what;
  for (const auto& c : history.changes()) what.push_back(c.what());
  EXPECT_NE(std::find(what.begin(), what.end(), "appeal.file"), what.end());
  EXPECT_EQ(std::count(what.begin(), what.end(), "appeal.resolve"), 2);  // score + decision
  EXPECT_EQ(ts_->db().Query("SELECT COUNT(*) FROM audit_log WHERE action = 'appraisal.appeal'")
                .value()[0][0],
            "3");  // E1 filed, E3 filed, E1 resolved
}

// Issue 16, 4(b): today, lateness and deadlines are days in the company's
// time zone (--time-zone, default Asia/Shanghai), not the server process's.
TEST_F(AppraisalResultsTest, DatesAreDaysInTheCompanysTimeZone) {
  struct Seen {
    std::string zone;
    bool late = false;
    int64_t appeal_deadline = 0;
  };
  auto run = [&]() -> Seen {
    ImportOrg(false);
    MakeSheet("E1", "2026-11", 80);
    // November's data is due on the 3rd working day of December: Thursday
    // 2026-12-03. Submitted at 2026-12-03T17:00Z, which is already Friday
    // 01:00 in Shanghai.
    now_ = UtcUnix(2026, 12, 3, 17);
    EXPECT_TRUE(Move("manager:AS", "E1", "2026-11", v1::SHEET_STATE_SUBMITTED).ok());
    EXPECT_TRUE(Move("employee:E1", "E1", "2026-11", v1::SHEET_STATE_CONFIRMED).ok());
    // Released at 2026-12-04T17:00Z: Saturday 2026-12-05 01:00 in Shanghai,
    // Friday in UTC. Five working days later: Friday 2026-12-11 either way,
    // ending at midnight of the zone.
    now_ = UtcUnix(2026, 12, 4, 17);
    EXPECT_TRUE(Move("hr", "E1", "2026-11", v1::SHEET_STATE_APPEAL_WINDOW).ok());
    v1::Sheet sheet = Sheet("E1", "2026-11");
    EXPECT_EQ(sheet.data_due_date(), "2026-12-03");
    v1::GetPeriodConfigRequest req;
    req.set_period("2026-11");
    v1::PeriodConfig config;
    EXPECT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), req, &config).ok());
    return {config.time_zone(), sheet.late(), sheet.appeal_deadline_unix()};
  };
  Seen shanghai = run();
  EXPECT_EQ(shanghai.zone, "Asia/Shanghai");
  EXPECT_TRUE(shanghai.late);  // Friday in Shanghai: one day late
  EXPECT_EQ(shanghai.appeal_deadline, UtcUnix(2026, 12, 11, 16) - 1);  // 12-12 00:00 +08

  StartServer("UTC");  // a fresh database, the same story
  Seen utc = run();
  EXPECT_EQ(utc.zone, "UTC");
  EXPECT_FALSE(utc.late);  // still Thursday in UTC
  EXPECT_EQ(utc.appeal_deadline, UtcUnix(2026, 12, 12, 0) - 1);

  // A zone that cannot be loaded stops the start, saying so.
  api::ServerOptions bad;
  bad.time_zone = "Mars/Olympus_Mons";
  auto refused = TestServer::Start(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--time-zone"), std::string::npos)
      << refused.status();
}

TEST_F(AppraisalResultsTest, PayFlagsLatenessAndExport) {
  ImportOrg(false);
  // Caps in yuan by "post:grade"; E1 and E3 have pay profiles, E2 none.
  SetCaps("2026-01", {{"engineer:3", 3000}});
  v1::SetPayProfilesRequest pay;
  auto profile = [&](const std::string& no, const std::string& grade, double post_pay) {
    v1::PayProfile* p = pay.add_profiles();
    p->set_employee_no(no);
    p->set_from_period("2026-01");
    p->set_post("engineer");
    p->set_grade(grade);
    p->set_post_pay(post_pay);
    p->set_base_salary(8000);
  };
  profile("E1", "3", 5000);
  profile("E3", "9", 4000);
  v1::SetPayProfilesResponse pay_out;
  v1::SetPayProfilesRequest bad = pay;
  bad.mutable_profiles(1)->set_post_pay(10.005);
  grpc::Status s = appraisal_->SetPayProfiles(TestServer::Context("hr").get(), bad, &pay_out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("profiles[1].post_pay"), std::string::npos);
  EXPECT_EQ(appraisal_->SetPayProfiles(TestServer::Context("manager:AS").get(), pay, &pay_out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(appraisal_->SetPayProfiles(TestServer::Context("hr").get(), pay, &pay_out).ok());
  EXPECT_EQ(pay_out.written(), 2);
  ASSERT_TRUE(appraisal_->SetPayProfiles(TestServer::Context("hr").get(), pay, &pay_out).ok());
  EXPECT_EQ(pay_out.unchanged(), 2);  // idempotent

  // E1: January 55, February 45, March 45. March (45 %): warning (February
  // and March < 50 %) and cap down (3 months of the year < 60 %), but no
  // dismissal review (only 2 months < 50 %).
  now_ = LocalUnix(2026, 4, 2);
  MakeSheet("E1", "2026-01", 55);
  MakeSheet("E1", "2026-02", 45);
  MakeSheet("E1", "2026-03", 45);
  MakeSheet("E2", "2026-03", 95);
  MakeSheet("E3", "2026-03", 70);
  // E2's data arrives on 2026-04-02, before the due date (April 2026: Wed 1,
  // Thu 2, Fri 3 -> the 3rd working day is 2026-04-03).
  ASSERT_TRUE(Move("manager:AS", "E2", "2026-03", v1::SHEET_STATE_SUBMITTED).ok());
  now_ = LocalUnix(2026, 4, 10);
  v1::Sheet e1 = Sheet("E1", "2026-03");
  EXPECT_DOUBLE_EQ(e1.coefficient(), 0.45);
  // Performance pay = 3000 × 45 % = 1350.00; base pay = 5000 + 1350.
  EXPECT_DOUBLE_EQ(e1.performance_pay(), 1350);
  EXPECT_DOUBLE_EQ(e1.base_pay(), 6350);
  EXPECT_EQ(e1.pay_grade(), "3");
  EXPECT_TRUE(HasFlag(e1, "warning_two_below_50"));
  EXPECT_TRUE(HasFlag(e1, "cap_down_three_below_60"));
  EXPECT_FALSE(HasFlag(e1, "dismissal_review_three_below_50"));
  EXPECT_EQ(e1.months_counted(), 3);
  EXPECT_EQ(e1.data_due_date(), "2026-04-03");
  EXPECT_TRUE(e1.late());
  // February alone: one month below 50 % is no warning yet.
  EXPECT_FALSE(HasFlag(Sheet("E1", "2026-02"), "warning_two_below_50"));
  v1::Sheet e2 = Sheet("E2", "2026-03");
  EXPECT_TRUE(HasFlag(e2, "no_pay_profile"));
  EXPECT_FALSE(e2.late());
  EXPECT_DOUBLE_EQ(e2.performance_pay(), 0);
  EXPECT_TRUE(HasFlag(Sheet("E3", "2026-03"), "no_performance_cap: engineer:9"));

  // Late sheets for HR: the drafts (E1, E3) and those with no sheet (E4, E5).
  v1::ListSheetsRequest list;
  list.set_period("2026-03");
  list.set_late_only(true);
  v1::ListSheetsResponse late;
  ASSERT_TRUE(appraisal_->ListSheets(TestServer::Context("hr").get(), list, &late).ok());
  std::vector<std::string> nos;
  for (const auto& x : late.sheets()) nos.push_back(x.employee_no());
  EXPECT_EQ(nos, (std::vector<std::string>{"E1", "E3", "E4", "E5"}));
  EXPECT_TRUE(HasFlag(late.sheets(2), "no_sheet"));
  // A manager sees their department only; an employee no list.
  ASSERT_TRUE(appraisal_->ListSheets(TestServer::Context("manager:CS").get(), list, &late).ok());
  EXPECT_EQ(late.sheets_size(), 2);
  EXPECT_EQ(appraisal_->ListSheets(TestServer::Context("employee:E1").get(), list, &late)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The CSV export: a header and one row per employee, pay as on the sheet.
  list.set_late_only(false);
  auto ctx = TestServer::Context("hr");
  auto reader = appraisal_->ExportSheets(ctx.get(), list);
  std::string csv;
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(csv.rfind("period,employee_no,name,department,state", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);  // header + E1..E5
  EXPECT_NE(csv.find("2026-03,E1,员工E1,AS,draft,standard,true,45.00,100.00,0.4500,1350.00,"
                     "6350.00,engineer,3"),
            std::string::npos)
      << csv;
  auto ectx = TestServer::Context("employee:E1");
  auto denied = appraisal_->ExportSheets(ectx.get(), list);
  while (denied->Read(&chunk)) {
  }
  EXPECT_EQ(denied->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AppraisalResultsTest, AnnualGradingQuarterAndTwoYearFlags) {
  ImportOrg(true);
  // Scores: G01..G20 = 50..69 in June of 2025 and 2026; S1..S3 = 70..72;
  // E1..E5 = 80..84; N1 has no sheet.
  for (const char* period : {"2025-06", "2026-06"}) {
    for (int i = 1; i <= 20; ++i) MakeSheet(absl::StrFormat("G%02d", i), period, 49 + i);
    for (int i = 1; i <= 3; ++i) MakeSheet(absl::StrFormat("S%d", i), period, 69 + i);
    for (int i = 1; i <= 5; ++i) MakeSheet(absl::StrFormat("E%d", i), period, 79 + i);
  }
  v1::SetPayProfilesRequest pay;
  v1::PayProfile* p = pay.add_profiles();
  p->set_employee_no("G20");
  p->set_from_period("2025-01");
  p->set_post("manager");
  p->set_grade("1");
  p->set_base_salary(10000);
  // G06 (C) and G01 (E) with the same profile: the formula gives both a
  // bonus, the E is paid none (年度考核不称职者 免年度奖).
  for (const char* no : {"G06", "G01"}) {
    v1::PayProfile* q = pay.add_profiles();
    *q = *p;
    q->set_employee_no(no);
  }
  v1::SetPayProfilesResponse pay_out;
  ASSERT_TRUE(appraisal_->SetPayProfiles(TestServer::Context("hr").get(), pay, &pay_out).ok());

  v1::AnnualGradingResult r;
  EXPECT_EQ(Grade("manager:BIG", "2026", false, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Grade("hr", "2026", false, &r, "by-team");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("pooling"), std::string::npos);
  // A dry run stores nothing.
  ASSERT_TRUE(Grade("hr", "2026", true, &r).ok());
  v1::GetAnnualGradingRequest get;
  get.set_year("2026");
  v1::AnnualGradingResult stored;
  EXPECT_EQ(appraisal_->GetAnnualGrading(TestServer::Context("hr").get(), get, &stored)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(Grade("hr", "2025", false, &r).ok());
  ASSERT_TRUE(Grade("hr", "2026", false, &r).ok());
  // Units: BIG (20: quotas A 1, B 4, C 10, D 4, E 1) and everything smaller
  // pooled: AS 2 + CS 2 + TS 1 + SMALL 3 = 8, below the minimum of 20
  // (quotas floor(0.4)=0, round(1.6)=2, 4, 2, 0).
  ASSERT_EQ(r.units_size(), 2);
  EXPECT_EQ(r.units(0).name(), "BIG");
  EXPECT_EQ(std::vector<int>(r.units(0).quotas().begin(), r.units(0).quotas().end()),
            (std::vector<int>{1, 4, 10, 4, 1}));
  EXPECT_EQ(r.units(1).size(), 8);
  EXPECT_TRUE(r.units(1).below_minimum());
  EXPECT_EQ(std::vector<int>(r.units(1).quotas().begin(), r.units(1).quotas().end()),
            (std::vector<int>{0, 2, 4, 2, 0}));
  EXPECT_TRUE(r.provisional());  // the sheets are drafts
  ASSERT_EQ(r.skipped_size(), 1);
  EXPECT_EQ(r.skipped(0), "N1: no scored sheet in 2026");
  std::map<std::string, v1::GradedEmployee> by_no;
  for (const auto& e : r.employees()) by_no[e.employee_no()] = e;
  ASSERT_EQ(by_no.size(), 28u);
  // G20 (69 %): A, rank 1, B-or-better two years running, the award; bonus
  // = 10000 × 105 % × 69 % × 1.5 = 10867.50 yuan.
  EXPECT_EQ(by_no["G20"].grade(), "A");
  EXPECT_EQ(by_no["G20"].rank(), 1);
  EXPECT_DOUBLE_EQ(by_no["G20"].annual_coefficient(), 0.69);
  EXPECT_DOUBLE_EQ(by_no["G20"].year_end_bonus(), 10867.5);
  std::vector<std::string> g20(by_no["G20"].flags().begin(), by_no["G20"].flags().end());
  EXPECT_EQ(g20, (std::vector<std::string>{"promotion_review", "excellent_employee_award"}));
  // G01 (50 %): E both years -> no bonus flag and the review.
  EXPECT_EQ(by_no["G01"].grade(), "E");
  std::vector<std::string> g01(by_no["G01"].flags().begin(), by_no["G01"].flags().end());
  EXPECT_EQ(g01, (std::vector<std::string>{"no_annual_bonus", "demotion_or_dismissal_review"}));
  // 10000 × 105 % × 50 % × 1.5 = 7875 by the formula; payable 0.
  EXPECT_DOUBLE_EQ(by_no["G01"].year_end_bonus_formula(), 7875.0);
  EXPECT_DOUBLE_EQ(by_no["G01"].year_end_bonus(), 0.0);
  // A C is paid the formula: 10000 × 105 % × 55 % × 1.5 = 8662.50.
  EXPECT_EQ(by_no["G06"].grade(), "C");
  EXPECT_DOUBLE_EQ(by_no["G06"].year_end_bonus(), 8662.5);
  EXPECT_DOUBLE_EQ(by_no["G06"].year_end_bonus_formula(), 8662.5);
  EXPECT_EQ(by_no["G02"].grade(), "D");
  EXPECT_EQ(by_no["G06"].grade(), "C");
  EXPECT_EQ(by_no["G16"].grade(), "B");
  EXPECT_EQ(by_no["G01"].months_not_final(), 1);

  // Stored: HR sees all; the manager of BIG their department only.
  ASSERT_TRUE(appraisal_->GetAnnualGrading(TestServer::Context("hr").get(), get, &stored).ok());
  EXPECT_EQ(stored.employees_size(), 28);
  EXPECT_EQ(stored.units_size(), 2);
  ASSERT_TRUE(
      appraisal_->GetAnnualGrading(TestServer::Context("manager:BIG").get(), get, &stored).ok());
  EXPECT_EQ(stored.employees_size(), 20);
  EXPECT_EQ(stored.units_size(), 0);
  // The sheets show the grade, and HR can list by grade.
  EXPECT_EQ(Sheet("G20", "2026-06").grade(), "A");
  v1::ListSheetsRequest list;
  list.set_period("2026-06");
  list.set_grade("b");
  v1::ListSheetsResponse bs;
  ASSERT_TRUE(appraisal_->ListSheets(TestServer::Context("hr").get(), list, &bs).ok());
  std::vector<std::string> nos;
  for (const auto& x : bs.sheets()) nos.push_back(x.employee_no());
  // BIG's B: G16..G19; the pool's B (quota 2): E5, E4.
  EXPECT_EQ(nos, (std::vector<std::string>{"E4", "E5", "G16", "G17", "G18", "G19"}));
  // A rerun replaces the year (company pooling: one unit of 28).
  ASSERT_TRUE(Grade("hr", "2026", false, &r, "company").ok());
  ASSERT_EQ(r.units_size(), 1);
  EXPECT_EQ(r.units(0).size(), 28);
  ASSERT_TRUE(appraisal_->GetAnnualGrading(TestServer::Context("hr").get(), get, &stored).ok());
  EXPECT_EQ(stored.pooling(), "company");

  // Quarter 2026-Q2 of BIG: June's department appraisal, duties 100, plan
  // 96, key indicator 100, no customer evaluation pushed:
  //   normalised = (100 × 30 + 96 × 30) / 60 × 1.0 = 98.
  v1::DepartmentAppraisal d;
  d.set_department_code("BIG");
  d.set_period("2026-06");
  d.set_duties_score(100);
  d.set_plan_score(96);
  d.set_key_indicator_score(100);
  v1::DepartmentAppraisal d_out;
  ASSERT_TRUE(
      appraisal_->UpdateDepartmentAppraisal(TestServer::Context("hr").get(), d, &d_out).ok());
  EXPECT_DOUBLE_EQ(d_out.total_normalised(), 98);
  v1::ListQuarterlyScoresRequest q;
  q.set_quarter("2026-Q2");
  v1::ListQuarterlyScoresResponse qs;
  ASSERT_TRUE(
      appraisal_->ListQuarterlyScores(TestServer::Context("manager:BIG").get(), q, &qs).ok());
  ASSERT_EQ(qs.scores_size(), 20);
  std::map<std::string, v1::QuarterlyScore> qby;
  for (const auto& x : qs.scores()) qby[x.employee_no()] = x;
  // Manager G20: 98 × 80 % + 69 × 20 % = 78.4 + 13.8 = 92.2.
  EXPECT_TRUE(qby["G20"].manager());
  EXPECT_NEAR(qby["G20"].quarterly(), 92.2, 1e-9);
  // Member G01: 98 × 20 % + 50 × 80 % = 19.6 + 40 = 59.6.
  EXPECT_FALSE(qby["G01"].manager());
  EXPECT_NEAR(qby["G01"].quarterly(), 59.6, 1e-9);
  q.set_quarter("2026-Q5");
  EXPECT_EQ(appraisal_->ListQuarterlyScores(TestServer::Context("hr").get(), q, &qs).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AppraisalResultsTest, CustomerServiceSheetAndItsYearEndComposition) {
  ImportOrg(false);
  // From 2026-01 the customer-service sheet (seed 001); its part weights are
  // left unset, so they are the defaults 20/20/30/30, and carry forward.
  v1::GetPeriodConfigRequest get;
  get.set_period("2026-01");
  v1::PeriodConfig c;
  ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &c).ok());
  c.set_sheet_template(v1::SHEET_TEMPLATE_CUSTOMER_SERVICE);
  c.clear_morality_percent();
  c.set_year_end_monthly_percent(40);  // 20/40/50 sums to 110: refused
  v1::PeriodConfig out;
  grpc::Status s = appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("year_end"), std::string::npos) << s.error_message();
  c.clear_year_end_monthly_percent();
  ASSERT_TRUE(appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out).ok());
  get.set_period("2026-05");
  ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &out).ok());
  EXPECT_EQ(out.sheet_template(), v1::SHEET_TEMPLATE_CUSTOMER_SERVICE);
  EXPECT_EQ(out.morality_percent(), 20);
  EXPECT_EQ(out.year_end_appraisal_percent(), 50);

  // January: morality 90, diligence 80, ability 85, performance 95:
  //   (90 × 20 + 80 × 20 + 85 × 30 + 95 × 30) / 100 = 88.
  // February: everything 100 and a confirmed commendation of 5: 105.
  auto sheet = [&](const std::string& period, std::vector<double> parts, double bonus) {
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no("E1");
    req.set_period(period);
    const v1::SheetSection sections[] = {v1::SHEET_SECTION_MORALITY, v1::SHEET_SECTION_DILIGENCE,
                                         v1::SHEET_SECTION_ABILITY,
                                         v1::SHEET_SECTION_PERFORMANCE};
    for (int i = 0; i < 4; ++i) {
      v1::SheetLine* l = req.add_lines();
      l->set_section(sections[i]);
      l->set_title("part");
      l->set_weight_percent(100);
      l->set_reviewer_score(parts[i]);
    }
    if (bonus > 0) {
      v1::SheetLine* l = req.add_lines();
      l->set_section(v1::SHEET_SECTION_BONUS);
      l->set_title("表扬 / commendation");
      l->set_points(bonus);
      l->set_confirmed(true);
    }
    v1::Sheet out;
    grpc::Status st = appraisal_->UpdateSheetLines(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  };
  v1::Sheet jan = sheet("2026-01", {90, 80, 85, 95}, 0);
  EXPECT_EQ(jan.template_(), v1::SHEET_TEMPLATE_CUSTOMER_SERVICE);
  EXPECT_DOUBLE_EQ(jan.score(), 88);
  v1::Sheet feb = sheet("2026-02", {100, 100, 100, 100}, 5);
  EXPECT_DOUBLE_EQ(feb.score(), 105);

  // Without the checks and the year-end score E1 cannot be graded.
  v1::AnnualGradingResult r;
  ASSERT_TRUE(Grade("hr", "2026", true, &r).ok());
  EXPECT_EQ(r.employees_size(), 0);
  EXPECT_NE(std::find(r.skipped().begin(), r.skipped().end(),
                      "E1: customer-service sheet, needs checks and a year-end score"),
            r.skipped().end());
  // Checks 90 and 100, year-end appraisal 100:
  //   95 × 20 % + (88 + 105) / 2 × 30 % + 100 × 50 % = 19 + 28.95 + 50 = 97.95.
  v1::RunAnnualGradingRequest req;
  req.set_year("2026");
  req.set_dry_run(true);
  v1::CustomerServiceYearInput* in = req.add_customer_service();
  in->set_employee_no("E1");
  in->add_checks(90);
  in->add_checks(100);
  in->set_year_end_score(100);
  ASSERT_TRUE(appraisal_->RunAnnualGrading(TestServer::Context("hr").get(), req, &r).ok());
  ASSERT_EQ(r.employees_size(), 1);
  EXPECT_DOUBLE_EQ(r.employees(0).annual_coefficient(), 0.9795);
  EXPECT_TRUE(r.employees(0).flags().empty());
  // Checks 110 and 110, year-end 110: 22 + 28.95 + 55 = 105.95 > 100:
  // an outstanding employee.
  in->set_checks(0, 110);
  in->set_checks(1, 110);
  in->set_year_end_score(110);
  ASSERT_TRUE(appraisal_->RunAnnualGrading(TestServer::Context("hr").get(), req, &r).ok());
  ASSERT_EQ(r.employees_size(), 1);
  EXPECT_DOUBLE_EQ(r.employees(0).annual_coefficient(), 1.0595);
  EXPECT_NE(std::find(r.employees(0).flags().begin(), r.employees(0).flags().end(),
                      "outstanding_employee"),
            r.employees(0).flags().end());
  in->set_year_end_score(120);  // above 100 + 10 commendation points
  EXPECT_EQ(appraisal_->RunAnnualGrading(TestServer::Context("hr").get(), req, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AppraisalResultsTest, AnyoneReportsAnIncidentThatCountsOnceConfirmed) {
  ImportOrg(false);
  MakeSheet("E1", "2026-10", 80);
  // A colleague from another department reports; the line is unconfirmed.
  v1::ReportIncidentRequest req;
  req.set_employee_no("E1");
  req.set_period("2026-10");
  req.set_title("客户投诉：上门迟到 / late for an on-site visit");
  req.set_points(-5);
  v1::ReportIncidentResponse out;
  ASSERT_TRUE(appraisal_->ReportIncident(TestServer::Context("employee:E3").get(), req, &out).ok());
  ASSERT_FALSE(out.line_id().empty());
  // A retry files nothing new.
  v1::ReportIncidentResponse again;
  ASSERT_TRUE(
      appraisal_->ReportIncident(TestServer::Context("employee:E3").get(), req, &again).ok());
  EXPECT_EQ(again.line_id(), out.line_id());
  // The reporter still cannot read the sheet.
  v1::GetSheetRequest get;
  get.set_employee_no("E1");
  get.set_period("2026-10");
  v1::Sheet sheet;
  EXPECT_EQ(appraisal_->GetSheet(TestServer::Context("employee:E3").get(), get, &sheet)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  sheet = Sheet("E1", "2026-10");
  ASSERT_EQ(sheet.lines_size(), 3);
  EXPECT_FALSE(sheet.lines(2).counted());
  EXPECT_DOUBLE_EQ(sheet.score(), 80);  // not confirmed: does not count
  // Bad reports name the field.
  v1::ReportIncidentRequest bad = req;
  bad.set_points(5);
  grpc::Status s = appraisal_->ReportIncident(TestServer::Context("hr").get(), bad, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("points"), std::string::npos);
  bad = req;
  bad.set_employee_no("E404");
  EXPECT_EQ(appraisal_->ReportIncident(TestServer::Context("hr").get(), bad, &again).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The manager confirms it: 80 - 5 = 75.
  v1::UpdateSheetLinesRequest confirm;
  confirm.set_employee_no("E1");
  confirm.set_period("2026-10");
  v1::SheetLine line = sheet.lines(2);
  line.set_confirmed(true);
  line.clear_score();
  line.clear_counted();
  *confirm.add_lines() = line;
  s = appraisal_->UpdateSheetLines(TestServer::Context("manager:AS").get(), confirm, &sheet);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_DOUBLE_EQ(sheet.score(), 75);
  // The history names the reporter.
  v1::SheetHistory history;
  ASSERT_TRUE(appraisal_->GetSheetHistory(TestServer::Context("hr").get(), get, &history).ok());
  bool named = false;
  for (const auto& c : history.changes()) {
    named |= c.what() == "appraisal.incident" && c.who() == "dev:employee:E3";
  }
  EXPECT_TRUE(named);
  // Once submitted the sheet takes no more reports.
  ASSERT_TRUE(Move("manager:AS", "E1", "2026-10", v1::SHEET_STATE_SUBMITTED).ok());
  req.set_title("another");
  EXPECT_EQ(appraisal_->ReportIncident(TestServer::Context("employee:E3").get(), req, &out)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace survey::testing
