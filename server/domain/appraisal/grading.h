// Annual grades by forced distribution of the annual coefficient (DOMAIN.md
// §4, seed 002 table 2): A 5 % · B 20 % · C 50 % · D 20 % · E 5 %.
//
// Quotas for a unit of n employees (percentages a, b, c, d, e):
//   A = floor(n × a / 100)            E = floor(n × e / 100)
//   B = round(n × b / 100)            D = round(n × d / 100)   (halves up)
//   C = n - A - B - D - E             (the middle absorbs the rounding)
// The extremes round down: nobody is pushed into E (no annual bonus) or A
// (an extra award) by rounding alone. n = 7: A 0, B 1, C 5, D 1, E 0;
// n = 20: 1, 4, 10, 4, 1; n = 101: 5, 20, 51, 20, 5.
//
// Assignment: employees sorted by coefficient, best first, fill A's quota,
// then B's, and so on. Ties: employees with the same coefficient (compared
// exactly, in basis points) always get the same grade, the best grade any
// of them reaches by position; the next grade's quota shrinks by the
// overflow. So ties only ever favour employees, and quotas may be exceeded
// for A..D and undershot below (in the extreme, a unit where everyone is
// equal all get position 0's grade); GradingUnit reports quotas and actual
// counts side by side so HR sees every deviation.
//
// Units (RunAnnualGradingRequest.pooling). kCompany: everyone is one unit.
// kDepartment: each department of at least min_unit_size (default 20, the
// smallest n in which every grade has a quota of 1) is its own unit; all
// smaller departments are pooled into one unit "(pooled)". A pool still
// below min_unit_size is graded anyway and marked below_minimum for HR.
#ifndef SURVEY_DOMAIN_APPRAISAL_GRADING_H_
#define SURVEY_DOMAIN_APPRAISAL_GRADING_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace survey::domain::appraisal {

enum class Grade { kA, kB, kC, kD, kE };
std::string_view GradeName(Grade grade);  // "A".."E"
// "A".."E" (ASCII case ignored); InvalidArgument otherwise.
absl::StatusOr<Grade> ParseGrade(std::string_view text);

struct Distribution {
  int a = 5, b = 20, c = 50, d = 20, e = 5;
};

// Counts per grade, indexed by Grade (A = 0 .. E = 4).
using GradeCounts = std::array<int64_t, 5>;

// The quotas above. InvalidArgument if n < 0 or the percentages are not
// 0..100 summing to 100. (Should B and D rounding up leave C negative,
// possible only when c is tiny, D then B give back the difference.)
absl::StatusOr<GradeCounts> Quotas(int64_t n, const Distribution& dist);

// Grades one unit: result[i] is the grade of coefficients_bp[i].
// InvalidArgument as Quotas, or for a negative coefficient.
absl::StatusOr<std::vector<Grade>> DistributeUnit(
    std::span<const int64_t> coefficients_bp, const Distribution& dist);

enum class Pooling { kCompany, kDepartment };
// "company" | "department"; InvalidArgument otherwise.
absl::StatusOr<Pooling> ParsePooling(std::string_view text);

struct GradingOptions {
  Distribution distribution;
  Pooling pooling = Pooling::kDepartment;
  int64_t min_unit_size = 20;
};

struct Candidate {
  std::string employee_no;
  std::string department_code;
  int64_t coefficient_bp = 0;
};

struct GradedEmployee {
  std::string employee_no;
  std::string department_code;
  std::string unit;  // the grading unit: a department, "(pooled)", "(company)"
  int64_t coefficient_bp = 0;
  Grade grade = Grade::kC;
  int64_t rank = 0;  // 1-based within the unit; ties share the best rank
};

struct GradingUnit {
  std::string name;
  std::vector<std::string> departments;  // sorted
  int64_t size = 0;
  GradeCounts quotas{};
  GradeCounts counts{};
  bool below_minimum = false;
};

struct GradingResult {
  std::vector<GradingUnit> units;  // departments by code, then the pool
  std::vector<GradedEmployee> employees;  // by unit, rank, employee_no
};

// InvalidArgument for a repeated or empty employee_no, a negative
// coefficient, min_unit_size < 1, or a bad distribution.
absl::StatusOr<GradingResult> GradeAnnual(
    std::span<const Candidate> candidates, const GradingOptions& options);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_GRADING_H_
