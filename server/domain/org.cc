#include "domain/org.h"

#include <algorithm>
#include <map>
#include <span>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/csv.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

constexpr size_t kMaxCodeLength = 32;
constexpr size_t kMaxNameCodePoints = 100;

// Indexed by enum value. These words are stored in files and databases.
constexpr const char* kPostTypeWords[] = {"management", "other"};
constexpr const char* kPositionWords[] = {"after_sales_engineer",
                                          "customer_service_agent",
                                          "technical_support", "other"};
static_assert(std::size(kPostTypeWords) ==
              static_cast<size_t>(PostType::kOther) + 1);
static_assert(std::size(kPositionWords) ==
              static_cast<size_t>(Position::kOther) + 1);

// Returns the enumerator whose word is `input`, ignoring ASCII case and
// surrounding spaces.
// std::string(sv) for absl calls: Debian's absl::string_view is not std's.
template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseEnum(const char* const (&words)[N],
                               std::string_view input) {
  const std::string lower =
      absl::AsciiStrToLower(std::string(TrimCsvSpaces(input)));
  for (size_t i = 0; i < N; ++i) {
    if (lower == words[i]) return static_cast<Enum>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", absl::CHexEscape(std::string(input)),
                   "\" is not one of ", absl::StrJoin(words, ", ")));
}

// The *Problem functions return "" for an acceptable value, else the reason
// without the field name, which Status messages and OrgError add their way.
std::string CodeProblem(std::string_view value) {
  if (value.empty()) return "must not be empty";
  const bool ok = value.size() <= kMaxCodeLength &&
                  std::all_of(value.begin(), value.end(), [](char c) {
                    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                           c == '_' || c == '.' || c == '-';
                  });
  if (ok) return "";
  return absl::StrCat("\"", absl::CHexEscape(std::string(value)),
                      "\" must be 1 to ", kMaxCodeLength,
                      " characters from A-Z a-z 0-9 _ . -");
}

std::string NameProblem(std::string_view trimmed) {
  // Never echo a name: it may be malformed or personal data.
  if (!IsValidUtf8(trimmed)) return "is not valid UTF-8";
  if (trimmed.empty()) return "must not be empty";
  const size_t length = CountCodePoints(trimmed);
  if (length > kMaxNameCodePoints) {
    return absl::StrCat("is ", length, " characters long, at most ",
                        kMaxNameCodePoints, " allowed");
  }
  if (HasControlChars(trimmed, /*allow_line_breaks=*/false)) {
    return "must not contain control characters";
  }
  return "";
}

// Cells are addressed by their column's position in the schema, which these
// enums name. Columns are required unless marked false.
enum DepartmentCol { kDeptCode, kDeptName, kDeptManager, kDeptActive };
constexpr CsvColumn kDepartmentColumns[] = {
    {"code"}, {"name"}, {"manager_employee_no", false}, {"active", false}};
enum EmployeeCol { kEmpNo, kEmpName, kEmpDept, kEmpPost, kEmpPos, kEmpActive };
constexpr CsvColumn kEmployeeColumns[] = {
    {"employee_no"}, {"name"},     {"department_code"},
    {"post_type"},   {"position"}, {"active", false}};

// Converts one CSV row; its problems go straight to the import's list.
struct Row {
  const CsvImportRow& csv;
  std::span<const CsvColumn> schema;
  std::vector<CsvProblem>* problems;
  bool ok = true;

  void Fail(int column, std::string reason) {
    problems->push_back({csv.line, csv.index, std::string(schema[column].name),
                         std::move(reason)});
    ok = false;
  }

  std::string Checked(int column, std::string (*problem)(std::string_view)) {
    const std::string_view cell = csv.cells[column];
    if (std::string reason = problem(cell); !reason.empty()) {
      Fail(column, std::move(reason));
    }
    return std::string(cell);
  }

  template <typename T>
  T Parsed(int column, absl::StatusOr<T> value) {
    if (value.ok()) return *value;
    Fail(column, std::string(value.status().message()));
    return T{};
  }

  bool Active(int column) {  // A blank cell means the default.
    const std::string_view cell = csv.cells[column];
    return cell.empty() || Parsed(column, ParseCsvBool(cell));
  }
};

// Imports `text` against `schema`, calling `convert(row)` for each row to be
// converted; `convert` keeps the record only if `row.ok` stays true.
template <typename Convert>
std::vector<OrgError> ParseOrgCsv(const std::string& file,
                                  std::string_view text,
                                  std::span<const CsvColumn> schema,
                                  Convert convert) {
  std::vector<CsvProblem> problems;
  auto visit = [&](const CsvImportRow& csv) {
    Row row{csv, schema, &problems};
    convert(row);
  };
  ImportCsv(text, schema, visit, &problems);
  std::vector<OrgError> errors;
  for (CsvProblem& p : problems) {
    errors.push_back(
        {file, p.line, p.index, std::move(p.column), std::move(p.message)});
  }
  return errors;
}

// Problem with the key of record `index` whose first occurrence in the batch
// is record `first` (on CSV line `first_line`, 0 if none).
std::string KeyProblem(const char* what, const std::string& key, size_t index,
                       size_t first, int first_line) {
  std::string problem = CodeProblem(key);
  if (!problem.empty() || index == first) return problem;
  return absl::StrCat("duplicate ", what, " \"", key, "\" (first at ",
                      first_line > 0 ? absl::StrCat("line ", first_line)
                                     : absl::StrCat("[", first, "]"),
                      ")");
}

