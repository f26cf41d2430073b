// AppraisalService.PushSatisfaction (DOMAIN.md §5): every active
// employee's satisfaction KPI line and every active department's
// customer-evaluation part, from the aggregates of CLOSED campaigns (closed
// campaigns never change, so a push reads settled figures).
//
// Sheets are written in batches of kPushBatch, one transaction per batch
// (store::AppraisalStore::UpdateSheets: each sheet decided, written,
// recorded and audited on its own, the batch committed together), and one
// transaction per department (UpdateDepartmentAppraisal): a push stopped
// halfway leaves each sheet either as before or as pushed, and the rerun
// finishes the rest. Idempotent: a sheet whose line would be identical
// (same provenance JSON: campaigns, window, n, mean, spread, CI, k, window
// limit) is not written and not recorded.
//
// Decisions:
//   - Only draft sheets are written; a sheet past draft keeps its line
//     (sheets_skipped_not_draft), as its lines are frozen (workflow.h).
//   - satisfaction_weight 0 removes an existing satisfaction line.
//   - The window is the period configuration's; the k is the larger of the
//     configuration's and of every campaign read (never below a campaign's).
//
// The disclosure rule (DOMAIN.md §5, issue 12). A satisfaction line is a
// released figure, to the employee, their manager and HR, who also read
// the reports. So the window is built only from parts (one subject's
// answers in one campaign) that the reports release on their own: closed,
// at least the campaign's k answers, and not hidden by complementary
// suppression among the department's employees (or, for a department's
// customer part, its overall cross-evaluation figure). A line is then a
// sum of released parts, and so is the difference of any two lines, of a
// line and any report figure, and of a line and an earlier line in the
// sheet's history. Widening still does its work: a month whose own parts
// are withheld takes the released parts of up to max_window earlier months,
// but the withheld answers of that month are never added to them (adding
// one answer to a released month would publish that answer by
// subtraction). A second campaign in a month joins the line only once its
// own part is released. Answers in withheld parts count in the department
// figures the reports release, never in a single person's line.
#include <algorithm>
#include <map>
#include <memory>
#include <span>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/appraisal_convert.h"
#include "api/appraisal_service.h"
#include "api/audit_log.h"
#include "api/report_cells.h"
#include "api/status.h"
#include "domain/appraisal/satisfaction.h"
#include "domain/scoring.h"

