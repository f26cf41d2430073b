#include "api/report_cells.h"

#include <algorithm>
#include <random>
#include <set>
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
  // Customer satisfaction: the frozen membership (of an open campaign only
  // the departments asked for): department -> employees by number, and
  // employee -> department.
  std::map<std::string, std::vector<std::string>> members;
  std::unordered_map<std::string, std::string> department_of;
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

// Reads the frozen membership of `ids` (only of `departments` unless it
// is empty) into `out`, one CampaignCells per id. Returns the subject codes
// to read the cells of: {} (all) if `departments` is empty, else the
// members found, or {""} (nobody) if there are none.
absl::StatusOr<std::vector<std::string>> ReadMembers(
    store::ReportStore& reports, const std::vector<std::string>& ids,
    const std::vector<std::string>& departments,
    std::map<std::string, std::shared_ptr<CampaignCells>>* out) {
  std::vector<std::string> employees;
  for (const std::string& id : ids) (*out)[id] = std::make_shared<CampaignCells>();
  if (!ids.empty()) {
    absl::StatusOr<std::vector<store::MemberRow>> rows =
        reports.Members({ids, departments, {}});
    if (!rows.ok()) return rows.status();
    for (store::MemberRow& m : *rows) {  // ordered by employee within a department
      CampaignCells& c = *out->at(m.campaign_id);
      c.department_of[m.employee_no] = m.department_code;
      c.members[m.department_code].push_back(m.employee_no);
      if (!departments.empty()) employees.push_back(std::move(m.employee_no));
    }
  }
  std::sort(employees.begin(), employees.end());
  employees.erase(std::unique(employees.begin(), employees.end()), employees.end());
  if (employees.empty() && !departments.empty()) employees.push_back("");
  return employees;
}

