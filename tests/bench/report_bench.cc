// Report benchmark (issue: HR organisation report over 10 000 employees x
// 12 months of aggregates, target under 200 ms server time).
//
// Builds an organisation of --employees employees in --departments
// departments through AdminService, creates and closes 12 monthly customer
// campaigns for one year through AdminService, then writes the aggregates
// and invitation tallies straight into the database (as if the answers had
// come in; the ingest path has its own benchmark). Then it times, over
// loopback gRPC (the time includes encoding and the round trip, so it
// bounds the server time from above):
//   - GetOrganisationReport for the year (first page of 1000 employees),
//   - the same for one month,
//   - ExportReport of the whole organisation view for the year (CSV).
// Closed campaigns never change, so the server reads them once and keeps
// them; the first call's time is printed separately.
// Run through tests/bench/run.sh, or with SURVEY_TEST_DB_URL(_FILE) set.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/bench_org.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"

namespace {

using survey::testing::TestServer;
namespace v1 = survey::v1;

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

int Fail(const std::string& what, const grpc::Status& s) {
  std::cerr << what << ": " << s.error_message() << "\n";
  return 1;
}

struct Timing {
  std::vector<double> ms;
  double Median() {
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  }
  double Min() { return *std::min_element(ms.begin(), ms.end()); }
};

}  // namespace