namespace survey::api {
namespace {

namespace da = domain::appraisal;

// Sheets per transaction: a batch of 200 costs about as much as a few
// single-sheet transactions (one commit, one statement per table), and
// keeps each transaction's locks and statements small.
constexpr size_t kPushBatch = 200;

absl::Mutex fault_mu;
std::function<absl::Status(int)>* fault_hook ABSL_GUARDED_BY(fault_mu) = nullptr;

absl::Status Fault(int done) {
  absl::MutexLock lock(&fault_mu);
  if (fault_hook == nullptr || !*fault_hook) return absl::OkStatus();
  return (*fault_hook)(done);
}

// Per subject: the figures of its released parts (campaign order kept),
// and how many answers its closed campaigns hold in the range, released or
// not (participation, shown when the line is insufficient).
struct Figures {
  std::map<std::string, std::vector<da::MonthFigures>> released;
  std::map<std::string, int64_t> answers;
};

// The parts of `cell` the reports release, as month figures; `max_k` is
// raised to the k of every campaign with answers for the subject.
void AddReleasedParts(const SubjectCell& cell, Figures* out, int64_t* max_k) {
  for (const CellPart& p : cell.parts) {
    if (p.part.responses == 0) continue;
    *max_k = std::max(*max_k, p.part.k);
    if (p.part.closed) out->answers[cell.code] += p.part.responses;
    if (!p.part.closed || p.part.decision != domain::Withheld::kNone) continue;
    da::MonthFigures f;
    f.period = p.period;
    f.n = p.part.aggregate.n;
    f.total_sum = p.part.aggregate.total_sum;
    f.total_sum_sq = p.part.aggregate.total_sum_sq;
    f.denominator = domain::TotalDenominator(*p.part.form);
    f.campaign_ids = {p.campaign_id};
    out->released[cell.code].push_back(std::move(f));
  }
}

// Every subject's released parts of closed campaigns from `max_window`
// months before `period` to `period`, decided by the reports' own rules
// (ReportCells: threshold and complementary suppression among siblings).
absl::StatusOr<Figures> LoadFigures(ReportCells& cells, domain::CampaignKind kind,
                                    domain::Period period, int max_window,
                                    int64_t* max_k) {
  absl::StatusOr<domain::Period> first = period.Previous(max_window);
  domain::PeriodRange range;
  range.first = first.ok() ? *first : period;
  range.months = 1 + (first.ok() ? max_window : 0);
  Figures out;
  if (kind == domain::CampaignKind::kCustomerSatisfaction) {
    absl::StatusOr<std::vector<DepartmentCells>> depts =
        cells.Customer(range, {}, /*detail=*/false);
    if (!depts.ok()) return depts.status();
    for (const DepartmentCells& d : *depts) {
      for (const SubjectCell& e : d.employees) AddReleasedParts(e, &out, max_k);
    }
  } else {
    absl::StatusOr<std::vector<CrossRow>> rows = cells.Cross(range, {});
    if (!rows.ok()) return rows.status();
    for (const CrossRow& r : *rows) AddReleasedParts(r.rated, &out, max_k);
  }
  return out;
}

// The line of `subject` from its released parts. An insufficient line
// says how many answers the window holds (a count is participation, as the
// reports show for every cell); a line with a mean counts the answers it
// is computed from.
absl::StatusOr<da::SatisfactionResult> Satisfaction(const Figures& figures,
                                                    const std::string& subject,
                                                    domain::Period period, int64_t k,
                                                    int max_window) {
  auto it = figures.released.find(subject);
  std::span<const da::MonthFigures> mine;
  if (it != figures.released.end()) mine = it->second;
  absl::StatusOr<da::SatisfactionResult> result =
      da::ComputeSatisfaction(period, mine, k, max_window);
  if (result.ok() && result->insufficient_responses) {
    auto answers = figures.answers.find(subject);
    result->n = answers == figures.answers.end() ? 0 : answers->second;
  }
  return result;
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
  ReportCells cells(org_, reports_, templates_);
  int64_t k = cfg.anonymity_k;
  absl::StatusOr<Figures> figures =
      LoadFigures(cells, domain::CampaignKind::kCustomerSatisfaction, period,
                  cfg.max_window_periods, &k);
  if (!figures.ok()) return figures.status();

  // The sheets as they are, to leave out of the batches every sheet the
  // push would leave unchanged.
  absl::StatusOr<std::vector<store::StoredSheet>> current_sheets =
      appraisals_->ListSheets(period, "");
  if (!current_sheets.ok()) return current_sheets.status();
  std::map<std::string, store::StoredSheet> current;
  for (store::StoredSheet& s : *current_sheets) current[s.employee_no] = std::move(s);

  // Each sheet of the batch being gathered: what the push writes and, once
  // the batch is written, how it went.
  struct Pending {
    std::string employee_no;
    da::SatisfactionResult result;
    std::string provenance;
    bool skipped = false;  // past draft: left as it is
    bool changed = false;
  };
  // The push's change to one sheet (called under the sheet's lock, again
  // on a rerun of its batch).
  auto mutate_for = [&cfg](Pending* pending) {
    return [&cfg, pending](store::StoredSheet& s) -> absl::Status {
      pending->skipped = false;
      if (s.state != da::SheetState::kDraft) {
        pending->skipped = true;
        return absl::OkStatus();
      }
      auto line = std::find_if(s.lines.begin(), s.lines.end(),
                               [](const store::StoredLine& l) { return l.line.satisfaction; });
      if (cfg.satisfaction_weight == 0) {
        if (line != s.lines.end()) s.lines.erase(line);
        return absl::OkStatus();
      }
      store::StoredLine next;
      next.line = da::SatisfactionLine(pending->result, s.sheet_template,
                                       cfg.satisfaction_weight);
      next.title = "客户满意度 Customer satisfaction";
      next.data_source = "closed customer-satisfaction surveys";
      next.provenance_json = pending->provenance;
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
  };
  auto count = [out](const Pending& p) {
    if (p.skipped) {
      out->set_sheets_skipped_not_draft(out->sheets_skipped_not_draft() + 1);
      return;
    }
    if (p.changed) {
      out->set_sheets_written(out->sheets_written() + 1);
    } else {
      out->set_sheets_unchanged(out->sheets_unchanged() + 1);
    }
    if (p.result.insufficient_responses) out->set_insufficient(out->insufficient() + 1);
  };
  const store::AuditActor actor = AuditActorOf(p);
  // The batch: stable addresses (the mutates point into it).
  std::vector<std::unique_ptr<Pending>> batch;
  auto write_batch = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    std::vector<store::AppraisalStore::SheetUpdate> updates;
    updates.reserve(batch.size());
    for (const std::unique_ptr<Pending>& pending : batch) {
      store::AppraisalStore::SheetUpdate u;
      u.fresh.employee_no = pending->employee_no;
      u.fresh.period = period;
      u.fresh.sheet_template = cfg.sheet_template;
      u.mutate = mutate_for(pending.get());
      updates.push_back(std::move(u));
    }
    absl::StatusOr<std::vector<store::SheetWrite>> w =
        appraisals_->UpdateSheets(updates, actor, "appraisal.push");
    if (!w.ok()) return w.status();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->changed = (*w)[i].changed;
      count(*batch[i]);
    }
    batch.clear();
    return absl::OkStatus();
  };