// Reads the cells of `ids` (all subjects of `kind` if `codes` is empty)
// into `out`, adding to the CampaignCells there or making them.
absl::Status Read(store::ReportStore& reports, const std::vector<std::string>& ids,
                  domain::SubjectKind kind, const std::vector<std::string>& codes,
                  bool detail, std::map<std::string, std::shared_ptr<CampaignCells>>* out) {
  if (ids.empty()) return absl::OkStatus();
  store::CellFilter filter;
  filter.campaign_ids = ids;
  filter.subject_kind = kind;
  filter.subject_codes = codes;
  filter.with_sub_indicators = detail;
  for (const std::string& id : ids) {
    if (!out->contains(id)) (*out)[id] = std::make_shared<CampaignCells>();
  }
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
                                         const std::vector<std::string>& codes,
                                         bool detail) {
  const bool customer = kind == domain::CampaignKind::kCustomerSatisfaction;
  const domain::SubjectKind subject_kind =
      customer ? domain::SubjectKind::kEmployee : domain::SubjectKind::kDepartment;
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
  // So is the membership of a closed campaign. An open campaign's cells
  // are read for the members of the departments asked for.
  std::map<std::string, std::shared_ptr<CampaignCells>> read;
  std::vector<std::string> open_codes = codes;
  if (customer) {
    if (absl::Status s = ReadMembers(*reports_, missing, {}, &read).status(); !s.ok()) {
      return s;
    }
    absl::StatusOr<std::vector<std::string>> members =
        ReadMembers(*reports_, open, codes, &read);
    if (!members.ok()) return members.status();
    open_codes = *std::move(members);
  }
  if (absl::Status s = Read(*reports_, missing, subject_kind, {}, detail, &read); !s.ok()) {
    return s;
  }
  if (absl::Status s = Read(*reports_, open, subject_kind, open_codes, detail, &read);
      !s.ok()) {
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
      cell->parts.push_back({l.campaigns[ci].id, period, parts[ci]});
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

// The employees who belonged to `department` for campaign `ci`, by number.
const std::vector<std::string>& MembersOf(const Loaded& l, size_t ci,
                                          const std::string& department) {
  static const std::vector<std::string> kNobody;
  auto it = l.cells[ci]->members.find(department);
  return it == l.cells[ci]->members.end() ? kNobody : it->second;
}

// One part per campaign, none with answers.
std::vector<CampaignPart> NoDataParts(const Loaded& l) {
  std::vector<CampaignPart> parts;
  for (size_t ci = 0; ci < l.campaigns.size(); ++ci) {
    parts.push_back(MakePart(ci, l, nullptr, 0, Withheld::kNoData));
  }
  return parts;
}

// A department's parts, one per campaign: its own (the sum of that
// campaign's members) and each member's, decided among those members.
struct DepartmentParts {
  std::vector<CampaignPart> department;
  // Every campaign's part, kNoData where the employee was not a member.
  std::unordered_map<std::string, std::vector<CampaignPart>> employees;
  std::vector<CampaignPart> none;  // for employees who were never members
};

absl::StatusOr<DepartmentParts> PartsOf(const Loaded& l, const std::string& department) {
  DepartmentParts out;
  out.none = NoDataParts(l);
  for (size_t ci = 0; ci < l.campaigns.size(); ++ci) {
    const std::vector<std::string>& members = MembersOf(l, ci, department);
    std::vector<int64_t> n(members.size());
    std::optional<domain::Aggregate> sum;
    int64_t issued = 0;
    std::vector<const domain::Aggregate*> found(members.size());
    std::vector<std::string> keys(members.size());
    for (size_t i = 0; i < members.size(); ++i) {
      keys[i] = CellKey(members[i], "");
      found[i] = Find(l, ci, keys[i]);
      n[i] = found[i] == nullptr ? 0 : found[i]->n;
      if (found[i] != nullptr) {
        if (absl::Status s = Accumulate(*found[i], &sum); !s.ok()) return s;
      }
    }
    const int k = l.campaigns[ci].k;
    std::vector<Withheld> decisions = domain::SuppressSiblings(n, k);
    for (size_t i = 0; i < members.size(); ++i) {
      const int64_t member_issued = IssuedOf(l, ci, keys[i]);
      issued += member_issued;
      auto [it, fresh] = out.employees.try_emplace(members[i]);
      if (fresh) it->second = out.none;
      it->second[ci] = MakePart(ci, l, found[i], member_issued, decisions[i]);
    }
    const domain::Aggregate* total = sum ? &*sum : nullptr;
    out.department.push_back(
        MakePart(ci, l, total, issued, domain::ByThreshold(total ? total->n : 0, k)));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<DepartmentCells>> ReportCells::Customer(
    const domain::PeriodRange& range, const std::vector<std::string>& departments,
    bool detail) {
  absl::StatusOr<std::vector<domain::Department>> all_depts = org_->ListDepartments(true);
  if (!all_depts.ok()) return all_depts.status();
  // An unknown department is NotFound, not an empty report.
  for (const std::string& d : departments) {
    if (std::none_of(all_depts->begin(), all_depts->end(),
                     [&](const domain::Department& x) { return x.code == d; })) {
      return absl::NotFoundError(absl::StrCat("department \"", d, "\" not found"));
    }
  }
  // The live organisation: names, and the employees listed for a range
  // without campaigns (nothing to freeze there).
  std::vector<domain::Employee> live;
  for (const std::string& d : departments.empty() ? std::vector<std::string>{""} : departments) {
    absl::StatusOr<std::vector<domain::Employee>> e = AllEmployees(*org_, d);
    if (!e.ok()) return e.status();
    for (domain::Employee& x : *e) live.push_back(std::move(x));
  }
  std::unordered_map<std::string, const domain::Employee*> live_by_no;
  for (const domain::Employee& e : live) live_by_no[e.employee_no] = &e;
  const Ranges ranges = WithPrevious(range);
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCustomerSatisfaction, ranges, departments, detail);
  if (!l.ok()) return l.status();
  const bool frozen = std::any_of(
      l->campaigns.begin(), l->campaigns.end(),
      [&](const store::CampaignInfo& c) { return ranges.range.Contains(c.period); });

  std::vector<DepartmentCells> out;
  for (const domain::Department& d : *all_depts) {
    if (!departments.empty() &&
        std::find(departments.begin(), departments.end(), d.code) == departments.end()) {
      continue;
    }
    absl::StatusOr<DepartmentParts> parts = PartsOf(*l, d.code);
    if (!parts.ok()) return parts.status();
    // Listed: the members of the range's campaigns, by employee number.
    std::vector<std::string> listed;
    for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
      if (!ranges.range.Contains(l->campaigns[ci].period)) continue;
      const std::vector<std::string>& members = MembersOf(*l, ci, d.code);
      listed.insert(listed.end(), members.begin(), members.end());
    }
    if (!frozen) {
      for (const domain::Employee& e : live) {
        if (e.department_code == d.code) listed.push_back(e.employee_no);
      }
    }
    std::sort(listed.begin(), listed.end());
    listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
    DepartmentCells cells;
    cells.department.code = d.code;
    cells.department.name = d.name;
    cells.department.department_code = d.code;
    if (absl::Status s = Fill(ranges, *l, parts->department, &cells.department); !s.ok()) {
      return s;
    }
    for (const std::string& no : listed) {
      SubjectCell cell;
      cell.code = no;
      auto e = live_by_no.find(no);
      if (e != live_by_no.end()) {
        cell.name = e->second->name;
      } else if (absl::StatusOr<domain::Employee> moved = org_->GetEmployee(no); moved.ok()) {
        cell.name = moved->name;  // moved out since
      }
      cell.department_code = d.code;
      auto mine = parts->employees.find(no);
      const std::vector<CampaignPart>& p =
          mine == parts->employees.end() ? parts->none : mine->second;
      if (absl::Status s = Fill(ranges, *l, p, &cell); !s.ok()) return s;
      cells.employees.push_back(std::move(cell));
    }
    out.push_back(std::move(cells));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ReportCells::DepartmentsOf(
    const Ranges& ranges, const std::string& employee_no, const std::string& current) {
  absl::StatusOr<std::vector<store::CampaignInfo>> campaigns = reports_->Campaigns(
      domain::CampaignKind::kCustomerSatisfaction, ranges.first(), ranges.last());
  if (!campaigns.ok()) return campaigns.status();
  std::vector<std::string> ids;
  for (const store::CampaignInfo& c : *campaigns) ids.push_back(c.id);
  absl::StatusOr<std::vector<store::MemberRow>> rows =
      reports_->Members({ids, {}, {employee_no}});
  if (!rows.ok()) return rows.status();
  std::set<std::string> departments = {current};
  for (const store::MemberRow& m : *rows) departments.insert(m.department_code);
  return std::vector<std::string>(departments.begin(), departments.end());
}

absl::StatusOr<SubjectCell> ReportCells::Employee(const domain::PeriodRange& range,
                                                  const domain::Employee& e) {
  const Ranges ranges = WithPrevious(range);
  absl::StatusOr<std::vector<std::string>> departments =
      DepartmentsOf(ranges, e.employee_no, e.department_code);
  if (!departments.ok()) return departments.status();
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCustomerSatisfaction, ranges, *departments, true);
  if (!l.ok()) return l.status();
  // Each campaign's part from the department the employee belonged to then.
  std::map<std::string, DepartmentParts> by_department;
  std::vector<CampaignPart> mine = NoDataParts(*l);
  for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
    auto d = l->cells[ci]->department_of.find(e.employee_no);
    if (d == l->cells[ci]->department_of.end()) continue;
    auto it = by_department.find(d->second);
    if (it == by_department.end()) {
      absl::StatusOr<DepartmentParts> parts = PartsOf(*l, d->second);
      if (!parts.ok()) return parts.status();
      it = by_department.emplace(d->second, *std::move(parts)).first;
    }
    mine[ci] = it->second.employees.at(e.employee_no)[ci];
  }
  SubjectCell cell;
  cell.code = e.employee_no;
  cell.name = e.name;
  cell.department_code = e.department_code;
  if (absl::Status s = Fill(ranges, *l, mine, &cell); !s.ok()) return s;
  return cell;
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
      Load(domain::CampaignKind::kCrossEvaluation, ranges, rated, true);
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
  const Ranges ranges{range, std::nullopt};
  std::vector<std::string> departments = {department};
  if (!employee_no.empty()) {
    absl::StatusOr<std::vector<std::string>> d =
        DepartmentsOf(ranges, employee_no, department);
    if (!d.ok()) return d.status();
    departments = *std::move(d);
  }
  absl::StatusOr<Loaded> l =
      Load(domain::CampaignKind::kCustomerSatisfaction, ranges, departments, true);
  if (!l.ok()) return l.status();
  // Decide per campaign, with comment_k, among the members of the
  // department (the employee's department in that campaign).
  std::vector<Withheld> parts;
  int64_t total = 0, k = 0;
  std::vector<std::string> released_campaigns;
  std::set<std::pair<std::string, std::string>> released_subjects;  // campaign, employee
  for (size_t ci = 0; ci < l->campaigns.size(); ++ci) {
    const store::CampaignInfo& c = l->campaigns[ci];
    std::string in = department;
    if (!employee_no.empty()) {
      auto d = l->cells[ci]->department_of.find(employee_no);
      in = d == l->cells[ci]->department_of.end() ? "" : d->second;
    }
    const std::vector<std::string>& members = MembersOf(*l, ci, in);
    std::vector<int64_t> n(members.size());
    int64_t dept_n = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      const domain::Aggregate* a = Find(*l, ci, CellKey(members[i], ""));
      n[i] = a == nullptr ? 0 : a->n;
      dept_n += n[i];
    }
    Withheld w = Withheld::kNoData;
    int64_t part_n = 0;
    if (employee_no.empty()) {
      w = domain::ByThreshold(dept_n, c.comment_k);
      part_n = dept_n;
    } else if (auto it = std::find(members.begin(), members.end(), employee_no);
               it != members.end()) {
      size_t i = static_cast<size_t>(it - members.begin());
      w = domain::SuppressSiblings(n, c.comment_k)[i];
      part_n = n[i];
    }
    if (part_n > 0 && c.state != domain::CampaignState::kClosed) {
      w = Withheld::kCampaignOpen;
    }
    parts.push_back(w);
    total += part_n;
    k = std::max<int64_t>(k, c.comment_k);
    if (w != Withheld::kNone) continue;
    released_campaigns.push_back(c.id);
    if (!employee_no.empty()) {
      released_subjects.insert({c.id, employee_no});
    } else {
      for (const std::string& m : members) released_subjects.insert({c.id, m});
    }
  }
  *released = domain::CombineParts(parts, total, std::max<int64_t>(k, 1));
  if (*released != Withheld::kNone) return std::vector<std::string>{};
  store::CellFilter filter;
  filter.campaign_ids = released_campaigns;
  filter.subject_kind = domain::SubjectKind::kEmployee;
  std::set<std::string> subjects;
  for (const auto& [campaign, subject] : released_subjects) subjects.insert(subject);
  filter.subject_codes.assign(subjects.begin(), subjects.end());
  absl::StatusOr<std::vector<store::TextRow>> rows = reports_->Texts(filter);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> texts;
  for (store::TextRow& r : *rows) {
    // Only the texts of that campaign's members.
    if (!released_subjects.contains({r.campaign_id, r.subject_code})) continue;
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
