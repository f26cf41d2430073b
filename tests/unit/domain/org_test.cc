#include "domain/org.h"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

using Strings = std::vector<std::string>;

// Chinese names as bytes, so the test does not depend on the source file's
// encoding.
const std::string kZhangSan = "\xE5\xBC\xA0\xE4\xB8\x89";            // 张三
const std::string kLiSi = "\xE6\x9D\x8E\xE5\x9B\x9B";                // 李四
const std::string kKefuBu = "\xE5\xAE\xA2\xE6\x9C\x8D\xE9\x83\xA8";  // 客服部
const std::string kShouHou = "\xE5\x94\xAE\xE5\x90\x8E\xE9\x83\xA8";  // 售后部

// Whole records and error lists as strings, so one comparison checks every
// field and a failure shows all of them.
Strings Formatted(const std::vector<OrgError>& errors) {
  Strings out;
  for (const OrgError& e : errors) out.push_back(FormatOrgError(e));
  return out;
}

std::vector<int> Indexes(const std::vector<OrgError>& errors) {
  std::vector<int> out;
  for (const OrgError& e : errors) out.push_back(e.index);
  return out;
}

const char* Active(bool active) { return active ? "active" : "inactive"; }

Strings Described(const std::vector<Department>& departments) {
  Strings out;
  for (const Department& d : departments) {
    out.push_back(absl::StrCat(d.code, "|", d.name, "|", d.manager_employee_no,
                               "|", Active(d.active), "|line ", d.line));
  }
  return out;
}

Strings Described(const std::vector<Employee>& employees) {
  Strings out;
  for (const Employee& e : employees) {
    out.push_back(absl::StrCat(e.employee_no, "|", e.name, "|",
                               e.department_code, "|",
                               std::string(PostTypeName(e.post_type)), "|",
                               std::string(PositionName(e.position)), "|",
                               Active(e.active), "|line ", e.line));
  }
  return out;
}

std::string OrgRepeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(EnumWordsTest, StableWordsRoundTrip) {
  const std::pair<PostType, const char*> posts[] = {
      {PostType::kManagement, "management"}, {PostType::kOther, "other"}};
  for (auto [value, word] : posts) {
    EXPECT_EQ(PostTypeName(value), word);
    EXPECT_EQ(ParsePostType(word).value(), value) << word;
  }
  const std::pair<Position, const char*> positions[] = {
      {Position::kAfterSalesEngineer, "after_sales_engineer"},
      {Position::kCustomerServiceAgent, "customer_service_agent"},
      {Position::kTechnicalSupport, "technical_support"},
      {Position::kOther, "other"}};
  for (auto [value, word] : positions) {
    EXPECT_EQ(PositionName(value), word);
    EXPECT_EQ(ParsePosition(word).value(), value) << word;
  }
}

TEST(EnumWordsTest, ParseIgnoresCaseAndSpacesOnly) {
  EXPECT_EQ(ParsePostType(" Management ").value(), PostType::kManagement);
  EXPECT_EQ(ParsePosition("TECHNICAL_SUPPORT").value(),
            Position::kTechnicalSupport);
  EXPECT_EQ(std::string(ParsePostType("boss").status().message()),
            "\"boss\" is not one of management, other");
  EXPECT_FALSE(ParsePosition("after sales engineer").ok());
  EXPECT_FALSE(ParsePosition("").ok());
}

TEST(ValidateCodeTest, AlphabetAndLength) {
  for (const std::string& good : Strings{"D01", "a_b.c-D9", OrgRepeat("x", 32)}) {
    EXPECT_TRUE(ValidateCode("code", good).ok()) << good;
  }
  for (const std::string& bad : Strings{"", OrgRepeat("x", 33), "X 9", " D01",
                                        "a/b", "a\"b", "\xE5\xBC\xA0"}) {
    const absl::Status status = ValidateCode("department_code", bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(std::string(status.message()).rfind("department_code: ", 0), 0u)
        << status;
  }
}

TEST(NormalizeNameTest, TrimsAsciiSpacesOnlyAndChecks) {
  const std::string k100 = OrgRepeat(kZhangSan, 50);  // 100 code points.
  const std::string kEmoji = "\xF0\x9F\x98\x80";
  // Non-ASCII is never touched: no trimming of U+3000, no Unicode
  // normalisation of e + U+0308.
  // clang-format off
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"Alice", "Alice"}, {"  " + kZhangSan + " ", kZhangSan},
      {"Mary  Ann", "Mary  Ann"}, {"Zoe\xCC\x88", "Zoe\xCC\x88"},
      {"\xE3\x80\x80" + kLiSi, "\xE3\x80\x80" + kLiSi},
      {k100, k100}, {OrgRepeat(kEmoji, 100), OrgRepeat(kEmoji, 100)},
      {k100 + "x", std::nullopt}, {OrgRepeat(kEmoji, 101), std::nullopt},
      {"", std::nullopt}, {"   ", std::nullopt}, {"\tAlice", std::nullopt},
      {"Al\nice", std::nullopt}, {"Al\xC2\x85ice", std::nullopt},  // NEL
      {"Al\x7Fice", std::nullopt}, {"Al\xC0\x80ice", std::nullopt}};
  // clang-format on
  for (const auto& [input, expected] : cases) {
    absl::StatusOr<std::string> name = NormalizeName("name", input);
    if (expected.has_value()) {
      EXPECT_EQ(name.value_or("<error>"), *expected) << name.status();
    } else {
      ASSERT_FALSE(name.ok()) << input;
      EXPECT_EQ(std::string(name.status().message()).rfind("name: ", 0), 0u);
    }
  }
}

