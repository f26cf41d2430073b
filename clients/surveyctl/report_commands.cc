// surveyctl report / verify: what HR, a manager or an employee may see.
//
// With --format table the Get* RPCs are called and printed; with csv or
// json the server's streaming export is written to stdout chunk by chunk
// (ExportReport / ExportResponses), so a 100 000-row report never sits in
// this process's memory either. What is withheld, and why, is decided by the
// server; this client only prints.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/output.h"
#include "survey/v1/report.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {
namespace {

using v1::ReportService;

struct ReportArgs {
  std::string range;
  std::string subject;
  std::string rated;
  std::string campaign;
  int page_size = 0;
};

v1::PeriodRange ParseRangeFlag(const std::string& text) {
  v1::PeriodRange r;
  if (text.size() == 4) {
    r.set_year(text);
  } else if (text.find("-Q") != std::string::npos) {
    r.set_quarter(text);
  } else {
    r.set_month(text);
  }
  return r;
}

std::string Reason(v1::Suppression s) {
  switch (s) {
    case v1::SUPPRESSION_NONE: return "";
    case v1::SUPPRESSION_BELOW_THRESHOLD: return "below_threshold";
    case v1::SUPPRESSION_COMPLEMENTARY: return "complementary";
    case v1::SUPPRESSION_CAMPAIGN_OPEN: return "campaign_open";
    case v1::SUPPRESSION_NO_DATA: return "no_data";
    default: return "withheld";
  }
}

std::string Fig(const v1::Figure& f, const char* fmt = "%.2f") {
  if (f.suppression() != v1::SUPPRESSION_NONE) return "-";
  return absl::StrFormat(fmt, f.value());
}

const std::vector<std::string> kHeader = {
    "rank", "subject", "name", "department", "n", "invited", "rate",
    "total", "ci95", "stddev", "change", "withheld"};

std::vector<std::string> Row(int rank, const std::string& code, const std::string& name,
                             const std::string& dept, const v1::Figures& f) {
  std::string ci = f.total().suppression() == v1::SUPPRESSION_NONE && f.has_ci95()
                       ? absl::StrFormat("%.1f..%.1f", f.ci95().low(), f.ci95().high())
                       : "-";
  return {rank > 0 ? std::to_string(rank) : "",
          code,
          name,
          dept,
          Fig(f.responses(), "%.0f"),
          Fig(f.invitations(), "%.0f"),
          f.response_rate().suppression() == v1::SUPPRESSION_NONE
              ? absl::StrFormat("%.0f%%", 100 * f.response_rate().value())
              : "-",
          Fig(f.total()),
          ci,
          Fig(f.stddev()),
          Fig(f.change_vs_previous(), "%+.2f"),
          Reason(f.total().suppression())};
}

void PrintIndicators(const v1::Figures& f) {
  if (f.indicators_size() == 0) return;
  Table t{{"indicator", "sub_indicator", "mean", "weighted", "1", "2", "3", "4", "5", "6",
           "7", "8", "9", "10"},
          {}};
  for (const auto& ind : f.indicators()) {
    t.rows.push_back({ind.key(), "", Fig(ind.mean()), Fig(ind.weighted_score()), "", "", "",
                      "", "", "", "", "", "", ""});
    for (const auto& sub : ind.sub_indicators()) {
      std::vector<std::string> r = {"", sub.key(), Fig(sub.mean()), ""};
      for (int64_t c : sub.distribution()) r.push_back(std::to_string(c));
      t.rows.push_back(std::move(r));
    }
  }
  std::cout << "\n";
  Print(t, Format::kTable, std::cout);
}

// Streams an export to stdout. Returns the exit code.
template <typename Reader>
int Stream(Reader reader, const std::string& what) {
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) std::cout << chunk.data();
  std::cout.flush();
  grpc::Status s = reader->Finish();
  return s.ok() ? 0 : Fail(what, s);
}

v1::ExportFormat ExportFormatOf(const GlobalOptions& g) {
  return ParseFormat(g.format) == Format::kJson ? v1::EXPORT_FORMAT_JSON_LINES
                                                : v1::EXPORT_FORMAT_CSV;
}

bool Streaming(const GlobalOptions& g) { return ParseFormat(g.format) != Format::kTable; }

int Export(const GlobalOptions& g, v1::ExportReportRequest req) {
  req.set_format(ExportFormatOf(g));
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    auto ctx = MakeContext(g.connection);
    return Stream(stub.ExportReport(ctx.get(), req), "cannot export the report");
  });
}

