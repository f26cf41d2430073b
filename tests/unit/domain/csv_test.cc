#include "domain/csv.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

using Fields = std::vector<std::string>;

// "张三" and "客服部" as bytes, so the test does not depend on the source
// file's encoding.
const std::string kZhangSan = "\xE5\xBC\xA0\xE4\xB8\x89";
const std::string kKefuBu = "\xE5\xAE\xA2\xE6\x9C\x8D\xE9\x83\xA8";

CsvTable MustParse(std::string_view text) {
  absl::StatusOr<CsvTable> table = ParseCsv(text);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : CsvTable{};
}

TEST(ParseCsvTest, LfOrCrlfWithOrWithoutFinalLineEnd) {
  for (const char* text :
       {"a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4", "a,b\n1,2\r\n3,4\r\n"}) {
    const CsvTable t = MustParse(text);
    EXPECT_EQ(t.header_line, 1);
    EXPECT_EQ(t.header, (Fields{"a", "b"}));
    ASSERT_EQ(t.rows.size(), 2u) << text;
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[0].fields, (Fields{"1", "2"}));
    EXPECT_EQ(t.rows[1].line, 3);
    EXPECT_EQ(t.rows[1].fields, (Fields{"3", "4"}));
  }
}

TEST(ParseCsvTest, BomIsStripped) {
  const CsvTable t = MustParse(
      "\xEF\xBB\xBF"
      "code,name\nD1,x\n");
  EXPECT_EQ(t.header, (Fields{"code", "name"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].line, 2);
}

TEST(ParseCsvTest, BomOnlyAtStartIsData) {
  // A BOM after the start is an ordinary (valid) character.
  const CsvTable t = MustParse("h\n\xEF\xBB\xBFx\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"\xEF\xBB\xBFx"}));
}

TEST(ParseCsvTest, QuotedFields) {
  const CsvTable t = MustParse("h1,h2,h3\n\"a,b\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"a,b", "say \"hi\"", ""}));
}

TEST(ParseCsvTest, QuotedNewlineKeepsLaterLineNumbers) {
  const CsvTable t = MustParse(
      "id,comment\n"             // line 1
      "1,\"first\nsecond\n\"\n"  // lines 2-4
      "2,plain\n"                // line 5
      "3,\"x\r\ny\"\r\n"         // lines 6-7
      "4,last\n");               // line 8
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].line, 2);
  EXPECT_EQ(t.rows[0].fields[1], "first\nsecond\n");
  EXPECT_EQ(t.rows[1].line, 5);
  EXPECT_EQ(t.rows[2].line, 6);
  EXPECT_EQ(t.rows[2].fields[1], "x\r\ny");  // Kept verbatim.
  EXPECT_EQ(t.rows[3].line, 8);
  EXPECT_EQ(t.rows[3].fields, (Fields{"4", "last"}));
}

TEST(ParseCsvTest, EmptyFieldsAndUncheckedCounts) {
  const CsvTable t = MustParse("a,b,c\n,,\nx,,z\n1,\n2,");
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"", "", ""}));
  EXPECT_EQ(t.rows[1].fields, (Fields{"x", "", "z"}));
  EXPECT_EQ(t.rows[2].fields, (Fields{"1", ""}));
  EXPECT_EQ(t.rows[3].fields, (Fields{"2", ""}));  // ',' at EOF.
}

TEST(ParseCsvTest, BlankLinesSkippedButCounted) {
  const CsvTable t = MustParse("\n\r\na\n\n1\n\r\n\n2\n\n\n");
  EXPECT_EQ(t.header_line, 3);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].line, 5);
  EXPECT_EQ(t.rows[1].line, 8);
  EXPECT_EQ(t.rows[1].fields, (Fields{"2"}));
}

TEST(ParseCsvTest, QuotedEmptyRecordAndSpacesAreKept) {
  const CsvTable t = MustParse("a,b\n\"\"\n  x , y\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{""}));
  EXPECT_EQ(t.rows[1].fields, (Fields{"  x ", " y"}));
}

TEST(ParseCsvTest, ChineseIsByteExact) {
  const std::string text = "name,dept\n" + kZhangSan + ",\"" + kKefuBu + "\"\n";
  const CsvTable t = MustParse(text);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].fields, (Fields{kZhangSan, kKefuBu}));
}

struct ErrorCase {
  const char* label;
  std::string text;
  int line;
  std::string reason;
};

class ParseCsvErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseCsvErrorTest, ReportsLineAndReason) {
  const ErrorCase& c = GetParam();
  CsvError error;
  absl::StatusOr<CsvTable> table = ParseCsv(c.text, &error);
  ASSERT_FALSE(table.ok()) << c.label;
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(table.status().message()),
            "line " + std::to_string(c.line) + ": " + c.reason)
      << c.label;
  EXPECT_EQ(error.line, c.line) << c.label;
  EXPECT_EQ(error.reason, c.reason) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseCsvErrorTest,
    testing::Values(
        ErrorCase{"empty", "", 1, "no header row"},
        ErrorCase{"bom only", "\xEF\xBB\xBF", 1, "no header row"},
        ErrorCase{"blank lines only", "\n\r\n\n", 1, "no header row"},
        ErrorCase{"unterminated quote reports opening line",
                  "h\nok\n\"abc\n\ndef\n", 3, "unterminated quoted field 1"},
        ErrorCase{"unterminated second field", "a,b\n1,\"x", 2,
                  "unterminated quoted field 2"},
        ErrorCase{"stray quote", "a,b\n1,2\nab\"c,d\n", 3,
                  "stray quote in unquoted field 1"},
        ErrorCase{"stray quote in second field", "a,b\nx,y\"\n", 2,
                  "stray quote in unquoted field 2"},
        ErrorCase{"text after closing quote", "h\n\"ab\"c\n", 2,
                  "unexpected character after closing quote of field 1"},
        ErrorCase{"text after closing quote on later line", "h\n\"a\nb\" x\n",
                  3, "unexpected character after closing quote of field 1"},
        ErrorCase{"bare CR", "h\na\rb\n", 2,
                  "carriage return not followed by line feed"},
        ErrorCase{"CR at EOF", "h\na\r", 2,
                  "carriage return not followed by line feed"},
        ErrorCase{"overlong UTF-8", "h\nok\n\xC0\x80\n", 3, "invalid UTF-8"},
        ErrorCase{"surrogate in header", "\xED\xA0\x80\n", 1, "invalid UTF-8"},
        ErrorCase{"bad UTF-8 inside quoted multi-line field",
                  "h\n\"a\nb\xF4\x90\x80\x80\"\n", 3, "invalid UTF-8"},
        ErrorCase{"UTF-8 cut by a line break", "h\n\xE5\xBC\n\xA0\n", 2,
                  "invalid UTF-8"},
        ErrorCase{"syntax error before bad UTF-8 wins", "h\na\"\nok\n\xFF\n", 2,
                  "stray quote in unquoted field 1"},
        ErrorCase{"bad UTF-8 before syntax error wins", "h\n\xFF\nok\na\"\n", 2,
                  "invalid UTF-8"}));

TEST(ParseCsvTest, ErrorOutParamUntouchedOnSuccess) {
  CsvError error{42, "sentinel"};
  ASSERT_TRUE(ParseCsv("a\n1\n", &error).ok());
  EXPECT_EQ(error.line, 42);
  EXPECT_EQ(error.reason, "sentinel");
}

struct EscapeCase {
  std::string field;
  std::string escaped;
};

class CsvEscapeTest : public testing::TestWithParam<EscapeCase> {};

TEST_P(CsvEscapeTest, Escapes) {
  EXPECT_EQ(CsvEscape(GetParam().field), GetParam().escaped);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CsvEscapeTest,
    testing::Values(
        EscapeCase{"", ""}, EscapeCase{"abc", "abc"}, EscapeCase{"a b", "a b"},
        EscapeCase{"a,b", "\"a,b\""},
        EscapeCase{"say \"hi\"", "\"say \"\"hi\"\"\""},
        EscapeCase{"a\nb", "\"a\nb\""}, EscapeCase{"a\rb", "\"a\rb\""},
        EscapeCase{" lead", "\" lead\""}, EscapeCase{"trail ", "\"trail \""},
        EscapeCase{"\xE5\xBC\xA0\xE4\xB8\x89", "\xE5\xBC\xA0\xE4\xB8\x89"}));

TEST(CsvLineTest, JoinsAndTerminatesWithLf) {
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\n");
  EXPECT_EQ(CsvLine({"", ""}), ",\n");
  EXPECT_EQ(CsvLine({""}), "\"\"\n");
  EXPECT_EQ(CsvLine({}), "\n");
}

