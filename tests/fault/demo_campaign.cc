#include "fault/demo_campaign.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "simulator/simulator.h"

namespace survey::fault {
namespace {

absl::Status Failed(const std::string& step, const testing::Result& r) {
  std::ostringstream out;
  out << r;
  return absl::InternalError(absl::StrCat(step, ": ", out.str()));
}

}  // namespace

absl::StatusOr<DemoCampaign> OpenDemoCampaign(
    const std::function<testing::Result(std::vector<std::string>)>& ctl,
    const std::string& work_dir, const std::string& period, int per_employee) {
  const std::string demo = absl::StrCat(SURVEY_SOURCE_DIR, "/deploy/demo/");
  testing::Result r =
      ctl({"org", "import", demo + "departments.csv", demo + "employees.csv"});
  if (r.exit_code != 0) return Failed("org import", r);
  r = ctl({"campaign", "create", "--kind", "customer", "--period", period,
           "--title-zh", "负载", "--title-en", "load"});
  if (r.exit_code != 0) return Failed("campaign create", r);
  DemoCampaign c;
  c.id = std::string(absl::StripAsciiWhitespace(r.out));
  r = ctl({"campaign", "open", c.id});
  if (r.exit_code != 0) return Failed("campaign open", r);
  {
    std::ofstream tickets(work_dir + "/tickets.csv");
    tickets << "subject_employee_no,ticket\n";
    std::ifstream employees(demo + "employees.csv");
    std::string line;
    std::getline(employees, line);  // header
    while (std::getline(employees, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ',');
      if (f.size() < 5 || f[4] == "other") continue;  // position: front line only
      for (int i = 0; i < per_employee; ++i) tickets << f[0] << ",T" << f[0] << "-" << i << "\n";
    }
  }
  r = ctl({"invitations", "issue", c.id, "--from", work_dir + "/tickets.csv", "--out",
           work_dir + "/inv"});
  if (r.exit_code != 0) return Failed("invitations issue", r);
  absl::StatusOr<std::vector<std::string>> tokens =
      sim::LoadTokens(work_dir + "/inv/invitations.csv");
  if (!tokens.ok()) return tokens.status();
  c.tokens = *std::move(tokens);
  return c;
}

}  // namespace survey::fault
