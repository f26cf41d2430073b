// `surveyctl appraisal` as HR, a manager and an employee run it, with the
// shipped binaries against a real MariaDB: the demo organisation, a customer
// survey answered through survey-sim and closed, the satisfaction push, the
// sheet with its satisfaction line and provenance, the sheet workflow, annual
// grading and an appeal taken to its resolution.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/process.h"
#include "support/test_db.h"
#include "support/test_server.h"

namespace survey::testing {
namespace {


bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The CSV row starting with `key`, "" if none.
std::string RowOf(const std::string& csv, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    if (absl::StartsWith(line, key + ",")) return std::string(line);
  }
  return "";
}

// The period of the demo-like data: a month whose survey is closed.
constexpr char kPeriod[] = "2026-10";

class AppraisalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pepper = WriteTestPepper();
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--db-url", db_->url(), "--listen", "127.0.0.1:0", "--insecure",
        "--health-interval", "0.1", "--pepper-file", *pepper});
    ASSERT_GT(server_->port(), 0) << server_->stderr_text();
    ASSERT_TRUE(WaitFor([&] { return Ctl({"health"}).exit_code == 0; }, absl::Seconds(10)));
    std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
    Result import = Ctl({"org", "import", demo + "departments.csv", demo + "employees.csv"});
    ASSERT_EQ(import.exit_code, 0) << import;
  }

  // surveyctl as `as` (hr, manager:AS, employee:E0002).
  Result CtlAs(const std::string& as, std::vector<std::string> args) {
    std::vector<std::string> argv = {SURVEYCTL_BIN, "--server", server_->address(),
                                     "--insecure", "--as", as};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  Result Ctl(std::vector<std::string> args) { return CtlAs("hr", std::move(args)); }
  Result Appraisal(std::vector<std::string> args, const std::string& as = "hr") {
    args.insert(args.begin(), "appraisal");
    return CtlAs(as, std::move(args));
  }

  // A closed customer survey of `period` in which each of `answers` (employee
  // number, number of answers) got that many answers of `score` on every
  // sub-indicator (a total of 10 x score), through tokens and survey-sim as
  // the app would. Returns the campaign id.
  std::string AnsweredCampaign(const std::string& period,
                               const std::vector<std::pair<std::string, int>>& answers,
                               int score) {
    Result created = Ctl({"campaign", "create", "--kind", "customer", "--period", period});
    EXPECT_EQ(created.exit_code, 0) << created;
    std::string id(absl::StripAsciiWhitespace(created.out));
    EXPECT_EQ(Ctl({"campaign", "open", id}).exit_code, 0);
    std::string dir = MakeTempDir();
    std::ofstream tickets(dir + "/tickets.csv");
    tickets << "subject_employee_no,ticket\n";
    for (const auto& [employee, n] : answers) {
      for (int i = 0; i < n; ++i) tickets << employee << ",T-" << employee << "-" << i << "\n";
    }
    tickets.close();
    Result issued = Ctl({"invitations", "issue", id, "--from", dir + "/tickets.csv", "--out",
                         dir + "/inv"});
    EXPECT_EQ(issued.exit_code, 0) << issued;
    Result sim = RunProcess({SURVEY_SIM_BIN, "--server", server_->address(), "--insecure",
                             "--tokens", dir + "/inv/invitations.csv", "--fraction", "1",
                             "--answer", absl::StrCat("fixed:", score)});
    EXPECT_EQ(sim.exit_code, 0) << sim;
    EXPECT_EQ(Ctl({"campaign", "close", id}).exit_code, 0);
    return id;
  }

  // The demo-like month: E0002 has 6 answers of 8 (80 points), E0003 only
  // 2 (below k = 5), pushed. E0004's 3 (also hidden) make the hidden ones
  // 5 together; with E0003 alone, E0002 would be hidden as its complement.
  std::string PushedMonth() {
    std::string campaign =
        AnsweredCampaign(kPeriod, {{"E0002", 6}, {"E0003", 2}, {"E0004", 3}}, 8);
    Result push = Appraisal({"push", "--period", kPeriod});
    EXPECT_EQ(push.exit_code, 0) << push;
    return campaign;
  }

  // E0002's sheet given the manager's lines, submitted, confirmed by E0002
  // and released by HR: open to appeal.
  void ReleasedSheet() {
    Result kpi = Appraisal({"sheet", "lines", "--employee", "E0002", "--period", kPeriod,
                            "--section", "kpi", "--title", "工单及时率", "--weight", "80",
                            "--reviewer", "70"},
                           "manager:AS");
    ASSERT_EQ(kpi.exit_code, 0) << kpi;
    std::string file = MakeTempDir() + "/lines.json";
    std::ofstream(file) << "[{\"section\": \"SHEET_SECTION_BEHAVIOUR\", \"title\": \"协作\","
                           " \"weight_percent\": 100, \"reviewer_score\": 60}]\n";
    Result behaviour = Appraisal(
        {"sheet", "lines", "--employee", "E0002", "--period", kPeriod, "--file", file},
        "manager:AS");
    ASSERT_EQ(behaviour.exit_code, 0) << behaviour;
    for (const auto& [step, as] : std::vector<std::pair<std::string, std::string>>{
             {"submit", "manager:AS"}, {"confirm", "employee:E0002"}, {"release", "hr"}}) {
      Result r = Appraisal({"sheet", step, "--employee", "E0002", "--period", kPeriod}, as);
      ASSERT_EQ(r.exit_code, 0) << step << ": " << r;
    }
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AppraisalCliTest, PushThenTheSheetShowsTheSatisfactionLineAndItsProvenance) {
  std::string campaign = PushedMonth();

  Result show = Appraisal({"sheet", "show", "--employee", "E0002", "--period", kPeriod});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_TRUE(Has(show.out, "employee:         E0002 李娜 (AS)")) << show.out;
  EXPECT_TRUE(Has(show.out, "state:            draft")) << show.out;
  EXPECT_TRUE(Has(show.out, "satisfaction line (20% of KPI): 80 points")) << show.out;
  EXPECT_TRUE(Has(show.out, "campaigns:  " + campaign)) << show.out;
  EXPECT_TRUE(Has(show.out, absl::StrCat("periods:    ", kPeriod))) << show.out;
  EXPECT_TRUE(Has(show.out, "responses:  6 (k = 5)")) << show.out;
  EXPECT_TRUE(Has(show.out, "mean:       80.00")) << show.out;
  // Every answer the same: no spread, the interval is the point.
  EXPECT_TRUE(Has(show.out, "ci95:       80.00 .. 80.00")) << show.out;
  EXPECT_TRUE(Has(show.out, "data due:")) << show.out;

  // Two answers are fewer than k: no figure, and it says why.
  Result thin = Appraisal({"sheet", "show", "--employee", "E0003", "--period", kPeriod});
  ASSERT_EQ(thin.exit_code, 0) << thin;
  EXPECT_TRUE(Has(thin.out, "INSUFFICIENT RESPONSES: 2 < k = 5")) << thin.out;
  EXPECT_FALSE(Has(thin.out, "mean:")) << thin.out;
  EXPECT_TRUE(Has(thin.out, "satisfaction_insufficient_responses")) << thin.out;

  // Programs get the whole sheet as JSON.
  Result json = Appraisal(
      {"--format", "json", "sheet", "show", "--employee", "E0002", "--period", kPeriod});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_TRUE(Has(json.out, "\"satisfaction\":true")) << json.out;
  EXPECT_TRUE(Has(json.out, "\"responses\":\"6\"")) << json.out;

  // The push is idempotent, and says so.
  Result again = Appraisal({"push", "--period", kPeriod});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_TRUE(Has(again.out, "sheets 0 written, 60 unchanged")) << again.out;

  // HR's list of the period: every employee of the demo organisation.
  Result list = Appraisal({"--format", "csv", "sheets", "--period", kPeriod});
  ASSERT_EQ(list.exit_code, 0) << list;
  std::vector<std::string> rows = absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 61u) << list.out;
  EXPECT_EQ(rows[0], "employee,name,department,state,score,coefficient,pay,grade,late,flags");
  EXPECT_TRUE(absl::StartsWith(RowOf(list.out, "E0002"), "E0002,李娜,AS,draft,")) << list.out;
  // A manager sees their own department only.
  Result mine = Appraisal({"--format", "csv", "sheets", "--period", kPeriod}, "manager:AS");
  ASSERT_EQ(mine.exit_code, 0) << mine;
  EXPECT_FALSE(RowOf(mine.out, "E0002").empty()) << mine.out;
  EXPECT_TRUE(RowOf(mine.out, "E0011").empty()) << mine.out;
}

