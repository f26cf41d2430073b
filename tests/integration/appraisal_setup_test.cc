// What HR's set-up pages rely on (issue 16, item 3), against the real server
// and MariaDB: a month's configuration names the month it is carried forward
// from, a sheet names the company's time zone, and a pay-profile CSV is read
// by the server with every problem named by line and column, in the message
// and in machine-readable trailers (reason CSV_INVALID, `line`, `column`).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "integration/survey_fixture.h"
#include "survey/v1/appraisal.grpc.pb.h"

namespace survey::testing {
namespace {

class AppraisalSetupTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
  }

  v1::PeriodConfig Get(const std::string& period) {
    v1::GetPeriodConfigRequest req;
    req.set_period(period);
    v1::PeriodConfig out;
    grpc::Status s = appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  struct Refusal {
    grpc::StatusCode code = grpc::StatusCode::OK;
    std::string message;
    std::map<std::string, std::string> trailers;
  };

  // SetPayProfiles from `csv` as HR: the status and its trailers.
  Refusal UploadCsv(const std::string& csv, v1::SetPayProfilesResponse* out = nullptr) {
    v1::SetPayProfilesRequest req;
    req.set_csv(csv);
    v1::SetPayProfilesResponse ignored;
    auto ctx = TestServer::Context("hr");
    grpc::Status s = appraisal_->SetPayProfiles(ctx.get(), req, out ? out : &ignored);
    Refusal r{s.error_code(), s.error_message(), {}};
    for (const auto& [k, v] : ctx->GetServerTrailingMetadata()) {
      r.trailers[std::string(k.data(), k.size())] = std::string(v.data(), v.size());
    }
    return r;
  }

  int ProfilesInForce(const std::string& period) {
    v1::ListPayProfilesRequest req;
    req.set_period(period);
    v1::ListPayProfilesResponse out;
    grpc::Status s = appraisal_->ListPayProfiles(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.profiles_size();
  }

  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
};

TEST_F(AppraisalSetupTest, ConfigNamesTheMonthItIsCarriedFrom) {
  v1::PeriodConfig defaults = Get("2027-03");
  EXPECT_EQ(defaults.configured_period(), "");  // nothing stored yet
  EXPECT_FALSE(defaults.time_zone().empty());
  v1::PeriodConfig set = defaults;
  set.set_period("2027-01");
  set.set_anonymity_k(6);
  set.set_configured_period("1999-01");  // output only: ignored
  v1::PeriodConfig stored;
  ASSERT_TRUE(appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), set, &stored).ok());
  EXPECT_EQ(stored.configured_period(), "2027-01");
  v1::PeriodConfig later = Get("2027-03");
  EXPECT_EQ(later.configured_period(), "2027-01");
  EXPECT_EQ(later.period(), "2027-03");
  EXPECT_EQ(later.anonymity_k(), 6);
  EXPECT_EQ(Get("2026-12").configured_period(), "");
}

TEST_F(AppraisalSetupTest, SheetNamesTheCompanyTimeZone) {
  v1::GetSheetRequest req;
  req.set_employee_no("E1");
  req.set_period("2026-11");
  v1::Sheet sheet;
  ASSERT_TRUE(appraisal_->GetSheet(TestServer::Context("employee:E1").get(), req, &sheet).ok());
  EXPECT_FALSE(sheet.time_zone().empty());
  EXPECT_EQ(sheet.time_zone(), Get("2026-11").time_zone());
  v1::ListSheetsRequest list;
  list.set_period("2026-11");
  v1::ListSheetsResponse all;
  ASSERT_TRUE(appraisal_->ListSheets(TestServer::Context("hr").get(), list, &all).ok());
  ASSERT_GT(all.sheets_size(), 1);
  for (const v1::Sheet& s : all.sheets()) EXPECT_EQ(s.time_zone(), sheet.time_zone());
}

TEST_F(AppraisalSetupTest, PayCsvProblemsNameLineAndColumn) {
  const std::string header = "employee_no,from_period,post,grade,post_pay,base_salary\n";
  struct Case {
    std::string csv, line, column, words;
  };
  for (const Case& c : std::vector<Case>{
           // An entry the server refuses: post pay with three decimals.
           {header + "E1,2026-12,engineer,3,5000,8000\nE2,2026-12,engineer,3,10.005,8000\n",
            "3", "post_pay", "at most 2 decimals"},
           // A cell that is not a number; columns in another order.
           {"base_salary,employee_no,from_period,post,grade,post_pay\nabc,E1,2026-12,engineer,3,1\n",
            "2", "base_salary", "not a number"},
           // Empty lines (a spreadsheet's) still count: the bad record is on line 5.
           {header + "E1,2026-12,engineer,3,1,1\n\n\nE2,2026-13,engineer,3,1,1\n", "5",
            "from_period", ""},
           // A code the server refuses, named by its column.
           {header + "E1,2026-12,\"eng ineer\",3,1,1\n", "2", "post", "must be 1 to 32"},
           // The same employee and month twice.
           {header + "E1,2026-12,engineer,3,1,1\nE1,2026-12,engineer,4,1,1\n", "3",
            "employee_no", "repeats E1 from 2026-12 (line 2)"},
           // A missing column: the header's line.
           {"employee_no,from_period,post,grade,post_pay\nE1,2026-12,engineer,3,1\n", "1",
            "base_salary", "missing column"},
           // An unclosed quote: a line and no column.
           {header + "E1,2026-12,\"engineer,3,1,1\n", "2", "", ""},
       }) {
    Refusal r = UploadCsv(c.csv);
    EXPECT_EQ(r.code, grpc::StatusCode::INVALID_ARGUMENT) << c.csv;
    EXPECT_EQ(r.trailers["reason"], "CSV_INVALID") << c.csv << r.message;
    EXPECT_EQ(r.trailers["line"], c.line) << c.csv << r.message;
    EXPECT_EQ(r.trailers.count("column") ? r.trailers["column"] : "", c.column)
        << c.csv << r.message;
    const std::string where =
        c.column.empty() ? "line " + c.line + ": " : "line " + c.line + ", column " + c.column + ": ";
    EXPECT_EQ(r.message.rfind(where, 0), 0u) << r.message;
    EXPECT_NE(r.message.find(c.words), std::string::npos) << r.message;
  }
  EXPECT_EQ(ProfilesInForce("2026-12"), 0);  // nothing was written
  v1::SetPayProfilesResponse out;
  Refusal good = UploadCsv(header + "E1,2026-12,engineer,3,5000,8000\n\"E2\",2026-12,engineer,3,4500.5,7000\n",
                           &out);
  ASSERT_EQ(good.code, grpc::StatusCode::OK) << good.message;
  EXPECT_EQ(out.written(), 2);
  EXPECT_EQ(ProfilesInForce("2026-12"), 2);
  // Entries and a file at once are refused.
  v1::SetPayProfilesRequest both;
  both.set_csv(header);
  both.add_profiles()->set_employee_no("E1");
  EXPECT_EQ(appraisal_->SetPayProfiles(TestServer::Context("hr").get(), both, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace survey::testing
