#include "api/report_cells.h"

#include <algorithm>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "crypto/random.h"
#include "domain/disclosure.h"

namespace survey::api {
namespace {

using domain::CampaignPart;
using domain::Withheld;
using Key = std::tuple<std::string, std::string, std::string>;  // campaign, subject, group

// Everything stored about the cells of some campaigns.
struct Loaded {
  std::vector<store::CampaignInfo> campaigns;
  std::map<std::string, std::shared_ptr<const domain::Template>> forms;
  std::map<Key, domain::Aggregate> aggregates;
  std::map<Key, int64_t> issued;
};

// The range and, when it exists, the range before it.
struct Ranges {
  domain::PeriodRange range;
  std::optional<domain::PeriodRange> previous;
  domain::Period first() const { return previous ? previous->first : range.first; }
  domain::Period last() const { return range.Months().back(); }
};

Ranges WithPrevious(const domain::PeriodRange& range) {
  Ranges r{range, std::nullopt};
  absl::StatusOr<domain::PeriodRange> prev = range.Previous();
  if (prev.ok()) r.previous = *prev;
  return r;
}

absl::StatusOr<Loaded> Load(store::ReportStore& reports,
                            store::TemplateCache& templates,
                            domain::CampaignKind kind, const Ranges& ranges,
                            domain::SubjectKind subject_kind,
                            std::vector<std::string> codes) {
  Loaded l;
  absl::StatusOr<std::vector<store::CampaignInfo>> campaigns =
      reports.Campaigns(kind, ranges.first(), ranges.last());
  if (!campaigns.ok()) return campaigns.status();
  l.campaigns = *std::move(campaigns);
  store::CellFilter filter;
  filter.subject_kind = subject_kind;
  filter.subject_codes = std::move(codes);
  for (const store::CampaignInfo& c : l.campaigns) {
    filter.campaign_ids.push_back(c.id);
    absl::StatusOr<std::shared_ptr<const domain::Template>> form =
        templates.Get(c.template_key, c.template_version);
    if (!form.ok()) return form.status();
    l.forms[c.id] = *form;
  }
  absl::StatusOr<std::vector<store::AggregateRow>> aggs = reports.Aggregates(filter);
  if (!aggs.ok()) return aggs.status();
  for (store::AggregateRow& row : *aggs) {
    l.aggregates[{row.campaign_id, row.subject_code, row.group_code}] =
        std::move(row.aggregate);
  }
  absl::StatusOr<std::vector<store::IssuedRow>> issued = reports.Issued(filter);
  if (!issued.ok()) return issued.status();
  for (const store::IssuedRow& row : *issued) {
    l.issued[{row.campaign_id, row.subject_code, row.group_code}] = row.issued;
  }
  return l;
}

// A part of one cell in one campaign; `agg` may be null (no answers).
CampaignPart MakePart(const store::CampaignInfo& c, const Loaded& l,
                      const domain::Aggregate* agg, int64_t issued,
                      Withheld decision) {
  CampaignPart p;
  p.k = c.k;
  p.closed = c.state == domain::CampaignState::kClosed;
  p.issued = issued;
  p.form = l.forms.at(c.id);
  if (agg != nullptr) {
    p.aggregate = *agg;
    p.responses = agg->n;
  }
  p.decision = p.responses == 0 ? Withheld::kNoData : decision;
  return p;
}

const domain::Aggregate* Find(const Loaded& l, const Key& key) {
  auto it = l.aggregates.find(key);
  return it == l.aggregates.end() || it->second.n == 0 ? nullptr : &it->second;
}

int64_t IssuedOf(const Loaded& l, const Key& key) {
  auto it = l.issued.find(key);
  return it == l.issued.end() ? 0 : it->second;
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

// The cell over `range` and the one before, from parts keyed by campaign.
absl::Status Fill(const Ranges& ranges, const Loaded& l,
                  const std::map<std::string, CampaignPart>& parts,
                  SubjectCell* cell) {
  std::vector<CampaignPart> now, before;
  for (const store::CampaignInfo& c : l.campaigns) {
    auto it = parts.find(c.id);
    if (it == parts.end()) continue;
    if (ranges.range.Contains(c.period)) {
      now.push_back(it->second);
    } else if (ranges.previous && ranges.previous->Contains(c.period)) {
      before.push_back(it->second);
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
    const domain::PeriodRange& range, const std::vector<std::string>& departments) {
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
      Load(*reports_, *templates_, domain::CampaignKind::kCustomerSatisfaction,
           ranges, domain::SubjectKind::kEmployee, codes);
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
    std::vector<std::map<std::string, CampaignPart>> member_parts(members.size());
    std::map<std::string, CampaignPart> dept_parts;
    for (const store::CampaignInfo& c : l->campaigns) {
      std::vector<int64_t> n(members.size());
      std::optional<domain::Aggregate> dept_sum;
      int64_t dept_issued = 0;
      for (size_t i = 0; i < members.size(); ++i) {
        const domain::Aggregate* a = Find(*l, {c.id, members[i]->employee_no, ""});
        n[i] = a == nullptr ? 0 : a->n;
        if (a != nullptr) {
          if (absl::Status s = Accumulate(*a, &dept_sum); !s.ok()) return s;
        }
        dept_issued += IssuedOf(*l, {c.id, members[i]->employee_no, ""});
      }
      std::vector<Withheld> decisions = domain::SuppressSiblings(n, c.k);
      for (size_t i = 0; i < members.size(); ++i) {
        const Key key{c.id, members[i]->employee_no, ""};
        member_parts[i][c.id] =
            MakePart(c, *l, Find(*l, key), IssuedOf(*l, key), decisions[i]);
      }
      const domain::Aggregate* sum = dept_sum ? &*dept_sum : nullptr;
      dept_parts[c.id] = MakePart(c, *l, sum, dept_issued,
                                  domain::ByThreshold(sum ? sum->n : 0, c.k));
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
      Load(*reports_, *templates_, domain::CampaignKind::kCrossEvaluation, ranges,
           domain::SubjectKind::kDepartment, rated);
  if (!l.ok()) return l.status();
  std::vector<CrossRow> out;
  for (const domain::Department& d : *depts) {
    if (!rated.empty() && std::find(rated.begin(), rated.end(), d.code) == rated.end()) {
      continue;
    }
    // Evaluating departments of this rated department, in code order.
    std::vector<std::string> groups;
    for (const auto& [key, agg] : l->aggregates) {
      if (std::get<1>(key) == d.code) groups.push_back(std::get<2>(key));
    }
    for (const auto& [key, n] : l->issued) {
      if (std::get<1>(key) == d.code) groups.push_back(std::get<2>(key));
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    if (rated.empty() && groups.empty()) continue;  // never evaluated
    std::vector<std::map<std::string, CampaignPart>> group_parts(groups.size());
    std::map<std::string, CampaignPart> overall_parts;
    for (const store::CampaignInfo& c : l->campaigns) {
      std::vector<int64_t> n(groups.size());
      std::optional<domain::Aggregate> sum;
      int64_t issued = 0;
      for (size_t g = 0; g < groups.size(); ++g) {
        const domain::Aggregate* a = Find(*l, {c.id, d.code, groups[g]});
        n[g] = a == nullptr ? 0 : a->n;
        if (a != nullptr) {
          if (absl::Status s = Accumulate(*a, &sum); !s.ok()) return s;
        }
        issued += IssuedOf(*l, {c.id, d.code, groups[g]});
      }
      std::vector<Withheld> decisions = domain::SuppressSiblings(n, c.k);
      for (size_t g = 0; g < groups.size(); ++g) {
        const Key key{c.id, d.code, groups[g]};
        group_parts[g][c.id] =
            MakePart(c, *l, Find(*l, key), IssuedOf(*l, key), decisions[g]);
      }
      const domain::Aggregate* s = sum ? &*sum : nullptr;
      overall_parts[c.id] =
          MakePart(c, *l, s, issued, domain::ByThreshold(s ? s->n : 0, c.k));
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
      Load(*reports_, *templates_, domain::CampaignKind::kCustomerSatisfaction,
           ranges, domain::SubjectKind::kEmployee, codes);
  if (!l.ok()) return l.status();
  // Decide per campaign, among the department's employees, with comment_k.
  std::vector<Withheld> parts;
  int64_t total = 0, k = 0;
  std::vector<std::string> released_campaigns;
  for (const store::CampaignInfo& c : l->campaigns) {
    std::vector<int64_t> n(codes.size());
    int64_t dept_n = 0;
    for (size_t i = 0; i < codes.size(); ++i) {
      const domain::Aggregate* a = Find(*l, {c.id, codes[i], ""});
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