TEST_F(AppraisalCliTest, ConfigSetChangesOnlyTheGivenFields) {
  Result set = Appraisal({"config", "set", "--period", kPeriod, "--k", "3", "--cap",
                          "engineer:3=2500", "--post-weights", "other=70,30"});
  ASSERT_EQ(set.exit_code, 0) << set;
  Result more = Appraisal({"config", "set", "--period", kPeriod, "--satisfaction-weight", "30"});
  ASSERT_EQ(more.exit_code, 0) << more;
  Result get = Appraisal({"--format", "csv", "config", "get", "--period", kPeriod});
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_TRUE(Has(get.out, "k (anonymity threshold),3\n")) << get.out;
  EXPECT_TRUE(Has(get.out, "satisfaction_weight (% of KPI),30\n")) << get.out;
  EXPECT_TRUE(Has(get.out, "\"post_weights other (kpi_goals,behaviour)\",\"70,30\"\n"))
      << get.out;
  EXPECT_TRUE(Has(get.out, "cap engineer:3,2500.00\n")) << get.out;
  EXPECT_TRUE(Has(get.out, "window (months),3\n")) << get.out;  // the default, kept

  // The server names the bad field; nothing changes.
  Result bad = Appraisal({"config", "set", "--period", kPeriod, "--k", "2"});
  EXPECT_EQ(bad.exit_code, 1) << bad;
  EXPECT_TRUE(Has(bad.err, "INVALID_ARGUMENT")) << bad.err;
  // Usage errors never reach the server.
  EXPECT_EQ(Appraisal({"config", "set", "--period", kPeriod, "--dept-weights", "30,30"})
                .exit_code,
            2);
  EXPECT_EQ(Appraisal({"config", "get", "--period", "2026-13"}).exit_code, 2);
  // A flag the parser misses gets its usage code, never 1 (a refusal).
  Result missing = Appraisal({"config", "get"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.exit_code, 1);
  EXPECT_TRUE(Has(missing.err, "--period is required")) << missing;
  // HR only.
  Result manager = Appraisal({"config", "get", "--period", kPeriod}, "manager:AS");
  EXPECT_EQ(manager.exit_code, 1);
  EXPECT_TRUE(Has(manager.err, "PERMISSION_DENIED")) << manager.err;
}

TEST_F(AppraisalCliTest, WorkflowHistoryAndRefusals) {
  PushedMonth();
  ReleasedSheet();
  Result show = Appraisal({"sheet", "show", "--employee", "E0002", "--period", kPeriod},
                          "employee:E0002");
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_TRUE(Has(show.out, "state:            appeal_window")) << show.out;
  // KPI (20 x 80 + 80 x 70) / 100 = 72; sheet 0.8 x 72 + 0.2 x 60 = 69.6.
  EXPECT_TRUE(Has(show.out, "score:            69.60 / 100.00")) << show.out;
  EXPECT_TRUE(Has(show.out, "coefficient:      0.6960")) << show.out;
  EXPECT_TRUE(Has(show.out, "appeal until:")) << show.out;
  EXPECT_TRUE(Has(show.out, "工单及时率")) << show.out;

  Result history = Appraisal({"--format", "csv", "sheet", "history", "--employee", "E0002",
                              "--period", kPeriod});
  ASSERT_EQ(history.exit_code, 0) << history;
  EXPECT_TRUE(Has(history.out, "appraisal.push")) << history.out;
  EXPECT_TRUE(Has(history.out, "appeal_window")) << history.out;
  // For people, what each change changed.
  Result changes = Appraisal({"sheet", "history", "--employee", "E0002", "--period", kPeriod});
  ASSERT_EQ(changes.exit_code, 0) << changes;
  EXPECT_TRUE(Has(changes.out, "state: submitted -> confirmed")) << changes.out;
  EXPECT_TRUE(Has(changes.out, "dev:employee:E0002")) << changes.out;
  // The month's data was due early in November: the sheet was late.
  Result late = Appraisal({"--format", "csv", "sheets", "--period", kPeriod, "--late"});
  ASSERT_EQ(late.exit_code, 0) << late;
  EXPECT_TRUE(Has(RowOf(late.out, "E0002"), ",yes,")) << late.out;

  // Lines are frozen for the manager once submitted; the result is not
  // final before the appeal deadline.
  Result frozen = Appraisal({"sheet", "lines", "--employee", "E0002", "--period", kPeriod,
                             "--section", "kpi", "--title", "x", "--weight", "10",
                             "--reviewer", "50"},
                            "manager:AS");
  EXPECT_EQ(frozen.exit_code, 1) << frozen;
  EXPECT_TRUE(Has(frozen.err, "FAILED_PRECONDITION")) << frozen.err;
  Result early = Appraisal({"sheet", "finalize", "--employee", "E0002", "--period", kPeriod});
  EXPECT_EQ(early.exit_code, 1) << early;
  EXPECT_TRUE(Has(early.err, "FAILED_PRECONDITION")) << early.err;

  // Someone else's sheet, an unknown employee, a missing flag.
  Result other = Appraisal({"sheet", "show", "--employee", "E0003", "--period", kPeriod},
                           "employee:E0002");
  EXPECT_EQ(other.exit_code, 1) << other;
  EXPECT_TRUE(Has(other.err, "PERMISSION_DENIED")) << other.err;
  Result unknown = Appraisal({"sheet", "show", "--employee", "E9999", "--period", kPeriod});
  EXPECT_EQ(unknown.exit_code, 1) << unknown;
  EXPECT_TRUE(Has(unknown.err, "NOT_FOUND")) << unknown.err;
  EXPECT_EQ(Appraisal({"sheet", "show", "--employee", "E0002", "--period", "10/2026"})
                .exit_code,
            2);
  Result push = Appraisal({"push", "--period", kPeriod}, "manager:AS");
  EXPECT_EQ(push.exit_code, 1) << push;
  EXPECT_TRUE(Has(push.err, "PERMISSION_DENIED")) << push.err;
}

TEST_F(AppraisalCliTest, DepartmentAppraisalKeepsWhatIsNotGiven) {
  PushedMonth();
  Result set = Appraisal({"department", "set", "--department", "AS", "--period", kPeriod,
                          "--duties", "90", "--plan", "85"});
  ASSERT_EQ(set.exit_code, 0) << set;
  EXPECT_TRUE(Has(set.out, "complete")) << set.out;
  Result key = Appraisal({"department", "set", "--department", "AS", "--period", kPeriod,
                          "--key-indicator", "100"});
  ASSERT_EQ(key.exit_code, 0) << key;
  Result show = Appraisal(
      {"--format", "csv", "department", "show", "--department", "AS", "--period", kPeriod});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_TRUE(Has(show.out, "duties,90\n")) << show.out;
  EXPECT_TRUE(Has(show.out, "plan,85\n")) << show.out;
  EXPECT_TRUE(Has(show.out, "key_indicator,100\n")) << show.out;
}

TEST_F(AppraisalCliTest, AColleagueReportsAnIncident) {
  PushedMonth();
  Result r = Appraisal({"incident", "--employee", "E0002", "--period", kPeriod, "--title",
                        "上门迟到 / late on site", "--points", "-5"},
                       "employee:E0003");
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Has(r.out, "unconfirmed until their manager confirms it")) << r.out;
  Result show = Appraisal(
      {"--format", "csv", "sheet", "show", "--employee", "E0002", "--period", kPeriod});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_TRUE(Has(show.out, "上门迟到 / late on site")) << show.out;
  Result refused = Appraisal({"incident", "--employee", "E0002", "--period", kPeriod,
                              "--title", "x", "--points", "3"},
                             "employee:E0003");
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_TRUE(Has(refused.err, "INVALID_ARGUMENT")) << refused.err;
}

