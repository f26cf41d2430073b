// Anonymity beyond the reports (issue 12): every figure that leaves the
// server about one subject, read the way its viewers read it, and every
// subtraction among them. Channels:
//   1. the appraisal window widening over a month with fewer than k answers;
//   2. the same for a department's customer (cross-evaluation) part;
//   3. an appraisal k configured below the campaigns' k;
//   4. a second campaign in a month, pushed again (sheet history).
// The attack is the insider's: take any two released figures (sheet lines,
// sheet history, department appraisal, subject reports for months, quarter
// and year), subtract, and compare with the answers that are withheld.
// Each withheld month has its own total, so a difference that reproduces
// one is that month's answers exposed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "integration/survey_fixture.h"
#include "survey/v1/appraisal.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::testing {
namespace {

struct Figure {
  std::string where;
  int64_t n;
  double sum;  // n x mean, on the 100-point scale
};

class DisclosureTest : public SurveyFixture {
 protected:
  void SetUp() override {
    SurveyFixture::SetUp();
    if (HasFatalFailure()) return;
    appraisal_ = v1::AppraisalService::NewStub(ts_->channel());
    report_ = v1::ReportService::NewStub(ts_->channel());
  }

  std::string Campaign(v1::CampaignKind kind, const std::string& period) {
    v1::CreateCampaignRequest req;
    req.mutable_campaign()->set_kind(kind);
    req.mutable_campaign()->set_period(period);
    req.mutable_campaign()->set_template_key("default");
    v1::Campaign out;
    grpc::Status s = admin_->CreateCampaign(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(Transition(out.id(), true).ok());
    return out.id();
  }
  void Answer(const std::string& campaign, const std::string& employee, int n,
              int score) {
    for (const std::string& t : Issue(campaign, std::vector<std::string>(n, employee))) {
      ASSERT_TRUE(Submit(t, Scores(score)).ok());
    }
  }
  // `n` evaluators of `rated`, every score `score`.
  void AnswerCross(const std::string& campaign, const std::string& rated, int n,
                   int score) {
    for (const v1::IssuedInvitation& inv : IssueCross(campaign)) {
      if (n == 0) break;
      if (inv.subject().department_code() != rated) continue;
      ASSERT_TRUE(Submit(inv.token(), Scores(score)).ok());
      --n;
    }
    ASSERT_EQ(n, 0) << "not enough evaluators";
  }
  void Close(const std::string& c) { ASSERT_TRUE(Transition(c, false).ok()); }
  void Push(const std::string& period) {
    v1::PushSatisfactionRequest req;
    req.set_period(period);
    v1::PushSatisfactionResponse out;
    grpc::Status s =
        appraisal_->PushSatisfaction(TestServer::Context("hr").get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  void SetK(const std::string& period, int k) {
    v1::GetPeriodConfigRequest get;
    get.set_period(period);
    v1::PeriodConfig c;
    ASSERT_TRUE(appraisal_->GetPeriodConfig(TestServer::Context("hr").get(), get, &c).ok());
    c.set_period(period);
    c.set_anonymity_k(k);
    v1::PeriodConfig out;
    grpc::Status s = appraisal_->SetPeriodConfig(TestServer::Context("hr").get(), c, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static void AddProvenance(const std::string& where, const v1::Provenance& p,
                            std::vector<Figure>* out) {
    if (p.insufficient_responses() || p.responses() == 0) return;
    out->push_back({where, p.responses(), p.responses() * p.mean()});
  }

  // Everything `viewer` can read about employee `no` over `months`.
  std::vector<Figure> EmployeeFigures(const std::string& viewer, const std::string& no,
                                      const std::vector<std::string>& months) {
    std::vector<Figure> out;
    for (const std::string& m : months) {
      v1::GetSheetRequest req;
      req.set_employee_no(no);
      req.set_period(m);
      v1::Sheet sheet;
      if (appraisal_->GetSheet(TestServer::Context(viewer).get(), req, &sheet).ok()) {
        for (const v1::SheetLine& l : sheet.lines()) {
          if (l.satisfaction()) AddProvenance("sheet " + m, l.provenance(), &out);
        }
      }
      v1::SheetHistory history;
      if (appraisal_->GetSheetHistory(TestServer::Context(viewer).get(), req, &history).ok()) {
        for (const v1::SheetChange& c : history.changes()) {
          for (const std::string* text : {&c.before(), &c.after()}) {
            AddHistoryFigures("history " + m, *text, &out);
          }
        }
      }
      AddReport(viewer, no, [&](v1::PeriodRange* r) { r->set_month(m); }, "report " + m, &out);
      v1::ListSheetsRequest list;
      list.set_period(m);
      v1::ListSheetsResponse sheets;
      if (appraisal_->ListSheets(TestServer::Context(viewer).get(), list, &sheets).ok()) {
        for (const v1::Sheet& sh : sheets.sheets()) {
          if (sh.employee_no() != no) continue;
          for (const v1::SheetLine& l : sh.lines()) {
            if (l.satisfaction()) AddProvenance("sheet list " + m, l.provenance(), &out);
          }
        }
      }
      AddDepartment(viewer, [&](v1::PeriodRange* r) { r->set_month(m); },
                    "department report " + m, &out);
    }
    AddDepartment(viewer, [](v1::PeriodRange* r) { r->set_quarter("2026-Q4"); },
                  "department report Q4", &out);
    AddDepartment(viewer, [](v1::PeriodRange* r) { r->set_year("2026"); },
                  "department report 2026", &out);
    AddReport(viewer, no, [](v1::PeriodRange* r) { r->set_quarter("2026-Q3"); }, "report Q3", &out);
    AddReport(viewer, no, [](v1::PeriodRange* r) { r->set_quarter("2026-Q4"); }, "report Q4", &out);
    AddReport(viewer, no, [](v1::PeriodRange* r) { r->set_year("2026"); }, "report 2026", &out);
    return out;
  }

  // History entries carry the sheet as JSON text, each line's provenance
  // included. Every provenance object in it with a mean is a released
  // figure. (Escaped quotes are allowed, should it ever be a string.)
  static void AddHistoryFigures(const std::string& where, const std::string& text,
                                std::vector<Figure>* out) {
    static const std::regex kMean(R"re(mean\\?":\s*(-?[0-9.eE+-]+))re");
    static const std::regex kResponses(R"re([^_]responses\\?":\s*([0-9]+))re");
    size_t at = text.find("provenance");
    while (at != std::string::npos) {
      size_t next = text.find("provenance", at + 1);
      std::string object = text.substr(at, next == std::string::npos ? next : next - at);
      std::smatch mean, n;
      if (std::regex_search(object, mean, kMean) &&
          std::regex_search(object, n, kResponses)) {
        int64_t count = std::stoll(n[1]);
        if (count > 0) out->push_back({where, count, count * std::stod(mean[1])});
      }
      at = next;
    }
  }

  // AS's report: the department's figure and each employee's (only E1
  // has answers in these tests, so every figure is about E1's answers).
  template <typename SetRange>
  void AddDepartment(const std::string& viewer, SetRange set, const std::string& where,
                     std::vector<Figure>* out) {
    v1::DepartmentReportRequest req;
    req.set_department_code("AS");
    set(req.mutable_range());
    v1::DepartmentReport r;
    if (!report_->GetDepartmentReport(TestServer::Context(viewer).get(), req, &r).ok()) return;
    auto add = [&](const v1::Figures& f, const std::string& what) {
      if (f.total().suppression() != v1::SUPPRESSION_NONE) return;
      int64_t n = static_cast<int64_t>(f.responses().value());
      out->push_back({where + " " + what, n, n * f.total().value()});
    };
    add(r.department(), "AS");
    for (const auto& e : r.employees()) add(e.figures(), e.subject().employee_no());
  }

  template <typename SetRange>
  void AddReport(const std::string& viewer, const std::string& no, SetRange set,
                 const std::string& where, std::vector<Figure>* out) {
    v1::SubjectReportRequest req;
    req.mutable_subject()->set_employee_no(no);
    set(req.mutable_range());
    v1::SubjectReport r;
    if (!report_->GetSubjectReport(TestServer::Context(viewer).get(), req, &r).ok()) return;
    if (r.figures().total().suppression() != v1::SUPPRESSION_NONE) return;
    int64_t n = static_cast<int64_t>(r.figures().responses().value());
    out->push_back({where, n, n * r.figures().total().value()});
  }

  // Fails for every released figure about fewer than k answers, and every
  // pair whose difference reproduces a withheld month's answers.
  static void ExpectNoLeak(const std::vector<Figure>& figures, int64_t k,
                           const std::map<std::string, std::pair<int64_t, double>>& withheld) {
    ASSERT_FALSE(figures.empty());
    for (const Figure& f : figures) {
      EXPECT_GE(f.n, k) << f.where << " shows " << f.n << " answers";
    }
    for (const Figure& a : figures) {
      for (const Figure& b : figures) {
        int64_t dn = a.n - b.n;
        if (dn <= 0 || dn >= k) continue;
        double mean = (a.sum - b.sum) / dn;
        for (const auto& [month, w] : withheld) {
          bool exposed = dn == w.first && std::abs(mean - w.second) < 1e-6;
          EXPECT_FALSE(exposed) << a.where << " (n=" << a.n << ") minus " << b.where
                                << " (n=" << b.n << ") gives " << month
                                << "'s withheld answers: " << dn << " x " << mean;
        }
      }
    }
  }

  std::unique_ptr<v1::AppraisalService::Stub> appraisal_;
  std::unique_ptr<v1::ReportService::Stub> report_;
};

TEST_F(DisclosureTest, EmployeeFiguresNeverIsolateWithheldAnswers) {
  auto customer = [&](const std::string& period) {
    return Campaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION, period);
  };
  // Channel 1: September 5 answers (released), October 1 (withheld).
  std::string sep = customer("2026-09");
  Answer(sep, "E1", 5, 6);
  Close(sep);
  Push("2026-09");
  std::string oct = customer("2026-10");
  Answer(oct, "E1", 1, 3);
  Close(oct);
  Push("2026-10");
  // Channel 4: November, campaign A with 5 answers, pushed; then campaign
  // B with 2 more, pushed again.
  std::string nov_a = customer("2026-11");
  Answer(nov_a, "E1", 5, 8);
  Close(nov_a);
  Push("2026-11");
  std::string nov_b = customer("2026-11");
  Answer(nov_b, "E1", 2, 2);
  Close(nov_b);
  Push("2026-11");
  // Channel 3: HR sets the appraisal's k to 3 for December, whose campaign
  // (k = 5) has 3 answers.
  SetK("2026-12", 3);
  std::string dec = customer("2026-12");
  Answer(dec, "E1", 3, 4);
  Close(dec);
  Push("2026-12");

  const std::map<std::string, std::pair<int64_t, double>> withheld = {
      {"2026-10", {1, 30.0}}, {"2026-11 B", {2, 20.0}}, {"2026-12", {3, 40.0}}};
  const std::vector<std::string> months = {"2026-09", "2026-10", "2026-11", "2026-12"};
  for (const char* viewer : {"employee:E1", "manager:AS", "hr"}) {
    SCOPED_TRACE(viewer);
    std::vector<Figure> figures = EmployeeFigures(viewer, "E1", months);
    ExpectNoLeak(figures, 5, withheld);
  }
  // Widening still gives October a fair line: September's 5 answers.
  v1::GetSheetRequest req;
  req.set_employee_no("E1");
  req.set_period("2026-10");
  v1::Sheet oct_sheet;
  ASSERT_TRUE(appraisal_->GetSheet(TestServer::Context("hr").get(), req, &oct_sheet).ok());
  bool found = false;
  for (const v1::SheetLine& l : oct_sheet.lines()) {
    if (!l.satisfaction()) continue;
    found = true;
    EXPECT_FALSE(l.provenance().insufficient_responses());
    EXPECT_EQ(l.provenance().responses(), 5);
    EXPECT_NEAR(l.provenance().mean(), 60.0, 1e-9);
    EXPECT_GE(l.provenance().anonymity_k(), 5);
  }
  EXPECT_TRUE(found);
}

TEST_F(DisclosureTest, DepartmentCustomerPartNeverIsolatesAnEvaluator) {
  // AS gets six members so that CS can be rated by five evaluators.
  v1::ImportOrgRequest org;
  for (const char* no : {"A3", "A4", "A5", "A6"}) {
    v1::Employee* e = org.add_employees();
    e->set_employee_no(no);
    e->set_name(no);
    e->set_department_code("AS");
    e->set_post_type(v1::POST_TYPE_OTHER);
    e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  }
  v1::ImportOrgResponse imported;
  grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &imported);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::string sep = Campaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, "2026-09");
  AnswerCross(sep, "CS", 5, 6);
  Close(sep);
  Push("2026-09");
  std::string oct = Campaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, "2026-10");
  AnswerCross(oct, "CS", 1, 3);
  Close(oct);
  Push("2026-10");

  std::vector<Figure> figures;
  for (const char* m : {"2026-09", "2026-10"}) {
    v1::GetDepartmentAppraisalRequest req;
    req.set_department_code("CS");
    req.set_period(m);
    v1::DepartmentAppraisal a;
    for (const char* viewer : {"manager:CS", "hr"}) {
      s = appraisal_->GetDepartmentAppraisal(TestServer::Context(viewer).get(), req, &a);
      ASSERT_TRUE(s.ok()) << viewer << ": " << s.error_message();
      AddProvenance(absl::StrCat(viewer, " department appraisal ", m),
                    a.customer_provenance(), &figures);
    }
  }
  ExpectNoLeak(figures, 5, {{"2026-10", {1, 30.0}}});
}

}  // namespace
}  // namespace survey::testing
