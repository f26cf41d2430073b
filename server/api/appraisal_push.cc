// AppraisalService.PushSatisfaction (DOMAIN.md §5): every active
// employee's satisfaction KPI line and every active department's
// customer-evaluation part, from the aggregates of CLOSED campaigns (closed
// campaigns never change, so a push reads settled figures).
//
// One transaction per sheet / department (store::AppraisalStore::Update*):
// a push stopped halfway leaves each sheet either as before or as pushed,
// and the rerun finishes the rest. Idempotent: a sheet whose line would be
// identical (same provenance JSON: campaigns, window, n, mean, spread, CI,
// k, window limit) is not written and not recorded.
//
// Decisions:
//   - Only draft sheets are written; a sheet past draft keeps its line
//     (sheets_skipped_not_draft), as its lines are frozen (workflow.h).
//   - satisfaction_weight 0 removes an existing satisfaction line.
//   - The window and k are the period configuration's (not the campaigns'
//     k): the appraisal's own anonymity threshold.
#include <algorithm>
#include <map>
#include <span>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/audit_log.h"
#include "api/status.h"
#include "domain/appraisal/satisfaction.h"
#include "domain/scoring.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

absl::Mutex fault_mu;
std::function<absl::Status(int)>* fault_hook ABSL_GUARDED_BY(fault_mu) = nullptr;

absl::Status Fault(int done) {
  absl::MutexLock lock(&fault_mu);
  if (fault_hook == nullptr || !*fault_hook) return absl::OkStatus();
  return (*fault_hook)(done);
}

// subject -> campaign id -> figures of that month (campaign order kept).
using Figures = std::map<std::string, std::vector<da::MonthFigures>>;