int EmployeeOrDepartment(const GlobalOptions& g, const ReportArgs& a, bool employee) {
  v1::SubjectReportRequest req;
  if (employee) {
    req.mutable_subject()->set_employee_no(a.subject);
  } else {
    req.mutable_subject()->set_department_code(a.subject);
  }
  *req.mutable_range() = ParseRangeFlag(a.range);
  if (Streaming(g)) {
    v1::ExportReportRequest ex;
    *ex.mutable_subject() = req;
    return Export(g, ex);
  }
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    v1::SubjectReport r;
    auto ctx = MakeContext(g.connection);
    grpc::Status s = stub.GetSubjectReport(ctx.get(), req, &r);
    if (!s.ok()) return Fail("cannot read the report", s);
    Table t{kHeader, {}};
    t.rows.push_back(Row(0, employee ? r.subject().employee_no() : r.subject().department_code(),
                         r.subject().display_name(),
                         employee ? r.subject().department_code_of_employee()
                                  : r.subject().department_code(),
                         r.figures()));
    std::cout << a.range << " (k = " << r.figures().k() << ")\n";
    Print(t, Format::kTable, std::cout);
    PrintIndicators(r.figures());
    return 0;
  });
}

int DepartmentView(const GlobalOptions& g, const ReportArgs& a) {
  v1::DepartmentReportRequest req;
  req.set_department_code(a.subject);
  *req.mutable_range() = ParseRangeFlag(a.range);
  if (Streaming(g)) {
    v1::ExportReportRequest ex;
    *ex.mutable_department() = req;
    return Export(g, ex);
  }
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    v1::DepartmentReport r;
    auto ctx = MakeContext(g.connection);
    grpc::Status s = stub.GetDepartmentReport(ctx.get(), req, &r);
    if (!s.ok()) return Fail("cannot read the report", s);
    Table t{kHeader, {}};
    t.rows.push_back(Row(0, r.department_code(), "(department)", r.department_code(),
                         r.department()));
    for (const auto& e : r.employees()) {
      t.rows.push_back(Row(e.rank(), e.subject().employee_no(), e.subject().display_name(),
                           e.subject().department_code_of_employee(), e.figures()));
    }
    Print(t, Format::kTable, std::cout);
    return 0;
  });
}

int OrganisationView(const GlobalOptions& g, const ReportArgs& a) {
  v1::OrganisationReportRequest req;
  *req.mutable_range() = ParseRangeFlag(a.range);
  if (Streaming(g)) {
    v1::ExportReportRequest ex;
    *ex.mutable_organisation() = req;
    return Export(g, ex);
  }
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    Table depts{kHeader, {}}, employees{kHeader, {}};
    std::string token;
    do {
      req.set_page_token(token);
      req.set_page_size(a.page_size);
      v1::OrganisationReport r;
      auto ctx = MakeContext(g.connection);
      grpc::Status s = stub.GetOrganisationReport(ctx.get(), req, &r);
      if (!s.ok()) return Fail("cannot read the report", s);
      for (const auto& d : r.departments()) {
        depts.rows.push_back(Row(d.rank(), d.subject().department_code(),
                                 d.subject().display_name(), d.subject().department_code(),
                                 d.figures()));
      }
      for (const auto& e : r.employees()) {
        employees.rows.push_back(Row(e.rank(), e.subject().employee_no(),
                                     e.subject().display_name(),
                                     e.subject().department_code_of_employee(), e.figures()));
      }
      token = r.next_page_token();
    } while (!token.empty());
    std::cout << "departments\n";
    Print(depts, Format::kTable, std::cout);
    std::cout << "\nemployees (ranked by the lower bound of the 95% interval)\n";
    Print(employees, Format::kTable, std::cout);
    return 0;
  });
}

int CrossView(const GlobalOptions& g, const ReportArgs& a) {
  v1::CrossEvaluationReportRequest req;
  req.set_rated_department_code(a.rated);
  *req.mutable_range() = ParseRangeFlag(a.range);
  if (Streaming(g)) {
    v1::ExportReportRequest ex;
    *ex.mutable_cross_evaluation() = req;
    return Export(g, ex);
  }
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    v1::CrossEvaluationReport r;
    auto ctx = MakeContext(g.connection);
    grpc::Status s = stub.GetCrossEvaluationReport(ctx.get(), req, &r);
    if (!s.ok()) return Fail("cannot read the report", s);
    std::vector<std::string> header = kHeader;
    header[1] = "rated";
    header[3] = "by";
    Table t{header, {}};
    for (const auto& row : r.rows()) {
      t.rows.push_back(Row(0, row.rated_department_code(), "", "(all)", row.overall()));
      for (const auto& c : row.by_evaluator()) {
        t.rows.push_back(
            Row(0, row.rated_department_code(), "", c.evaluating_department_code(), c.figures()));
      }
    }
    Print(t, Format::kTable, std::cout);
    return 0;
  });
}

