// Builds report cells: loads per-campaign parts through the ReportStore,
// applies the disclosure rules of domain/disclosure.h among the right
// siblings, and adds the parts up with domain/report.h. Every figure a
// staff member can see comes from here, so the rules are applied in one
// place whatever the view.
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

struct SubjectCell {
  std::string code;
  std::string name;
  std::string department_code;  // employees: their department
  domain::CellFigures figures;
  std::optional<domain::CellFigures> previous;  // the range before
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
  absl::StatusOr<std::vector<DepartmentCells>> Customer(
      const domain::PeriodRange& range, const std::vector<std::string>& departments,
      bool detail = true);

  // Cross-evaluation rows of the given rated departments (empty = all).
  absl::StatusOr<std::vector<CrossRow>> Cross(
      const domain::PeriodRange& range, const std::vector<std::string>& rated);

  // Free texts about an employee (or, if `employee_no` is empty, about all
  // of `department`'s employees) from closed campaigns whose groups reach
  // the campaign's comment threshold, in random order. `released` is set to
  // the decision.
  absl::StatusOr<std::vector<std::string>> Comments(
      const domain::PeriodRange& range, const std::string& department,
      const std::string& employee_no, domain::Withheld* released);

 private:
  static constexpr size_t kMaxCachedCampaigns = 500;
  absl::StatusOr<Loaded> Load(domain::CampaignKind kind, const Ranges& ranges,
                              domain::SubjectKind subject_kind,
                              const std::vector<std::string>& codes, bool detail);

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