  store::EmployeeFilter filter;
  filter.limit = 1000;
  int done = 0;
  for (;;) {
    absl::StatusOr<std::vector<domain::Employee>> page = org_->ListEmployees(filter);
    if (!page.ok()) return page.status();
    for (const domain::Employee& e : *page) {
      absl::StatusOr<da::SatisfactionResult> result =
          Satisfaction(*figures, e.employee_no, period, k, cfg.max_window_periods);
      if (!result.ok()) {
        return absl::InternalError(absl::StrCat("satisfaction of ", e.employee_no,
                                                ": ", result.status().message()));
      }
      // The fault hook is asked before each sheet joins a batch: a failure
      // stops the push there, after writing the sheets gathered before it
      // (as a push that died between two batch transactions; a push that
      // dies inside one leaves that whole batch as before).
      if (absl::Status s = Fault(done); !s.ok()) {
        if (absl::Status w = write_batch(); !w.ok()) return w;
        return s;
      }
      auto pending = std::make_unique<Pending>();
      pending->employee_no = e.employee_no;
      pending->provenance =
          ProvenanceJson(*result, static_cast<int>(k), cfg.max_window_periods);
      pending->result = std::move(*result);
      ++done;
      // A sheet the push would leave as read needs no transaction (a
      // re-push is then one read). One that changes after this read is
      // written through the batch anyway, which decides again under its lock.
      auto known = current.find(e.employee_no);
      if (known != current.end()) {
        store::StoredSheet probe = known->second;
        if (mutate_for(pending.get())(probe).ok() && probe == known->second) {
          pending->changed = false;
          count(*pending);
          continue;
        }
      }
      batch.push_back(std::move(pending));
      if (batch.size() >= kPushBatch) {
        if (absl::Status w = write_batch(); !w.ok()) return w;
      }
    }
    if (page->size() < static_cast<size_t>(filter.limit)) break;
    filter.after_employee_no = page->back().employee_no;
  }
  if (absl::Status w = write_batch(); !w.ok()) return w;
  return PushDepartments(p, period, *config, out);
}

absl::Status AppraisalServiceImpl::PushDepartments(const Principal& p,
                                                   domain::Period period,
                                                   const LoadedConfig& config,
                                                   v1::PushSatisfactionResponse* out) {
  const da::AppraisalConfig& cfg = config.config;
  ReportCells cells(org_, reports_, templates_);
  int64_t k = cfg.anonymity_k;
  absl::StatusOr<Figures> figures =
      LoadFigures(cells, domain::CampaignKind::kCrossEvaluation, period,
                  cfg.max_window_periods, &k);
  if (!figures.ok()) return figures.status();
  absl::StatusOr<std::vector<domain::Department>> departments =
      org_->ListDepartments(false);
  if (!departments.ok()) return departments.status();
  for (const domain::Department& d : *departments) {
    absl::StatusOr<da::SatisfactionResult> result =
        Satisfaction(*figures, d.code, period, k, cfg.max_window_periods);
    if (!result.ok()) {
      return absl::InternalError(absl::StrCat("customer evaluation of ", d.code, ": ",
                                              result.status().message()));
    }
    std::string provenance =
        ProvenanceJson(*result, static_cast<int>(k), cfg.max_window_periods);
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