// The "done when" scenario: push, the sheet, annual grading, and an appeal
// filed by the employee and resolved by HR.
TEST_F(AppraisalCliTest, GradingAndAnAppealToItsResolution) {
  PushedMonth();
  ReleasedSheet();

  Result dry = Appraisal({"grade", "--year", "2026", "--dry-run", "--completion-rate", "105",
                          "--bonus-factor", "1.5"});
  ASSERT_EQ(dry.exit_code, 0) << dry;
  EXPECT_TRUE(Has(dry.out, "dry run")) << dry.out;
  EXPECT_TRUE(Has(dry.out, "quotas A/B/C/D/E")) << dry.out;
  EXPECT_TRUE(Has(dry.out, "E0002")) << dry.out;
  EXPECT_TRUE(Has(dry.out, "PROVISIONAL")) << dry.out;  // E0002's sheet is not final
  // A dry run stores nothing (no grades yet: an empty list or NOT_FOUND).
  Result none = Appraisal({"--format", "csv", "grades", "--year", "2026"});
  EXPECT_TRUE(none.exit_code == 0 || Has(none.err, "NOT_FOUND")) << none;
  EXPECT_FALSE(Has(none.out, "E0002")) << none.out;
  Result graded = Appraisal({"grade", "--year", "2026", "--pooling", "company"});
  ASSERT_EQ(graded.exit_code, 0) << graded;
  Result stored = Appraisal({"--format", "csv", "grades", "--year", "2026"});
  ASSERT_EQ(stored.exit_code, 0) << stored;
  EXPECT_TRUE(Has(stored.out, ",E0002,AS,")) << stored.out;

  Result filed = Appraisal({"appeal", "file", "--employee", "E0002", "--period", kPeriod,
                            "--reason", "客户评价样本太少"},
                           "employee:E0002");
  ASSERT_EQ(filed.exit_code, 0) << filed;
  EXPECT_TRUE(Has(filed.out, "state:        open")) << filed.out;
  // Only the employee appeals their own sheet.
  Result foreign = Appraisal({"appeal", "file", "--employee", "E0002", "--period", kPeriod,
                              "--reason", "x"},
                             "employee:E0003");
  EXPECT_EQ(foreign.exit_code, 1) << foreign;
  EXPECT_TRUE(Has(foreign.err, "PERMISSION_DENIED")) << foreign.err;

  Result open = Appraisal({"--format", "csv", "appeals", "--state", "open"});
  ASSERT_EQ(open.exit_code, 0) << open;
  std::vector<std::string> rows = absl::StrSplit(open.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 2u) << open.out;
  std::string id = rows[1].substr(0, rows[1].find(','));
  ASSERT_FALSE(id.empty());
  // An open appeal keeps the sheet from becoming final.
  Result held = Appraisal({"sheet", "finalize", "--employee", "E0002", "--period", kPeriod});
  EXPECT_EQ(held.exit_code, 1) << held;

  EXPECT_EQ(Appraisal({"appeal", "resolve", "--id", id, "--accept", "--reason", "x"}).exit_code,
            2);  // --accept needs --score
  Result resolved = Appraisal({"appeal", "resolve", "--id", id, "--accept", "--score", "75",
                               "--reason", "复核后调整"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved;
  EXPECT_TRUE(Has(resolved.out, "state:        accepted")) << resolved.out;
  EXPECT_TRUE(Has(resolved.out, "new_score:    75.00")) << resolved.out;
  Result accepted = Appraisal({"--format", "csv", "appeals", "--employee", "E0002"},
                              "employee:E0002");
  ASSERT_EQ(accepted.exit_code, 0) << accepted;
  EXPECT_TRUE(Has(accepted.out, absl::StrCat(id, ",E0002,", kPeriod, ",accepted,")))
      << accepted.out;
  Result show = Appraisal({"sheet", "show", "--employee", "E0002", "--period", kPeriod});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_TRUE(Has(show.out, "75.00 / 100.00 (fixed by an accepted appeal)")) << show.out;
  // Resolved once only.
  Result twice = Appraisal({"appeal", "resolve", "--id", id, "--reject", "--reason", "x"});
  EXPECT_EQ(twice.exit_code, 1) << twice;
}

TEST_F(AppraisalCliTest, ExportStreamsTheSheetsToAFile) {
  PushedMonth();
  std::string out = MakeTempDir() + "/sheets.csv";
  Result exp = Appraisal({"export", "--period", kPeriod, "--department", "AS", "--out", out});
  ASSERT_EQ(exp.exit_code, 0) << exp;
  std::string text = ReadFile(out);
  EXPECT_TRUE(Has(text, "E0002")) << text;
  EXPECT_FALSE(Has(text, "E0011")) << text;
  // A failed export leaves no file behind.
  std::string refused = MakeTempDir() + "/refused.csv";
  Result denied = Appraisal({"export", "--period", kPeriod, "--out", refused}, "employee:E0002");
  EXPECT_EQ(denied.exit_code, 1) << denied;
  EXPECT_EQ(access(refused.c_str(), F_OK), -1);
  EXPECT_EQ(access((refused + ".part").c_str(), F_OK), -1);
}

TEST_F(AppraisalCliTest, HolidaysReplaceTheYearAndEveryoneReadsThem) {
  std::string file = MakeTempDir() + "/holidays.txt";
  std::ofstream(file) << "# National Day\n2026-10-01\n2026-10-02\n\nW 2026-10-11\n";
  Result set = Appraisal({"holidays", "set", "--year", "2026", "--file", file});
  ASSERT_EQ(set.exit_code, 0) << set;
  Result get = Appraisal({"--format", "csv", "holidays", "get", "--year", "2026"},
                         "employee:E0002");
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_EQ(get.out, "date,kind\n2026-10-01,holiday\n2026-10-02,holiday\n"
                     "2026-10-11,working_day\n");
  // The flags replace the year's lists.
  Result again = Appraisal({"holidays", "set", "--year", "2026", "--holiday", "2026-12-25"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_TRUE(Has(again.out, "1 holidays, 0 make-up working days")) << again.out;
}

TEST_F(AppraisalCliTest, PayProfilesFromCsv) {
  std::string csv = MakeTempDir() + "/pay.csv";
  std::ofstream(csv) << "employee_no,from_period,post,grade,post_pay,base_salary\n"
                        "E0002,2026-01,engineer,3,6000,80000\n"
                        "E0003,2026-01,engineer,3,oops,80000\n";
  // A bad cell is reported with its line and column; nothing is sent.
  Result bad = Appraisal({"pay", "set", "--file", csv});
  EXPECT_EQ(bad.exit_code, 1) << bad;
  EXPECT_TRUE(Has(bad.err, "pay.csv line 3, column post_pay: not a number")) << bad.err;
  std::ofstream(csv) << "employee_no,from_period,post,grade,post_pay,base_salary\n"
                        "E0002,2026-01,engineer,3,6000,80000\n";
  Result pay = Appraisal({"pay", "set", "--file", csv});
  ASSERT_EQ(pay.exit_code, 0) << pay;
  EXPECT_TRUE(Has(pay.out, "1 written")) << pay.out;
  Result list = Appraisal({"--format", "csv", "pay", "list", "--period", kPeriod});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(Has(list.out, "E0002,2026-01,engineer,3,6000.00,80000.00")) << list.out;
}

}  // namespace
}  // namespace survey::testing
