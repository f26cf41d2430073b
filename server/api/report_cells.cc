#include "api/report_cells.h"

#include <algorithm>
#include <random>
#include <tuple>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "crypto/random.h"
#include "domain/disclosure.h"

namespace survey::api {
// One campaign's stored cells, keyed by CellKey.
struct CampaignCells {
  std::unordered_map<std::string, domain::Aggregate> aggregates;
  std::unordered_map<std::string, int64_t> issued;
};

// Everything stored about the cells of some campaigns, by the campaign's
// position in `campaigns`.
struct Loaded {
  std::vector<store::CampaignInfo> campaigns;
  std::vector<std::shared_ptr<const domain::Template>> forms;
  std::vector<std::shared_ptr<const CampaignCells>> cells;
};

// The range and, when it exists, the range before it.
struct Ranges {
  domain::PeriodRange range;
  std::optional<domain::PeriodRange> previous;
  domain::Period first() const { return previous ? previous->first : range.first; }
  domain::Period last() const { return range.Months().back(); }
};

namespace {

using domain::CampaignPart;
using domain::Withheld;
// The key of a cell within one campaign.
std::string CellKey(const std::string& subject, const std::string& group) {
  std::string key = subject;
  key.push_back('\0');
  key += group;
  return key;
}

Ranges WithPrevious(const domain::PeriodRange& range) {
  Ranges r{range, std::nullopt};
  absl::StatusOr<domain::PeriodRange> prev = range.Previous();
  if (prev.ok()) r.previous = *prev;
  return r;
}

// Reads the cells of `ids` (all subjects of `kind` if `codes` is empty)
// into `out`, one CampaignCells per id.
absl::Status Read(store::ReportStore& reports, const std::vector<std::string>& ids,
                  domain::SubjectKind kind, const std::vector<std::string>& codes,
                  bool detail, std::map<std::string, std::shared_ptr<CampaignCells>>* out) {
  if (ids.empty()) return absl::OkStatus();
  store::CellFilter filter;
  filter.campaign_ids = ids;
  filter.subject_kind = kind;
  filter.subject_codes = codes;
  filter.with_sub_indicators = detail;
  for (const std::string& id : ids) (*out)[id] = std::make_shared<CampaignCells>();
  absl::StatusOr<std::vector<store::AggregateRow>> aggs = reports.Aggregates(filter);
  if (!aggs.ok()) return aggs.status();
  for (store::AggregateRow& row : *aggs) {
    out->at(row.campaign_id)->aggregates[CellKey(row.subject_code, row.group_code)] =
        std::move(row.aggregate);
  }
  absl::StatusOr<std::vector<store::IssuedRow>> issued = reports.Issued(filter);
  if (!issued.ok()) return issued.status();
  for (const store::IssuedRow& row : *issued) {
    out->at(row.campaign_id)->issued[CellKey(row.subject_code, row.group_code)] = row.issued;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Loaded> ReportCells::Load(domain::CampaignKind kind, const Ranges& ranges,
                                         domain::SubjectKind subject_kind,
                                         const std::vector<std::string>& codes,
                                         bool detail) {
  Loaded l;
  absl::StatusOr<std::vector<store::CampaignInfo>> campaigns =
      reports_->Campaigns(kind, ranges.first(), ranges.last());
  if (!campaigns.ok()) return campaigns.status();
  l.campaigns = *std::move(campaigns);
  std::vector<std::string> open, missing;
  {
    absl::MutexLock lock(&mu_);
    for (const store::CampaignInfo& c : l.campaigns) {
      absl::StatusOr<std::shared_ptr<const domain::Template>> form =
          templates_->Get(c.template_key, c.template_version);
      if (!form.ok()) return form.status();
      l.forms.push_back(*form);
      if (c.state != domain::CampaignState::kClosed) {
        open.push_back(c.id);
        l.cells.push_back(nullptr);
        continue;
      }
      auto it = closed_.find({c.id, detail});
      l.cells.push_back(it == closed_.end() ? nullptr : it->second);
      if (it == closed_.end()) missing.push_back(c.id);
    }
  }
  // Closed campaigns take no answers, invitations or revocations: their
  // cells never change, so they are read once, whole, and kept.
  std::map<std::string, std::shared_ptr<CampaignCells>> read;
  if (absl::Status s = Read(*reports_, missing, subject_kind, {}, detail, &read); !s.ok()) {
    return s;
  }
  if (absl::Status s = Read(*reports_, open, subject_kind, codes, detail, &read); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  if (closed_.size() > kMaxCachedCampaigns) closed_.clear();
  for (size_t ci = 0; ci < l.campaigns.size(); ++ci) {
    auto it = read.find(l.campaigns[ci].id);
    if (it == read.end()) continue;
    l.cells[ci] = it->second;
    if (l.campaigns[ci].state == domain::CampaignState::kClosed) {
      closed_[{l.campaigns[ci].id, detail}] = it->second;
    }
  }
  return l;
}

namespace {

// A part of campaign `ci`'s cell; `agg` may be null (no answers).
CampaignPart MakePart(size_t ci, const Loaded& l, const domain::Aggregate* agg,
                      int64_t issued, Withheld decision) {
  const store::CampaignInfo& c = l.campaigns[ci];
  CampaignPart p;
  p.k = c.k;
  p.closed = c.state == domain::CampaignState::kClosed;
  p.issued = issued;
  p.form = l.forms[ci];
  if (agg != nullptr) {
    p.aggregate = *agg;
    p.responses = agg->n;
  }
  p.decision = p.responses == 0 ? Withheld::kNoData : decision;
  return p;
}

const domain::Aggregate* Find(const Loaded& l, size_t ci, const std::string& key) {
  auto it = l.cells[ci]->aggregates.find(key);
  return it == l.cells[ci]->aggregates.end() || it->second.n == 0 ? nullptr : &it->second;
}

int64_t IssuedOf(const Loaded& l, size_t ci, const std::string& key) {
  auto it = l.cells[ci]->issued.find(key);
  return it == l.cells[ci]->issued.end() ? 0 : it->second;
}

// Adds `b` into `*sum` (which may still be empty).
absl::Status Accumulate(const domain::Aggregate& b, std::optional<domain::Aggregate>* sum) {
  if (!sum->has_value()) {
    *sum = b;
    return absl::OkStatus();
  }
  absl::StatusOr<domain::Aggregate> m = domain::Merge(**sum, b);
  if (!m.ok()) return m.status();
  *sum = *std::move(m);
  return absl::OkStatus();
}

// The cell over `range` and the one before, from its parts (one per
// campaign, by index).
absl::Status Fill(const Ranges& ranges, const Loaded& l,
                  const std::vector<CampaignPart>& parts, SubjectCell* cell) {
  std::vector<CampaignPart> now, before;
  for (size_t ci = 0; ci < l.campaigns.size(); ++ci) {
    const domain::Period& period = l.campaigns[ci].period;
    if (ranges.range.Contains(period)) {
      now.push_back(parts[ci]);
    } else if (ranges.previous && ranges.previous->Contains(period)) {
      before.push_back(parts[ci]);
    }
  }
  absl::StatusOr<domain::CellFigures> f = domain::ComputeCell(now);
  if (!f.ok()) return f.status();
  cell->figures = *std::move(f);
  if (ranges.previous) {
    absl::StatusOr<domain::CellFigures> p = domain::ComputeCell(before);
    if (!p.ok()) return p.status();
    cell->previous = *std::move(p);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<domain::Employee>> AllEmployees(store::OrgStore& org,
                                                           const std::string& dept) {
  std::vector<domain::Employee> out;
  store::EmployeeFilter filter;
  filter.department_code = dept;
  filter.include_inactive = true;
  filter.limit = 1000;
  while (true) {
    absl::StatusOr<std::vector<domain::Employee>> page = org.ListEmployees(filter);
    if (!page.ok()) return page.status();
    for (domain::Employee& e : *page) out.push_back(std::move(e));
    if (page->size() < static_cast<size_t>(filter.limit)) return out;
    filter.after_employee_no = out.back().employee_no;
  }
}

}  // namespace

absl::StatusOr<std::vector<DepartmentCells>> ReportCells::Customer(
    const domain::PeriodRange& range, const std::vector<std::string>& departments,
    bool detail) {
  absl::StatusOr<std::vector<domain::Department>> all_depts = org_->ListDepartments(true);
  if (!all_depts.ok()) return all_depts.status();
  std::vector<domain::Employee> employees;
  std::vector<std::string> codes;
  if (departments.empty()) {
    absl::StatusOr<std::vector<domain::Employee>> e = AllEmployees(*org_, "");
    if (!e.ok()) return e.status();
    employees = *std::move(e);
  } else {
    for (const std::string& d : departments) {
      absl::StatusOr<std::vector<domain::Employee>> e = AllEmployees(*org_, d);
      if (!e.ok()) return e.status();
      for (domain::Employee& x : *e) {
        codes.push_back(x.employee_no);
        employees.push_back(std::move(x));
      }
    }
    // An unknown department is NotFound, not an empty report.
    for (const std::string& d : departments) {
      if (std::none_of(all_depts->begin(), all_depts->end(),
                       [&](const domain::Department& x) { return x.code == d; })) {
        return absl::NotFoundError(absl::StrCat("department \"", d, "\" not found"));
      }
    }
    if (codes.empty()) codes.push_back("");  // a department without employees
  }
  const Ranges ranges = WithPrevious(range);
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCustomerSatisfaction, ranges,
           domain::SubjectKind::kEmployee, codes, detail);
  if (!l.ok()) return l.status();

  std::vector<DepartmentCells> out;
  for (const domain::Department& d : *all_depts) {
    if (!departments.empty() &&
        std::find(departments.begin(), departments.end(), d.code) == departments.end()) {
      continue;
    }
    std::vector<const domain::Employee*> members;  // by employee number
    for (const domain::Employee& e : employees) {
      if (e.department_code == d.code) members.push_back(&e);
    }
    const size_t C = l->campaigns.size();
    std::vector<std::vector<CampaignPart>> member_parts(members.size());
    std::vector<CampaignPart> dept_parts;
    std::vector<std::string> keys;
    for (const domain::Employee* m : members) keys.push_back(CellKey(m->employee_no, ""));
    for (size_t ci = 0; ci < C; ++ci) {
      std::vector<int64_t> n(members.size());
      std::optional<domain::Aggregate> dept_sum;
      int64_t dept_issued = 0;
      std::vector<const domain::Aggregate*> found(members.size());
      for (size_t i = 0; i < members.size(); ++i) {
        found[i] = Find(*l, ci, keys[i]);
        n[i] = found[i] == nullptr ? 0 : found[i]->n;
        if (found[i] != nullptr) {
          if (absl::Status s = Accumulate(*found[i], &dept_sum); !s.ok()) return s;
        }
      }
      std::vector<Withheld> decisions = domain::SuppressSiblings(n, l->campaigns[ci].k);
      for (size_t i = 0; i < members.size(); ++i) {
        const int64_t issued = IssuedOf(*l, ci, keys[i]);
        dept_issued += issued;
        member_parts[i].push_back(MakePart(ci, *l, found[i], issued, decisions[i]));
      }
      const domain::Aggregate* sum = dept_sum ? &*dept_sum : nullptr;
      dept_parts.push_back(MakePart(ci, *l, sum, dept_issued,
                                    domain::ByThreshold(sum ? sum->n : 0, l->campaigns[ci].k)));
    }
    DepartmentCells cells;
    cells.department.code = d.code;
    cells.department.name = d.name;
    cells.department.department_code = d.code;
    if (absl::Status s = Fill(ranges, *l, dept_parts, &cells.department); !s.ok()) {
      return s;
    }
    for (size_t i = 0; i < members.size(); ++i) {
      SubjectCell cell;
      cell.code = members[i]->employee_no;
      cell.name = members[i]->name;
      cell.department_code = d.code;
      if (absl::Status s = Fill(ranges, *l, member_parts[i], &cell); !s.ok()) return s;
      cells.employees.push_back(std::move(cell));
    }
    out.push_back(std::move(cells));
  }
  return out;
}

absl::StatusOr<std::vector<CrossRow>> ReportCells::Cross(
    const domain::PeriodRange& range, const std::vector<std::string>& rated) {
  absl::StatusOr<std::vector<domain::Department>> depts = org_->ListDepartments(true);
  if (!depts.ok()) return depts.status();
  std::map<std::string, std::string> names;
  for (const domain::Department& d : *depts) names[d.code] = d.name;
  for (const std::string& r : rated) {
    if (!names.contains(r)) {
      return absl::NotFoundError(absl::StrCat("department \"", r, "\" not found"));
    }
  }
  const Ranges ranges = WithPrevious(range);
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCrossEvaluation, ranges,
           domain::SubjectKind::kDepartment, rated, true);
  if (!l.ok()) return l.status();
  std::vector<CrossRow> out;
  for (const domain::Department& d : *depts) {
    if (!rated.empty() && std::find(rated.begin(), rated.end(), d.code) == rated.end()) {
      continue;
    }
    // Evaluating departments of this rated department, in code order.
    std::vector<std::string> groups;
    const std::string prefix = CellKey(d.code, "");
    for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
      for (const auto& [key, agg] : l->cells[ci]->aggregates) {
        if (key.rfind(prefix, 0) == 0) groups.push_back(key.substr(prefix.size()));
      }
      for (const auto& [key, n] : l->cells[ci]->issued) {
        if (key.rfind(prefix, 0) == 0) groups.push_back(key.substr(prefix.size()));
      }
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    if (rated.empty() && groups.empty()) continue;  // never evaluated
    std::vector<std::vector<CampaignPart>> group_parts(groups.size());
    std::vector<CampaignPart> overall_parts;
    for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
      std::vector<int64_t> n(groups.size());
      std::optional<domain::Aggregate> sum;
      int64_t issued = 0;
      for (size_t g = 0; g < groups.size(); ++g) {
        const domain::Aggregate* a = Find(*l, ci, CellKey(d.code, groups[g]));
        n[g] = a == nullptr ? 0 : a->n;
        if (a != nullptr) {
          if (absl::Status s = Accumulate(*a, &sum); !s.ok()) return s;
        }
        issued += IssuedOf(*l, ci, CellKey(d.code, groups[g]));
      }
      std::vector<Withheld> decisions = domain::SuppressSiblings(n, l->campaigns[ci].k);
      for (size_t g = 0; g < groups.size(); ++g) {
        const std::string key = CellKey(d.code, groups[g]);
        group_parts[g].push_back(
            MakePart(ci, *l, Find(*l, ci, key), IssuedOf(*l, ci, key), decisions[g]));
      }
      const domain::Aggregate* s = sum ? &*sum : nullptr;
      overall_parts.push_back(MakePart(ci, *l, s, issued,
                                       domain::ByThreshold(s ? s->n : 0, l->campaigns[ci].k)));
    }
    CrossRow row;
    row.rated.code = d.code;
    row.rated.name = d.name;
    row.rated.department_code = d.code;
    if (absl::Status s = Fill(ranges, *l, overall_parts, &row.rated); !s.ok()) return s;
    for (size_t g = 0; g < groups.size(); ++g) {
      SubjectCell cell;
      cell.code = groups[g];
      cell.name = names.contains(groups[g]) ? names[groups[g]] : "";
      cell.department_code = groups[g];
      if (absl::Status s = Fill(ranges, *l, group_parts[g], &cell); !s.ok()) return s;
      row.by_evaluator.push_back(std::move(cell));
    }
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ReportCells::Comments(
    const domain::PeriodRange& range, const std::string& department,
    const std::string& employee_no, Withheld* released) {
  absl::StatusOr<std::vector<domain::Employee>> members = AllEmployees(*org_, department);
  if (!members.ok()) return members.status();
  std::vector<std::string> codes;
  for (const domain::Employee& e : *members) codes.push_back(e.employee_no);
  if (codes.empty()) codes.push_back("");
  const Ranges ranges{range, std::nullopt};
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCustomerSatisfaction, ranges,
           domain::SubjectKind::kEmployee, codes, true);
  if (!l.ok()) return l.status();
  // Decide per campaign, among the department's employees, with comment_k.
  std::vector<Withheld> parts;
  int64_t total = 0, k = 0;
  std::vector<std::string> released_campaigns;
  for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
    const store::CampaignInfo& c = l->campaigns[ci];
    std::vector<int64_t> n(codes.size());
    int64_t dept_n = 0;
    for (size_t i = 0; i < codes.size(); ++i) {
      const domain::Aggregate* a = Find(*l, ci, CellKey(codes[i], ""));
      n[i] = a == nullptr ? 0 : a->n;
      dept_n += n[i];
    }
    Withheld w;
    int64_t part_n;
    if (employee_no.empty()) {
      w = domain::ByThreshold(dept_n, c.comment_k);
      part_n = dept_n;
    } else {
      auto it = std::find(codes.begin(), codes.end(), employee_no);
      if (it == codes.end()) return absl::NotFoundError("employee not in department");
      size_t i = static_cast<size_t>(it - codes.begin());
      w = domain::SuppressSiblings(n, c.comment_k)[i];
      part_n = n[i];
    }
    if (part_n > 0 && c.state != domain::CampaignState::kClosed) {
      w = Withheld::kCampaignOpen;
    }
    parts.push_back(w);
    total += part_n;
    k = std::max<int64_t>(k, c.comment_k);
    if (w == Withheld::kNone) released_campaigns.push_back(c.id);
  }
  *released = domain::CombineParts(parts, total, std::max<int64_t>(k, 1));
  if (*released != Withheld::kNone) return std::vector<std::string>{};
  store::CellFilter filter;
  filter.campaign_ids = released_campaigns;
  filter.subject_kind = domain::SubjectKind::kEmployee;
  filter.subject_codes = employee_no.empty() ? codes : std::vector{employee_no};
  absl::StatusOr<std::vector<store::TextRow>> rows = reports_->Texts(filter);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> texts;
  for (store::TextRow& r : *rows) {
    for (std::string& t : r.texts) texts.push_back(std::move(t));
  }
  // Shuffled with the secure source: the stored order is random already,
  // but nothing about the order may hint at time or subject.
  for (size_t i = texts.size(); i > 1; --i) {
    absl::StatusOr<uint64_t> j = crypto::RandomBelow(crypto::SystemRandom(), i);
    if (!j.ok()) return j.status();
    std::swap(texts[i - 1], texts[*j]);
  }
  return texts;
}

}  // namespace survey::api
