// The organisation model: departments and employees, as HR imports them
// (CSV) and as the rest of the domain refers to them (by code / number).
//
// Import is all-or-nothing: the functions here never stop at the first
// problem but collect every one as an OrgError, so HR can fix a whole file
// in one pass; the caller imports nothing unless the error list is empty.
#ifndef SURVEY_DOMAIN_ORG_H_
#define SURVEY_DOMAIN_ORG_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace survey::domain {

// Decides the appraisal section weights (DOMAIN.md section 4).
enum class PostType { kManagement, kOther };

// Decides which role-specific KPI lines apply (DOMAIN.md section 6).
enum class Position {
  kAfterSalesEngineer,
  kCustomerServiceAgent,
  kTechnicalSupport,
  kOther,
};

// `line` is the CSV line the record came from, or 0 when it did not come
// from a CSV file (e.g. an API request); it only serves error messages.
struct Department {
  std::string code;
  std::string name;
  std::string manager_employee_no;  // Empty: no manager.
  bool active = true;
  int line = 0;
};

struct Employee {
  std::string employee_no;
  std::string name;
  std::string department_code;
  PostType post_type = PostType::kOther;
  Position position = Position::kOther;
  bool active = true;
  int line = 0;
};

// The words below are stored in CSV files and databases: never change them.
// Parsing ignores ASCII case and surrounding spaces; formatting gives the
// lowercase word. (The "active" column uses ParseCsvBool from csv.h.)
//
// ParsePostType: "management" | "other".
// ParsePosition: "after_sales_engineer" | "customer_service_agent" |
//                "technical_support" | "other".
// Each returns the value, or InvalidArgument listing the accepted words.
absl::StatusOr<PostType> ParsePostType(std::string_view word);
absl::StatusOr<Position> ParsePosition(std::string_view word);
std::string_view PostTypeName(PostType post_type);
std::string_view PositionName(Position position);

// Department codes and employee numbers are identifiers that end up in
// URLs, file names and logs, hence the narrow alphabet.
// Returns OK if `value` matches [A-Za-z0-9_.-]{1,32}; otherwise
// InvalidArgument "<field>: ...".
absl::Status ValidateCode(std::string_view field, std::string_view value);

// Returns `value` without leading and trailing ASCII spaces (U+0020 only;
// other bytes, non-ASCII included, are kept byte for byte so Chinese names
// round-trip exactly) if the result is valid UTF-8, 1..100 code points long
// and free of control characters (tabs and line breaks included). Otherwise
// returns InvalidArgument "<field>: ...".
absl::StatusOr<std::string> NormalizeName(std::string_view field,
                                          std::string_view value);

// One problem with one input record (or with a whole file).
struct OrgError {
  std::string file;    // "departments" or "employees".
  int line = 0;        // CSV line; 0 if the input was not CSV.
  int index = -1;      // 0-based record index (see each producer); -1 for
                       // file-level problems (header, CSV syntax).
  std::string column;  // CSV column / field name; empty if not about one.
  std::string message;
};

// Returns a one-line description for users, e.g.
//   employees.csv line 13, column department_code: unknown department "X9"
//   employees[4], column name: must not be empty       (line 0, index >= 0)
//   departments.csv line 3: expected 4 fields, found 2  (no column)
std::string FormatOrgError(const OrgError& error);

// What a CSV import produced. Rows with any error are left out of the
// vectors; `errors` lists every problem found, in file order.
struct OrgParseResult {
  std::vector<Department> departments;
  std::vector<Employee> employees;
  std::vector<OrgError> errors;
};

// Parses a departments CSV (see ImportCsv in csv.h for the file rules). The
// header row must name these columns, in any order, ignoring ASCII case:
//   code, name                    required
//   manager_employee_no, active   optional; an absent column or empty cell
//                                 means no manager / active
// Cells are stripped of surrounding spaces (TrimCsvSpaces) before checks;
// "active" takes the words of ParseCsvBool.
//
// Fills `departments` with every valid row and `errors` with, in file order:
//   - the CSV syntax error, if any, alone (its line, index -1);
//   - header problems: unknown, duplicate or missing columns (header line,
//     index -1, the column concerned); rows are then not examined;
//   - per data row (line = its first line, index = 0-based data row): a
//     wrong number of fields (no column), or one error per invalid cell.
// Cross-record rules (duplicates, references) are ValidateOrg's job; as bad
// rows are left out, running it on a result with errors may add follow-on
// errors (e.g. employees of a department whose row was rejected).
OrgParseResult ParseDepartmentsCsv(std::string_view text);

// Same as ParseDepartmentsCsv for employees. Columns:
//   employee_no, name, department_code, post_type, position   required
//   active                                                    optional
OrgParseResult ParseEmployeesCsv(std::string_view text);

// Checks a batch about to be imported, against itself and against what is
// already stored (the existing sets). Returns every problem, empty if none:
//   - each field as in ValidateCode / NormalizeName;
//   - a department code or employee number repeated within the batch (each
//     repetition after the first); matching an existing one is not an
//     error, it means "update";
//   - an employee whose department is neither in the batch nor existing;
//   - a manager who is neither in the batch nor existing, or who is in the
//     batch but belongs to another department (a manager known only from
//     the existing set cannot be checked here).
// Errors come department by department, then employee by employee; each
// carries the record's `line` and its `index` in its vector. Codes are
// compared byte for byte (case matters). Names are checked as NormalizeName
// would see them but not changed: store NormalizeName's result.
std::vector<OrgError> ValidateOrg(
    const std::vector<Department>& departments,
    const std::vector<Employee>& employees,
    const std::set<std::string>& existing_department_codes,
    const std::set<std::string>& existing_employee_nos);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_ORG_H_
