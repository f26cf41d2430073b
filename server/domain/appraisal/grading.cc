#include "domain/appraisal/grading.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace survey::domain::appraisal {
namespace {

constexpr char kPooled[] = "(pooled)";
constexpr char kCompany[] = "(company)";

absl::Status CheckDistribution(const Distribution& d) {
  for (int p : {d.a, d.b, d.c, d.d, d.e}) {
    if (p < 0 || p > 100) {
      return absl::InvalidArgumentError(
          "distribution percentages must be 0..100");
    }
  }
  const int sum = d.a + d.b + d.c + d.d + d.e;
  if (sum != 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("distribution percentages sum to ", sum, ", must be 100"));
  }
  return absl::OkStatus();
}

// Grades `order` (indices into `bp`, best first) into `out`; returns the
// actual counts per grade.
GradeCounts Assign(std::span<const int64_t> bp, const std::vector<size_t>& order,
                   const GradeCounts& quotas, std::vector<Grade>& out) {
  // Position p's grade by quota: the first grade whose cumulative quota
  // exceeds p.
  auto grade_at = [&](size_t p) {
    int64_t cumulative = 0;
    for (int g = 0; g < 5; ++g) {
      cumulative += quotas[g];
      if (static_cast<int64_t>(p) < cumulative) return static_cast<Grade>(g);
    }
    return Grade::kE;  // unreachable: quotas sum to n
  };
  GradeCounts counts{};
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    while (end < order.size() && bp[order[end]] == bp[order[start]]) ++end;
    const Grade g = grade_at(start);  // the group's best position
    for (size_t p = start; p < end; ++p) out[order[p]] = g;
    counts[static_cast<int>(g)] += static_cast<int64_t>(end - start);
    start = end;
  }
  return counts;
}

std::vector<size_t> BestFirst(std::span<const int64_t> bp) {
  std::vector<size_t> order(bp.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return bp[x] > bp[y]; });
  return order;
}

}  // namespace

std::string_view GradeName(Grade grade) {
  static constexpr std::string_view kNames[] = {"A", "B", "C", "D", "E"};
  return kNames[static_cast<int>(grade)];
}

absl::StatusOr<Grade> ParseGrade(std::string_view text) {
  if (text.size() == 1) {
    const char c = absl::ascii_toupper(static_cast<unsigned char>(text[0]));
    if (c >= 'A' && c <= 'E') return static_cast<Grade>(c - 'A');
  }
  return absl::InvalidArgumentError(
      absl::StrCat("grade \"", std::string(text), "\" is not one of A..E"));
}

absl::StatusOr<GradeCounts> Quotas(int64_t n, const Distribution& d) {
  if (n < 0) return absl::InvalidArgumentError("unit size is negative");
  if (absl::Status s = CheckDistribution(d); !s.ok()) return s;
  auto floor_of = [&](int pct) { return n * pct / 100; };
  auto round_of = [&](int pct) { return (n * pct + 50) / 100; };
  GradeCounts q = {floor_of(d.a), round_of(d.b), 0, round_of(d.d),
                   floor_of(d.e)};
  int64_t rest = n - q[0] - q[1] - q[3] - q[4];
  for (int g : {3, 1}) {
    while (rest < 0 && q[g] > 0) {
      --q[g];
      ++rest;
    }
  }
  q[2] = rest;
  return q;
}

absl::StatusOr<std::vector<Grade>> DistributeUnit(
    std::span<const int64_t> coefficients_bp, const Distribution& dist) {
  for (int64_t bp : coefficients_bp) {
    if (bp < 0) return absl::InvalidArgumentError("negative coefficient");
  }
  absl::StatusOr<GradeCounts> quotas =
      Quotas(static_cast<int64_t>(coefficients_bp.size()), dist);
  if (!quotas.ok()) return quotas.status();
  std::vector<Grade> out(coefficients_bp.size(), Grade::kC);
  Assign(coefficients_bp, BestFirst(coefficients_bp), *quotas, out);
  return out;
}

absl::StatusOr<Pooling> ParsePooling(std::string_view text) {
  const std::string word = absl::AsciiStrToLower(std::string(text));
  if (word == "company") return Pooling::kCompany;
  if (word == "department") return Pooling::kDepartment;
  return absl::InvalidArgumentError(absl::StrCat(
      "pooling \"", std::string(text), "\" is not company or department"));
}

absl::StatusOr<GradingResult> GradeAnnual(std::span<const Candidate> candidates,
                                          const GradingOptions& options) {
  if (absl::Status s = CheckDistribution(options.distribution); !s.ok()) {
    return s;
  }
  if (options.min_unit_size < 1) {
    return absl::InvalidArgumentError("min_unit_size must be >= 1");
  }
  std::set<std::string> seen;
  std::map<std::string, std::vector<size_t>> by_department;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (c.employee_no.empty() || !seen.insert(c.employee_no).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "employee \"", c.employee_no, "\" is empty or appears twice"));
    }
    if (c.coefficient_bp < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "employee ", c.employee_no, ": negative coefficient"));
    }
    by_department[c.department_code].push_back(i);
  }

  // Units: name -> (departments, members).
  std::vector<GradingUnit> units;
  std::vector<std::vector<size_t>> members;
  GradingUnit pool;
  pool.name = kPooled;
  std::vector<size_t> pool_members;
  for (const auto& [dept, idx] : by_department) {
    if (options.pooling == Pooling::kCompany ||
        static_cast<int64_t>(idx.size()) < options.min_unit_size) {
      pool.departments.push_back(dept);
      pool_members.insert(pool_members.end(), idx.begin(), idx.end());
    } else {
      GradingUnit unit;
      unit.name = dept;
      unit.departments = {dept};
      units.push_back(unit);
      members.push_back(idx);
    }
  }
  if (!pool_members.empty()) {
    if (options.pooling == Pooling::kCompany) pool.name = kCompany;
    units.push_back(pool);
    members.push_back(pool_members);
  }

  GradingResult out;
  for (size_t u = 0; u < units.size(); ++u) {
    GradingUnit& unit = units[u];
    std::vector<size_t> idx = members[u];
    // Stable order for ties in the output: by employee number.
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
      return candidates[x].employee_no < candidates[y].employee_no;
    });
    std::vector<int64_t> bp;
    for (size_t i : idx) bp.push_back(candidates[i].coefficient_bp);
    unit.size = static_cast<int64_t>(idx.size());
    unit.below_minimum = unit.size < options.min_unit_size;
    absl::StatusOr<GradeCounts> quotas =
        Quotas(unit.size, options.distribution);
    if (!quotas.ok()) return quotas.status();
    unit.quotas = *quotas;
    std::vector<Grade> grades(idx.size(), Grade::kC);
    const std::vector<size_t> order = BestFirst(bp);
    unit.counts = Assign(bp, order, unit.quotas, grades);
    for (size_t p = 0; p < order.size(); ++p) {
      const size_t j = order[p];
      const Candidate& c = candidates[idx[j]];
      // Competition ranking: a tie shares the rank of its first member.
      int64_t rank = static_cast<int64_t>(p) + 1;
      if (p > 0 && bp[order[p - 1]] == bp[j]) {
        rank = out.employees.back().rank;
      }
      out.employees.push_back({c.employee_no, c.department_code, unit.name,
                               c.coefficient_bp, grades[j], rank});
    }
  }
  out.units = std::move(units);
  return out;
}

}  // namespace survey::domain::appraisal