TEST(ParseDepartmentsCsvTest, BomReorderedColumnsChineseAndDefaults) {
  const OrgParseResult r = ParseDepartmentsCsv(
      "\xEF\xBB\xBF Name , CODE,active,manager_employee_no\r\n" + kKefuBu +
      ",D1,,E1\r\n\"" + kShouHou + "\", D2 ,no,\r\nD 3,Bad code,,\r\n");
  EXPECT_EQ(Indexes(r.errors), std::vector<int>{2});  // "D 3": left out.
  EXPECT_EQ(Described(r.departments),
            (Strings{"D1|" + kKefuBu + "|E1|active|line 2",
                     "D2|" + kShouHou + "||inactive|line 3"}));
}

TEST(ParseEmployeesCsvTest, ChineseNamesRoundTripByteExact) {
  // clang-format off
  const OrgParseResult r = ParseEmployeesCsv(
      "employee_no,name,department_code,post_type,position,active\n"
      "E1," + kZhangSan + ",D1,management,after_sales_engineer,true\n"
      "E2,\"" + kLiSi + ", Jr.\",D1,other,customer_service_agent,0\n"
      "E3,\"Multi\nLine\",D1,other,other,\n"  // Bad name, lines 4-5.
      "E4,Bob,D2,OTHER,Technical_Support,yes\n");
  EXPECT_EQ(Formatted(r.errors), Strings{"employees.csv line 4, column name: "
                                         "must not contain control characters"});
  // E4 is on line 6: the quoted newline in E3 must not shift it.
  EXPECT_EQ(Described(r.employees), (Strings{
      "E1|" + kZhangSan + "|D1|management|after_sales_engineer|active|line 2",
      "E2|" + kLiSi + ", Jr.|D1|other|customer_service_agent|inactive|line 3",
      "E4|Bob|D2|other|technical_support|active|line 6"}));
  // clang-format on
}

TEST(ParseEmployeesCsvTest, ReportsEveryBadRowAndCell) {
  const OrgParseResult r = ParseEmployeesCsv(
      "employee_no,name,department_code,post_type,position,active\n"  // 1
      "E1,Ann,D1,other,other,\n"                                      // 2
      "E 2,Bob,D1,other,other,\n"                                     // 3
      "E3,,D1,boss,other,\n"                                          // 4
      "E4,Dan,D1\n"                                                   // 5
      "E5,Eve,D1,other,other,maybe\n"                                 // 6
      "E6,Fay,D1,other,other,1\n");                                   // 7
  EXPECT_EQ(Formatted(r.errors),
            (Strings{"employees.csv line 3, column employee_no: \"E 2\" must "
                     "be 1 to 32 characters from A-Z a-z 0-9 _ . -",
                     "employees.csv line 4, column name: must not be empty",
                     "employees.csv line 4, column post_type: \"boss\" is not "
                     "one of management, other",
                     "employees.csv line 5: expected 6 fields, found 3",
                     "employees.csv line 6, column active: \"maybe\" is not "
                     "one of true, false, 1, 0, yes, no"}));
  EXPECT_EQ(Indexes(r.errors), (std::vector<int>{1, 2, 2, 3, 4}));
  // Good rows are still returned; the caller decides to import nothing.
  ASSERT_EQ(r.employees.size(), 2u);
  EXPECT_EQ(r.employees[1].employee_no, "E6");
}

// File-level problems are reported alone, on their line, and no row is
// examined.
TEST(ParseDepartmentsCsvTest, FileLevelErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "departments.csv line 1: no header row"},
      {"code,name\nD1,ok\nD2,bad\xED\xA0\x80\n",
       "departments.csv line 3: invalid UTF-8"},
      {"code,name\nD1,ok\nD2,\"bad\n",
       "departments.csv line 3: unterminated quoted field 2"},
      // Header problems (all reported, see csv_test) stop row checks.
      {"\n\ncode,active\nD1,maybe\n",
       "departments.csv line 3, column name: missing column \"name\""}};
  for (const auto& [text, expected] : cases) {
    const OrgParseResult r = ParseDepartmentsCsv(text);
    EXPECT_EQ(Formatted(r.errors), Strings{expected});
    EXPECT_EQ(Indexes(r.errors), std::vector<int>{-1});
    EXPECT_TRUE(r.departments.empty());
  }
  // Without line nor index (a whole input not from CSV): just the file.
  EXPECT_EQ(FormatOrgError({"departments", 0, -1, "", "empty"}),
            "departments: empty");
}