absl::StatusOr<Figures> LoadFigures(store::ReportStore& reports,
                                    store::TemplateCache& templates,
                                    domain::CampaignKind kind,
                                    domain::SubjectKind subject_kind,
                                    domain::Period period, int max_window) {
  absl::StatusOr<domain::Period> first = period.Previous(max_window);
  absl::StatusOr<std::vector<store::CampaignInfo>> campaigns =
      reports.Campaigns(kind, first.ok() ? *first : period, period);
  if (!campaigns.ok()) return campaigns.status();
  std::vector<store::CampaignInfo> closed;
  for (const store::CampaignInfo& c : *campaigns) {
    if (c.state == domain::CampaignState::kClosed) closed.push_back(c);
  }
  Figures out;
  if (closed.empty()) return out;
  store::CellFilter filter;
  filter.subject_kind = subject_kind;
  filter.with_sub_indicators = false;
  for (const store::CampaignInfo& c : closed) filter.campaign_ids.push_back(c.id);
  absl::StatusOr<std::vector<store::AggregateRow>> rows = reports.Aggregates(filter);
  if (!rows.ok()) return rows.status();
  // Sum the groups of each (subject, campaign).
  std::map<std::pair<std::string, std::string>, domain::Aggregate> sums;
  for (const store::AggregateRow& r : *rows) {
    domain::Aggregate& a = sums[{r.subject_code, r.campaign_id}];
    a.n += r.aggregate.n;
    a.total_sum += r.aggregate.total_sum;
    a.total_sum_sq += r.aggregate.total_sum_sq;
  }
  for (const store::CampaignInfo& c : closed) {  // period, id order
    absl::StatusOr<std::shared_ptr<const domain::Template>> t =
        templates.Get(c.template_key, c.template_version);
    if (!t.ok()) return t.status();
    int64_t denominator = domain::TotalDenominator(**t);
    for (const auto& [key, a] : sums) {
      if (key.second != c.id) continue;
      da::MonthFigures f;
      f.period = c.period;
      f.n = a.n;
      f.total_sum = a.total_sum;
      f.total_sum_sq = a.total_sum_sq;
      f.denominator = denominator;
      f.campaign_ids = {c.id};
      out[key.first].push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

void SetPushFaultForTesting(std::function<absl::Status(int)> hook) {
  absl::MutexLock lock(&fault_mu);
  delete fault_hook;
  fault_hook = hook ? new std::function<absl::Status(int)>(std::move(hook)) : nullptr;
}

grpc::Status AppraisalServiceImpl::PushSatisfaction(
    grpc::ServerContext* ctx, const v1::PushSatisfactionRequest* req,
    v1::PushSatisfactionResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<domain::Period> period = domain::Period::Parse(req->period());
  if (!period.ok()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("period: ", period.status().message())));
  }
  return ToGrpcStatus(Push(*p, *period, resp));
}

absl::Status AppraisalServiceImpl::Push(const Principal& p, domain::Period period,
                                        v1::PushSatisfactionResponse* out) {
  absl::StatusOr<LoadedConfig> config = Config(period);
  if (!config.ok()) return config.status();
  const da::AppraisalConfig& cfg = config->config;
  absl::StatusOr<Figures> figures =
      LoadFigures(*reports_, *templates_, domain::CampaignKind::kCustomerSatisfaction,
                  domain::SubjectKind::kEmployee, period, cfg.max_window_periods);
  if (!figures.ok()) return figures.status();

  // The sheets as they are, to skip the transaction of every sheet the push
  // would leave unchanged (a re-push is then one read). A sheet that
  // changes after this read is simply written through UpdateSheet, which
  // decides again under its lock.
  absl::StatusOr<std::vector<store::StoredSheet>> current_sheets =
      appraisals_->ListSheets(period, "");
  if (!current_sheets.ok()) return current_sheets.status();
  std::map<std::string, store::StoredSheet> current;
  for (store::StoredSheet& s : *current_sheets) current[s.employee_no] = std::move(s);

  store::EmployeeFilter filter;
  filter.limit = 1000;
  int done = 0;
  const store::AuditActor actor = AuditActorOf(p);
  for (;;) {
    absl::StatusOr<std::vector<domain::Employee>> page = org_->ListEmployees(filter);
    if (!page.ok()) return page.status();
    for (const domain::Employee& e : *page) {
      auto it = figures->find(e.employee_no);
      std::span<const da::MonthFigures> mine;
      if (it != figures->end()) mine = it->second;
      absl::StatusOr<da::SatisfactionResult> result = da::ComputeSatisfaction(
          period, mine, cfg.anonymity_k, cfg.max_window_periods);
      if (!result.ok()) {
        return absl::InternalError(absl::StrCat("satisfaction of ", e.employee_no,
                                                ": ", result.status().message()));
      }
      std::string provenance =
          ProvenanceJson(*result, cfg.anonymity_k, cfg.max_window_periods);
      if (absl::Status s = Fault(done); !s.ok()) return s;
      store::StoredSheet fresh;
      fresh.employee_no = e.employee_no;
      fresh.period = period;
      fresh.sheet_template = cfg.sheet_template;
      bool skipped = false;
      auto mutate = [&](store::StoredSheet& s) -> absl::Status {
        skipped = false;
        if (s.state != da::SheetState::kDraft) {
          skipped = true;
          return absl::OkStatus();
        }
        auto line = std::find_if(s.lines.begin(), s.lines.end(),
                                 [](const store::StoredLine& l) { return l.line.satisfaction; });
        if (cfg.satisfaction_weight == 0) {
          if (line != s.lines.end()) s.lines.erase(line);
          return absl::OkStatus();
        }
        store::StoredLine next;
        next.line = da::SatisfactionLine(*result, s.sheet_template, cfg.satisfaction_weight);
        next.title = "客户满意度 Customer satisfaction";
        next.data_source = "closed customer-satisfaction surveys";
        next.provenance_json = provenance;
        if (line == s.lines.end()) {
          s.lines.insert(s.lines.begin(), std::move(next));
        } else {
          next.title = line->title;  // keep what HR named it
          next.goal = line->goal;
          next.standard = line->standard;
          next.data_source = line->data_source;
          *line = std::move(next);
        }
        return absl::OkStatus();
      };
      bool changed = true;
      auto known = current.find(e.employee_no);
      store::StoredSheet probe;
      if (known != current.end() && (probe = known->second, mutate(probe).ok()) &&
          probe == known->second) {
        changed = false;  // as read: nothing to write
      } else {
        absl::StatusOr<store::SheetWrite> w =
            appraisals_->UpdateSheet(fresh, actor, "appraisal.push", mutate);
        if (!w.ok()) return w.status();
        changed = w->changed;
      }
      ++done;
      if (skipped) {
        out->set_sheets_skipped_not_draft(out->sheets_skipped_not_draft() + 1);
        continue;
      }
      if (changed) {
        out->set_sheets_written(out->sheets_written() + 1);
      } else {
        out->set_sheets_unchanged(out->sheets_unchanged() + 1);
      }
      if (result->insufficient_responses) out->set_insufficient(out->insufficient() + 1);
    }
    if (page->size() < static_cast<size_t>(filter.limit)) break;
    filter.after_employee_no = page->back().employee_no;
  }
  return PushDepartments(p, period, *config, out);
}

absl::Status AppraisalServiceImpl::PushDepartments(const Principal& p,
                                                   domain::Period period,
                                                   const LoadedConfig& config,
                                                   v1::PushSatisfactionResponse* out) {
  const da::AppraisalConfig& cfg = config.config;
  absl::StatusOr<Figures> figures =
      LoadFigures(*reports_, *templates_, domain::CampaignKind::kCrossEvaluation,
                  domain::SubjectKind::kDepartment, period, cfg.max_window_periods);
  if (!figures.ok()) return figures.status();
  absl::StatusOr<std::vector<domain::Department>> departments =
      org_->ListDepartments(false);
  if (!departments.ok()) return departments.status();
  for (const domain::Department& d : *departments) {
    auto it = figures->find(d.code);
    std::span<const da::MonthFigures> mine;
    if (it != figures->end()) mine = it->second;
    absl::StatusOr<da::SatisfactionResult> result = da::ComputeSatisfaction(
        period, mine, cfg.anonymity_k, cfg.max_window_periods);
    if (!result.ok()) {
      return absl::InternalError(absl::StrCat("customer evaluation of ", d.code, ": ",
                                              result.status().message()));
    }
    std::string provenance =
        ProvenanceJson(*result, cfg.anonymity_k, cfg.max_window_periods);
    absl::StatusOr<store::DepartmentWrite> w = appraisals_->UpdateDepartmentAppraisal(
        d.code, period, AuditActorOf(p), "appraisal.push",
        [&](store::StoredDepartmentAppraisal& a) {
          a.customer = result->mean_100;
          a.customer_provenance_json = provenance;
          return absl::OkStatus();
        });
    if (!w.ok()) return w.status();
    if (w->changed) {
      out->set_departments_written(out->departments_written() + 1);
    } else {
      out->set_departments_unchanged(out->departments_unchanged() + 1);
    }
  }
  return absl::OkStatus();
}

}  // namespace survey::api