int Comments(const GlobalOptions& g, const ReportArgs& a, bool employee) {
  v1::CommentsRequest req;
  if (employee) {
    req.mutable_subject()->set_employee_no(a.subject);
  } else {
    req.mutable_subject()->set_department_code(a.subject);
  }
  *req.mutable_range() = ParseRangeFlag(a.range);
  return WithStub<ReportService>(g, [&](ReportService::Stub& stub) {
    v1::CommentsResponse r;
    auto ctx = MakeContext(g.connection);
    grpc::Status s = stub.GetComments(ctx.get(), req, &r);
    if (!s.ok()) return Fail("cannot read comments", s);
    if (r.suppression() != v1::SUPPRESSION_NONE) {
      std::cout << "comments withheld: " << Reason(r.suppression()) << "\n";
      return 0;
    }
    Table t{{"comment"}, {}};
    for (const std::string& c : r.comments()) t.rows.push_back({c});
    Print(t, ParseFormat(g.format), std::cout);
    return 0;
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* group = app.add_subcommand(
      "report", "satisfaction figures (--format csv|json streams the server's export)");
  group->require_subcommand(1);
  auto range = [args](CLI::App* c) {
    c->add_option("--range", args->range, "month 2026-11, quarter 2026-Q4 or year 2026")
        ->required();
  };
  CLI::App* emp = group->add_subcommand("employee", "one employee");
  emp->add_option("employee_no", args->subject)->required();
  range(emp);
  emp->callback([&global, exit_code, args] {
    *exit_code = EmployeeOrDepartment(global, *args, true);
  });
  CLI::App* dept = group->add_subcommand("department", "a department and its employees, ranked");
  dept->add_option("code", args->subject)->required();
  range(dept);
  dept->callback([&global, exit_code, args] { *exit_code = DepartmentView(global, *args); });
  CLI::App* org = group->add_subcommand("org", "HR: every department and employee, ranked");
  range(org);
  org->add_option("--page-size", args->page_size, "employees per call (default 1000)");
  org->callback([&global, exit_code, args] { *exit_code = OrganisationView(global, *args); });
  CLI::App* cross = group->add_subcommand("cross", "cross-evaluation results");
  cross->add_option("--rated", args->rated, "rated department (default: all you may see)");
  range(cross);
  cross->callback([&global, exit_code, args] { *exit_code = CrossView(global, *args); });
  CLI::App* comments = group->add_subcommand("comments", "free texts of a large enough group");
  auto* e = comments->add_option("--employee", args->subject, "employee number");
  auto* d = comments->add_option("--department", args->rated, "department code");
  e->excludes(d);
  range(comments);
  comments->callback([&global, exit_code, args] {
    if (args->subject.empty() && args->rated.empty()) {
      std::cerr << "give --employee or --department\n";
      *exit_code = 2;
      return;
    }
    ReportArgs a = *args;
    if (a.subject.empty()) a.subject = a.rated;
    *exit_code = Comments(global, a, !args->subject.empty());
  });
  CLI::App* rows = group->add_subcommand(
      "responses", "HR analysts: anonymised score rows of a closed campaign (csv or json)");
  rows->add_option("campaign_id", args->campaign)->required();
  rows->callback([&global, exit_code, args] {
    v1::ExportResponsesRequest req;
    req.set_campaign_id(args->campaign);
    req.set_format(ExportFormatOf(global));
    *exit_code = WithStub<ReportService>(global, [&](ReportService::Stub& stub) {
      auto ctx = MakeContext(global.connection);
      return Stream(stub.ExportResponses(ctx.get(), req), "cannot export responses");
    });
  });
  for (CLI::App* c : group->get_subcommands({})) c->fallthrough();

  CLI::App* verify = app.add_subcommand(
      "verify", "recompute every aggregate from the stored responses; exit 1 on differences");
  verify->add_option("campaign_id", args->campaign, "one campaign (default: all)");
  verify->fallthrough();
  verify->callback([&global, exit_code, args] {
    *exit_code = WithStub<ReportService>(global, [&](ReportService::Stub& stub) {
      v1::VerifyRequest req;
      req.set_campaign_id(args->campaign);
      v1::VerifyResponse r;
      auto ctx = MakeContext(global.connection);
      grpc::Status s = stub.Verify(ctx.get(), req, &r);
      if (!s.ok()) return Fail("cannot verify", s);
      std::cout << "aggregates checked: " << r.aggregates_checked()
                << ", responses checked: " << r.responses_checked()
                << ", differences: " << r.differences_size() << "\n";
      for (const std::string& id : r.campaigns_past_retention()) {
        std::cout << "campaign " << id
                  << ": answers removed under retention; its figures are final\n";
      }
      if (r.differences_size() == 0) return 0;
      Table t{{"campaign", "subject", "period", "group", "field", "stored", "recomputed"}, {}};
      for (const auto& d : r.differences()) {
        t.rows.push_back({d.campaign_id(),
                          d.subject().has_employee_no() ? d.subject().employee_no()
                                                        : d.subject().department_code(),
                          d.period(), d.evaluating_department_code(), d.field(), d.stored(),
                          d.recomputed()});
      }
      Print(t, ParseFormat(global.format), std::cout);
      return 1;
    });
  });
}

}  // namespace survey::client