int main(int argc, char** argv) {
  int employees = 10000, departments = 50, runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--employees") employees = std::stoi(argv[i + 1]);
    if (flag == "--departments") departments = std::stoi(argv[i + 1]);
    if (flag == "--runs") runs = std::stoi(argv[i + 1]);
  }
  survey::api::ServerOptions options;
  // A 10 000-employee import is one all-or-nothing message of ~350 KB.
  options.max_receive_message_bytes = 16 << 20;
  auto ts = TestServer::Start(options);
  if (!ts.ok()) {
    std::cerr << "cannot start the server: " << ts.status() << "\n";
    return 1;
  }
  auto admin = v1::AdminService::NewStub((*ts)->channel());
  auto report = v1::ReportService::NewStub((*ts)->channel());

  // Organisation.
  if (grpc::Status s = survey::bench::ImportOrg(*admin, employees, departments); !s.ok()) {
    return Fail("import", s);
  }
  // Twelve closed campaigns.
  std::vector<std::string> campaigns;
  for (int m = 1; m <= 12; ++m) {
    std::string id;
    grpc::Status s = survey::bench::ClosedCampaign(*admin, absl::StrFormat("2025-%02d", m), &id);
    if (!s.ok()) return Fail("campaign", s);
    campaigns.push_back(id);
  }
  // Aggregates and tallies: n in 0..15 per employee and month, totals of
  // plausible responses (default template, D = 120 units per point).
  auto load_start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(7);
  int64_t rows = 0;
  for (size_t m = 0; m < campaigns.size(); ++m) {
    std::string aggs, tallies;
    auto flush = [&]() -> bool {
      if (aggs.empty()) return true;
      if (!(*ts)->db().Execute(absl::StrCat(
              "INSERT INTO aggregate (campaign_id, subject_kind, subject_code, period,"
              " group_code, n, total_sum, total_sum_sq) VALUES ", aggs)).ok() ||
          !(*ts)->db().Execute(absl::StrCat(
              "INSERT INTO invitation_tally (campaign_id, subject_kind, subject_code,"
              " group_code, issued, revoked) VALUES ", tallies)).ok()) {
        return false;
      }
      aggs.clear();
      tallies.clear();
      return true;
    };
    for (int e = 0; e < employees; ++e) {
      const int64_t n = static_cast<int64_t>(rng() % 16);
      const int64_t issued = n + static_cast<int64_t>(rng() % 10);
      int64_t sum = 0, sum_sq = 0;
      for (int64_t i = 0; i < n; ++i) {
        int64_t units = 120 * (60 + static_cast<int64_t>(rng() % 41));  // 60..100 points
        sum += units;
        sum_sq += units * units;
      }
      const std::string no = absl::StrFormat("E%06d", e);
      if (n > 0) {
        absl::StrAppend(&aggs, aggs.empty() ? "" : ",", "('", campaigns[m], "','employee','",
                        no, "','", absl::StrFormat("2025-%02d", m + 1), "','',", n, ",",
                        sum, ",", sum_sq, ")");
        ++rows;
      }
      absl::StrAppend(&tallies, tallies.empty() ? "" : ",", "('", campaigns[m],
                      "','employee','", no, "','',", issued, ",0)");
      if (e % 2000 == 1999 && !flush()) {
        std::cerr << "cannot load aggregates\n";
        return 1;
      }
    }
    if (!flush()) {
      std::cerr << "cannot load aggregates\n";
      return 1;
    }
  }
  std::printf("data: %d employees, %d departments, 12 closed monthly campaigns, %lld "
              "aggregates (loaded in %.1f s)\n",
              employees, departments, static_cast<long long>(rows),
              Ms(std::chrono::steady_clock::now() - load_start) / 1000);

  // The floor: reading the year's totals straight from the database.
  Timing raw;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    auto rows_read = (*ts)->db().Query(
        "SELECT campaign_id, subject_code, group_code, n, total_sum, total_sum_sq"
        " FROM aggregate WHERE subject_kind = 'employee' AND period BETWEEN '2025-01'"
        " AND '2025-12'");
    if (!rows_read.ok()) {
      std::cerr << rows_read.status() << "\n";
      return 1;
    }
    raw.ms.push_back(Ms(std::chrono::steady_clock::now() - start));
  }
  std::printf("raw SQL read of the year's %lld aggregates (test client): median %.1f ms\n",
              static_cast<long long>(rows), raw.Median());

  double cold_ms = 0;  // the first call reads the closed campaigns from the database
  auto time_org = [&](const std::string& range, bool year, Timing* t) -> grpc::Status {
    for (int r = 0; r < runs + 1; ++r) {
      v1::OrganisationReportRequest req;
      if (year) {
        req.mutable_range()->set_year(range);
      } else {
        req.mutable_range()->set_month(range);
      }
      req.set_page_size(1000);
      v1::OrganisationReport out;
      auto ctx = TestServer::Context("hr");
      auto start = std::chrono::steady_clock::now();
      grpc::Status s = report->GetOrganisationReport(ctx.get(), req, &out);
      if (!s.ok()) return s;
      const double ms = Ms(std::chrono::steady_clock::now() - start);
      if (r > 0) {
        t->ms.push_back(ms);
      } else if (year) {
        cold_ms = ms;
      }
      if (out.employees_size() != std::min(employees, 1000)) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "short page");
      }
    }
    return grpc::Status::OK;
  };
  Timing year, month, export_year;
  grpc::Status s = time_org("2025", true, &year);
  if (!s.ok()) return Fail("organisation report (year)", s);
  s = time_org("2025-06", false, &month);
  if (!s.ok()) return Fail("organisation report (month)", s);
  int64_t export_bytes = 0, export_lines = 0;
  for (int r = 0; r < runs; ++r) {
    v1::ExportReportRequest req;
    req.mutable_organisation()->mutable_range()->set_year("2025");
    auto ctx = TestServer::Context("hr");
    auto start = std::chrono::steady_clock::now();
    auto reader = report->ExportReport(ctx.get(), req);
    v1::ExportChunk chunk;
    export_bytes = export_lines = 0;
    while (reader->Read(&chunk)) {
      export_bytes += static_cast<int64_t>(chunk.data().size());
      export_lines += std::count(chunk.data().begin(), chunk.data().end(), '\n');
    }
    if (!(s = reader->Finish()).ok()) return Fail("export", s);
    export_year.ms.push_back(Ms(std::chrono::steady_clock::now() - start));
  }
  std::printf("organisation report, year (12 months, first page of 1000): median %.1f ms, "
              "min %.1f ms  [target < 200 ms: %s]\n",
              year.Median(), year.Min(), year.Median() < 200 ? "met" : "NOT met");
  std::printf("  (first call, reading the 12 closed campaigns into the cache: %.1f ms)\n",
              cold_ms);
  std::printf("organisation report, one month:                         median %.1f ms, "
              "min %.1f ms\n",
              month.Median(), month.Min());
  std::printf("export of the whole year view (%lld lines, %.1f MB CSV):   median %.1f ms\n",
              static_cast<long long>(export_lines), export_bytes / 1e6, export_year.Median());
  std::printf("ratio year/month: %.2f\n", year.Median() / month.Median());
  return 0;
}