TEST(CsvLineTest, RoundTripsThroughParseCsv) {
  const std::vector<Fields> records = {
      {"code", "name", "note"},
      {"D1", kKefuBu, "plain"},
      {"D2", " padded ", "multi\nline\r\nnote"},
      {"D3", "quote \" inside", ""},
      {"D4", "", "a,b,c"},
      {""},
      {kZhangSan, "\xF0\x9F\x98\x80", "\xEF\xBB\xBF"},
  };
  std::string text;
  for (const Fields& r : records) text += CsvLine(r);
  const CsvTable t = MustParse(text);
  EXPECT_EQ(t.header, records[0]);
  ASSERT_EQ(t.rows.size(), records.size() - 1);
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(t.rows[i - 1].fields, records[i]) << "record " << i;
  }
  // The multi-line note spans lines 3-5, so D3 starts on line 6.
  EXPECT_EQ(t.rows[2].line, 6);
}

constexpr CsvColumn kColumns[] = {{"id"}, {"name"}, {"note", false}};

// Runs ImportCsv on `text`; returns each visited row as "line:index:cells"
// and each problem as "line:index:column:message".
std::pair<Fields, Fields> Import(std::string_view text) {
  Fields rows, problems;
  std::vector<CsvProblem> found;
  ImportCsv(
      text, kColumns,
      [&](const CsvImportRow& row) {
        std::string cells;  // In kColumns order: id, name, note.
        for (std::string_view c : row.cells) cells += std::string(c) + "|";
        rows.push_back(absl::StrCat(row.line, ":", row.index, ":", cells));
        if (row.cells[1] == "bad") {
          found.push_back({row.line, row.index, "name", "visitor"});
        }
      },
      &found);
  for (const CsvProblem& p : found) {
    problems.push_back(
        absl::StrCat(p.line, ":", p.index, ":", p.column, ":", p.message));
  }
  return {rows, problems};
}

TEST(ImportCsvTest, MapsColumnsByNameTrimsCellsAndKeepsFileOrder) {
  const auto [rows, problems] =
      Import("\xEF\xBB\xBF NAME ,Id\n  Ann , 7 \n\"B,b\",8\nC\nbad,9\n");
  EXPECT_EQ(rows, (Fields{"2:0:7|Ann||", "3:1:8|B,b||", "5:3:9|bad||"}));
  EXPECT_EQ(problems,
            (Fields{"4:2::expected 2 fields, found 1", "5:3:name:visitor"}));
}

TEST(ImportCsvTest, HeaderProblemsAreAllReportedAndStopRows) {
  const auto [rows, problems] = Import("ID,Name,email,name,\n1,a,b,c,d\n");
  EXPECT_EQ(rows, Fields{});
  EXPECT_EQ(
      problems,
      (Fields{"1:-1:email:unknown column \"email\" (expected id, name, note)",
              "1:-1:name:duplicate column \"name\"",
              "1:-1::unknown column \"\" (expected id, name, note)"}));
  EXPECT_EQ(Import("note\nx\n").second,
            (Fields{"1:-1:id:missing column \"id\"",
                    "1:-1:name:missing column \"name\""}));
}

TEST(ImportCsvTest, SyntaxErrorIsTheOnlyProblem) {
  const auto [rows, problems] = Import("id,name\n1,a\n2,\"b\n");
  EXPECT_EQ(rows, Fields{});
  EXPECT_EQ(problems, Fields{"3:-1::unterminated quoted field 2"});
}

TEST(ParseCsvBoolTest, SpreadsheetWords) {
  for (const char* yes : {"true", "TRUE", " Yes ", "1"}) {
    EXPECT_EQ(ParseCsvBool(yes).value_or(false), true) << yes;
  }
  for (const char* no : {"false", "FALSE", "no", "0"}) {
    EXPECT_EQ(ParseCsvBool(no).value_or(true), false) << no;
  }
  for (const char* bad : {"", "y", "2", "\tyes"}) {
    EXPECT_EQ(ParseCsvBool(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(TrimCsvSpacesTest, TrimsOnlySpaces) {
  EXPECT_EQ(TrimCsvSpaces("  a b  "), "a b");
  EXPECT_EQ(TrimCsvSpaces("   "), "");
  EXPECT_EQ(TrimCsvSpaces("\ta\n"), "\ta\n");
  // U+3000 ideographic space is not ASCII: kept byte for byte.
  EXPECT_EQ(TrimCsvSpaces("\xE3\x80\x80x"), "\xE3\x80\x80x");
}

}  // namespace
}  // namespace survey::domain
