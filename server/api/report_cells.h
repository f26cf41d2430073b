// Builds report cells: loads per-campaign parts through the ReportStore,
// applies the disclosure rules of domain/disclosure.h among the right
// siblings, and adds the parts up with domain/report.h. Every figure a
// staff member can see comes from here, so the rules are applied in one
// place whatever the view.
//
// Customer satisfaction groups employees by each campaign's frozen
// membership (store/mysql/membership.h), never by the live organisation: a
// department's part in a campaign is the sum of the employees who belonged
// to it for that campaign, and each employee's part is decided among those
// siblings. So moving an employee changes no figure of a closed campaign.
// The live organisation only says who may ask (scopes, in the service) and
// the names shown.
#ifndef SURVEY_API_REPORT_CELLS_H_
#define SURVEY_API_REPORT_CELLS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "domain/org.h"
#include "domain/report.h"
#include "store/org_store.h"
#include "store/report_store.h"
#include "store/template_cache.h"

namespace survey::api {

// One campaign's part of a cell, with the disclosure decision the reports
// made for it. The appraisal builds its windows from released parts only
// (appraisal_push.cc), so it can never release more than the reports do.
struct CellPart {
  std::string campaign_id;
  domain::Period period;
  domain::CampaignPart part;
};

struct SubjectCell {
  std::string code;
  std::string name;
  std::string department_code;  // employees: their department
  domain::CellFigures figures;
  std::optional<domain::CellFigures> previous;  // the range before
  std::vector<CellPart> parts;  // the range's parts, one per campaign
};

struct DepartmentCells {
  SubjectCell department;           // all its employees together
  std::vector<SubjectCell> employees;  // by employee number
};

struct CrossRow {
  SubjectCell rated;                   // overall
  std::vector<SubjectCell> by_evaluator;  // code = evaluating department
};

struct CampaignCells;
struct Loaded;
struct Ranges;

class ReportCells {
 public:
  ReportCells(store::OrgStore* org, store::ReportStore* reports,
              store::TemplateCache* templates)
      : org_(org), reports_(reports), templates_(templates) {}

  // Customer satisfaction of the given departments (empty = all), with
  // every employee of each. Complementary suppression runs among all the
  // employees of a department in each campaign, whoever asks.
  // `detail` false reads totals only (see CellFilter::with_sub_indicators).
  // A department's employees are those who belonged to it for the range's
  // campaigns (the live members if it has none), each counted only with the
  // campaigns in which they belonged to it.
  absl::StatusOr<std::vector<DepartmentCells>> Customer(
      const domain::PeriodRange& range, const std::vector<std::string>& departments,
      bool detail = true);

  // One employee's customer satisfaction over all their campaigns, each
  // part decided among the siblings of the department they belonged to for
  // that campaign. `e` is the live record (name, current department).
  absl::StatusOr<SubjectCell> Employee(const domain::PeriodRange& range,
                                       const domain::Employee& e);

  // Cross-evaluation rows of the given rated departments (empty = all).
  absl::StatusOr<std::vector<CrossRow>> Cross(
      const domain::PeriodRange& range, const std::vector<std::string>& rated);

  // Free texts about an employee (or, if `employee_no` is empty, about all
  // of `department`'s members of each campaign) from closed campaigns whose
  // groups reach the campaign's comment threshold, in random order.
  // `released` is set to the decision. `department` is ignored for an
  // employee (their campaigns' memberships say where they belonged).
  absl::StatusOr<std::vector<std::string>> Comments(
      const domain::PeriodRange& range, const std::string& department,
      const std::string& employee_no, domain::Withheld* released);

 private:
  static constexpr size_t kMaxCachedCampaigns = 500;
  // Campaigns of `kind` over `ranges` and their cells: closed ones whole
  // (cached), open ones only for `codes`: the rated departments of a
  // cross-evaluation, or the departments whose members to read of a
  // customer survey (empty = all).
  absl::StatusOr<Loaded> Load(domain::CampaignKind kind, const Ranges& ranges,
                              const std::vector<std::string>& codes, bool detail);
  // The departments `employee_no` belonged to in the customer campaigns
  // over `ranges`, plus `current`.
  absl::StatusOr<std::vector<std::string>> DepartmentsOf(const Ranges& ranges,
                                                         const std::string& employee_no,
                                                         const std::string& current);

  store::OrgStore* org_;
  store::ReportStore* reports_;
  store::TemplateCache* templates_;
  absl::Mutex mu_;
  // Cells of closed campaigns (immutable), by (campaign id, detail).
  std::map<std::pair<std::string, bool>, std::shared_ptr<const CampaignCells>> closed_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace survey::api

#endif  // SURVEY_API_REPORT_CELLS_H_