std::string ManagerProblem(const Department& d,
                           const std::vector<Employee>& employees,
                           const std::map<std::string_view, size_t>& first_emp,
                           const std::set<std::string>& existing_employee_nos) {
  const std::string& manager = d.manager_employee_no;
  std::string problem = manager.empty() ? "" : CodeProblem(manager);
  if (manager.empty() || !problem.empty()) return problem;
  if (auto it = first_emp.find(manager); it != first_emp.end()) {
    const std::string& home = employees[it->second].department_code;
    if (home == d.code) return "";
    return absl::StrCat("manager \"", manager, "\" belongs to department \"",
                        absl::CHexEscape(home), "\"");
  }
  if (existing_employee_nos.contains(manager)) return "";
  return absl::StrCat("unknown employee \"", manager, "\"");
}

}  // namespace

absl::StatusOr<PostType> ParsePostType(std::string_view word) {
  return ParseEnum<PostType>(kPostTypeWords, word);
}

absl::StatusOr<Position> ParsePosition(std::string_view word) {
  return ParseEnum<Position>(kPositionWords, word);
}

std::string_view PostTypeName(PostType post_type) {
  const auto i = static_cast<size_t>(post_type);
  return i < std::size(kPostTypeWords) ? kPostTypeWords[i] : "other";
}

std::string_view PositionName(Position position) {
  const auto i = static_cast<size_t>(position);
  return i < std::size(kPositionWords) ? kPositionWords[i] : "other";
}

absl::Status ValidateCode(std::string_view field, std::string_view value) {
  std::string problem = CodeProblem(value);
  if (problem.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", problem));
}

absl::StatusOr<std::string> NormalizeName(std::string_view field,
                                          std::string_view value) {
  const std::string_view trimmed = TrimCsvSpaces(value);
  std::string problem = NameProblem(trimmed);
  if (problem.empty()) return std::string(trimmed);
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", problem));
}

std::string FormatOrgError(const OrgError& error) {
  std::string out = error.file;
  if (error.line > 0) {
    absl::StrAppend(&out, ".csv line ", error.line);
  } else if (error.index >= 0) {
    absl::StrAppend(&out, "[", error.index, "]");
  }
  if (!error.column.empty()) absl::StrAppend(&out, ", column ", error.column);
  absl::StrAppend(&out, ": ", error.message);
  return out;
}

OrgParseResult ParseDepartmentsCsv(std::string_view text) {
  OrgParseResult result;
  result.errors =
      ParseOrgCsv("departments", text, kDepartmentColumns, [&](Row& row) {
        Department d;
        d.code = row.Checked(kDeptCode, CodeProblem);
        d.name = row.Checked(kDeptName, NameProblem);
        if (!row.csv.cells[kDeptManager].empty()) {
          d.manager_employee_no = row.Checked(kDeptManager, CodeProblem);
        }
        d.active = row.Active(kDeptActive);
        d.line = row.csv.line;
        if (row.ok) result.departments.push_back(std::move(d));
      });
  return result;
}

OrgParseResult ParseEmployeesCsv(std::string_view text) {
  OrgParseResult result;
  result.errors =
      ParseOrgCsv("employees", text, kEmployeeColumns, [&](Row& row) {
        Employee e;
        e.employee_no = row.Checked(kEmpNo, CodeProblem);
        e.name = row.Checked(kEmpName, NameProblem);
        e.department_code = row.Checked(kEmpDept, CodeProblem);
        e.post_type =
            row.Parsed(kEmpPost, ParsePostType(row.csv.cells[kEmpPost]));
        e.position = row.Parsed(kEmpPos, ParsePosition(row.csv.cells[kEmpPos]));
        e.active = row.Active(kEmpActive);
        e.line = row.csv.line;
        if (row.ok) result.employees.push_back(std::move(e));
      });
  return result;
}

std::vector<OrgError> ValidateOrg(
    const std::vector<Department>& departments,
    const std::vector<Employee>& employees,
    const std::set<std::string>& existing_department_codes,
    const std::set<std::string>& existing_employee_nos) {
  std::vector<OrgError> errors;
  std::map<std::string_view, size_t> first_dept, first_emp;  // Key -> index.
  for (size_t i = 0; i < employees.size(); ++i) {
    first_emp.emplace(employees[i].employee_no, i);
  }
  auto add = [&errors](const char* file, int line, size_t index,
                       const char* column, std::string message) {
    if (message.empty()) return;
    errors.push_back(
        {file, line, static_cast<int>(index), column, std::move(message)});
  };

  for (size_t i = 0; i < departments.size(); ++i) {
    const Department& d = departments[i];
    // Filled as we go: employees, checked after, see every department.
    const size_t first = first_dept.emplace(d.code, i).first->second;
    add("departments", d.line, i, "code",
        KeyProblem("department code", d.code, i, first,
                   departments[first].line));
    add("departments", d.line, i, "name", NameProblem(TrimCsvSpaces(d.name)));
    add("departments", d.line, i, "manager_employee_no",
        ManagerProblem(d, employees, first_emp, existing_employee_nos));
  }
  for (size_t i = 0; i < employees.size(); ++i) {
    const Employee& e = employees[i];
    const size_t first = first_emp[e.employee_no];
    add("employees", e.line, i, "employee_no",
        KeyProblem("employee number", e.employee_no, i, first,
                   employees[first].line));
    add("employees", e.line, i, "name", NameProblem(TrimCsvSpaces(e.name)));
    std::string problem = CodeProblem(e.department_code);
    if (problem.empty() && !first_dept.contains(e.department_code) &&
        !existing_department_codes.contains(e.department_code)) {
      problem = absl::StrCat("unknown department \"", e.department_code, "\"");
    }
    add("employees", e.line, i, "department_code", std::move(problem));
  }
  return errors;
}

}  // namespace survey::domain
