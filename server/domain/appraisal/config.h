// Per-period appraisal configuration (DOMAIN.md §3, §4, §5): the weights HR
// sets for a period, with the defaults the seed documents give. The service
// stores one AppraisalConfig per period (defaults carry forward); every
// function of this library takes the configuration as an argument and reads
// nothing else.
//
// All weights are whole percentages, as on the paper forms.
//
// Decisions (DOMAIN.md is silent):
//   - "Other" posts have no management section: its weight must be 0.
//   - The management-behaviour split (self 20 / subordinates 20 / superior
//     60) and the customer-service sheet's parts are configuration too, and
//     validated like the section weights (sum 100).
//   - The department weights need not sum to 100: DOMAIN keeps 30/30/20 = 80
//     literally. They must sum to 1..100.
//   - The satisfaction window may widen over 0..3 earlier periods (DOMAIN
//     says "at most 3"); k is 3..1000 (DOMAIN: never below 3).
#ifndef SURVEY_DOMAIN_APPRAISAL_CONFIG_H_
#define SURVEY_DOMAIN_APPRAISAL_CONFIG_H_

#include "absl/status/status.h"
#include "domain/org.h"

namespace survey::domain::appraisal {

// Which sheet a period uses. kStandard is the six-section sheet of seed 002;
// kCustomerService the morality/diligence/ability/performance sheet of 001.
enum class SheetTemplate { kStandard, kCustomerService };

// Weights of the standard sheet's weighted sections for one post type, in
// percent of the sheet. Sections 1 (KPI) and 2 (work goals) share one weight
// that the appraiser splits per sheet (SheetInput::kpi_weight).
struct SectionWeights {
  int kpi_goals = 80;  // sections 1 + 2
  int behaviour = 20;  // section 3
  int management = 0;  // section 4
};

// How a management-behaviour line's score is made (seed 002, 4.4).
struct ManagementParts {
  int self = 20;
  int subordinates = 20;
  int superior = 60;
};

// The customer-service sheet (seed 001, 4.5.3): points of each part.
struct CustomerServiceWeights {
  int morality = 20;     // 德
  int diligence = 20;    // 勤
  int ability = 30;      // 能
  int performance = 30;  // 绩
};

// The customer-service year-end score (seed 001, 4.6).
struct YearEndComposition {
  int checks = 20;    // weekly and monthly checks
  int monthly = 30;   // monthly appraisals
  int year_end = 50;  // the year-end appraisal
};

// Department total = (duties × d + plan × p + customer × c) / 100 × factor.
struct DepartmentWeights {
  int duties = 30;
  int plan = 30;
  int customer = 20;
};

// Share of the department's total in a quarterly score (seed 003, note 3).
struct QuarterCarry {
  int manager = 80;  // percent of the department manager's quarterly score
  int member = 20;   // percent of each other member's quarterly score
};

struct AppraisalConfig {
  SheetTemplate sheet_template = SheetTemplate::kStandard;
  SectionWeights management_post{80, 10, 10};
  SectionWeights other_post{80, 20, 0};
  ManagementParts management_parts;
  CustomerServiceWeights customer_service;
  YearEndComposition year_end;
  // The satisfaction line's weight in percent of section 1 (standard sheet)
  // or of the performance part (customer-service sheet). 0 turns the line
  // off: PushSatisfaction then writes no line (a 0-weight line is invalid).
  int satisfaction_weight = 20;
  int anonymity_k = 5;
  int max_window_periods = 3;
  DepartmentWeights department;
  QuarterCarry quarter;
};

// Returns OK, or InvalidArgument naming the first offending field and the
// rule, e.g. "management_post section weights sum to 95, must be 100".
absl::Status ValidateConfig(const AppraisalConfig& config);

// The section weights for `post`.
const SectionWeights& WeightsFor(const AppraisalConfig& config, PostType post);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_CONFIG_H_
