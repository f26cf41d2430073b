// The campaign the fault suite and the deployment tests load: the demo
// organisation (deploy/demo/) imported through surveyctl, one open customer
// campaign, `per_employee` tickets for every front-line employee.
#ifndef SURVEY_TESTS_FAULT_DEMO_CAMPAIGN_H_
#define SURVEY_TESTS_FAULT_DEMO_CAMPAIGN_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "support/process.h"

namespace survey::fault {

struct DemoCampaign {
  std::string id;
  std::vector<std::string> tokens;  // one per ticket, in ticket order
};

// `ctl(args)` runs surveyctl as HR against the server under test; the
// ticket file and invitations are written under `work_dir`. Internal
// with the failing command's output if a step fails.
absl::StatusOr<DemoCampaign> OpenDemoCampaign(
    const std::function<testing::Result(std::vector<std::string>)>& ctl,
    const std::string& work_dir, const std::string& period, int per_employee);

}  // namespace survey::fault

#endif  // SURVEY_TESTS_FAULT_DEMO_CAMPAIGN_H_