Department OrgDept(std::string code, std::string manager = "", int line = 0) {
  return {.code = std::move(code),
          .name = "Dept",
          .manager_employee_no = std::move(manager),
          .line = line};
}

Employee OrgEmp(std::string no, std::string dept, int line = 0,
             std::string name = "Name") {
  return {.employee_no = std::move(no),
          .name = std::move(name),
          .department_code = std::move(dept),
          .line = line};
}

TEST(ValidateOrgTest, Table) {
  struct Case {
    const char* label;
    std::vector<Department> departments;
    std::vector<Employee> employees;
    std::set<std::string> existing_departments, existing_employees;
    Strings errors;
  };
  // clang-format off
  const Case cases[] = {
    {"clean, references into batch and existing",
        {OrgDept("D1", "E1"), OrgDept("D2", "E9")},
        {OrgEmp("E1", "D1"), OrgEmp("E2", "D2"), OrgEmp("E3", "D0")}, {"D0"}, {"E9"},
        {}},
    {"existing keys mean update, not duplicate",
        {OrgDept("D1", "E1")}, {OrgEmp("E1", "D1")}, {"D1"}, {"E1"}, {}},
    {"codes are case-sensitive",
        {OrgDept("D1")}, {OrgEmp("E1", "d1")}, {}, {},
        {"employees[0], column department_code: unknown department \"d1\""}},
    {"duplicate without line names the index",
        {}, {OrgEmp("E1", "D1"), OrgEmp("E1", "D1")}, {"D1"}, {},
        {"employees[1], column employee_no: duplicate employee number \"E1\" "
         "(first at [0])"}},
    {"fields of records not from CSV",
        {OrgDept("D1"), OrgDept("")},
        {OrgEmp("E 1", "D1"), OrgEmp("E2", "D1", 0, "  ")}, {}, {},
        {"departments[1], column code: must not be empty",
         "employees[0], column employee_no: \"E 1\" must be 1 to 32 "
         "characters from A-Z a-z 0-9 _ . -",
         "employees[1], column name: must not be empty"}},
    {"every cross-reference problem, with CSV lines",
        {OrgDept("D1", "E1", 2), OrgDept("D2", "E1", 3), OrgDept("D1", "", 4),
         OrgDept("D3", "E404", 5)},
        {OrgEmp("E1", "D1", 2), OrgEmp("E2", "X9", 3), OrgEmp("E1", "D2", 4)},
        {"D0"}, {"E9"},
        {"departments.csv line 3, column manager_employee_no: manager \"E1\" "
         "belongs to department \"D1\"",
         "departments.csv line 4, column code: duplicate department code "
         "\"D1\" (first at line 2)",
         "departments.csv line 5, column manager_employee_no: unknown "
         "employee \"E404\"",
         "employees.csv line 3, column department_code: unknown department "
         "\"X9\"",
         "employees.csv line 4, column employee_no: duplicate employee number "
         "\"E1\" (first at line 2)"}}};
  // clang-format on
  for (const Case& c : cases) {
    EXPECT_EQ(
        Formatted(ValidateOrg(c.departments, c.employees,
                              c.existing_departments, c.existing_employees)),
        c.errors)
        << c.label;
  }
}

// The whole import flow: parse both files, cross-check, print.
TEST(OrgImportTest, ParseThenValidateGivesUserFacingMessages) {
  const OrgParseResult depts = ParseDepartmentsCsv(
      "code,name,manager_employee_no\nD1," + kKefuBu + ",E1\n");
  std::string employees =
      "employee_no,name,department_code,post_type,position\n";
  for (int i = 1; i <= 11; ++i) {
    employees += absl::StrCat("E", i, ",N,D1,other,other\n");
  }
  employees += "E12,N,X9,other,other\n";  // Line 13.
  const OrgParseResult emps = ParseEmployeesCsv(employees);
  ASSERT_EQ(Formatted(depts.errors), Strings{});
  ASSERT_EQ(Formatted(emps.errors), Strings{});
  EXPECT_EQ(Formatted(ValidateOrg(depts.departments, emps.employees, {}, {})),
            Strings{"employees.csv line 13, column department_code: unknown "
                    "department \"X9\""});
}

}  // namespace
}  // namespace survey::domain
