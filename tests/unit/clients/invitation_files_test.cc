#include "common/invitation_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/csv.h"

namespace survey::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ParseTicketsCsvTest, ReadsColumnsInAnyOrderWithBomAndSpaces) {
  TicketsParse p = ParseTicketsCsv(
      "\xEF\xBB\xBFTicket , SUBJECT_EMPLOYEE_NO\n"
      "T-1, E001 \n"
      "\"工单 2\",E002\n",
      "tickets.csv");
  ASSERT_THAT(p.problems, IsEmpty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].ticket, "T-1");
  EXPECT_EQ(p.rows[0].subject_employee_no, "E001");
  EXPECT_EQ(p.rows[0].line, 2);
  EXPECT_EQ(p.rows[1].ticket, "工单 2");
  EXPECT_EQ(p.rows[1].subject_employee_no, "E002");
}

TEST(ParseTicketsCsvTest, TicketColumnIsOptional) {
  TicketsParse p = ParseTicketsCsv("subject_employee_no\nE1\nE2\n", "t.csv");
  ASSERT_THAT(p.problems, IsEmpty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1].ticket, "");
}

TEST(ParseTicketsCsvTest, ReportsEveryBadSubjectWithLineAndColumn) {
  TicketsParse p = ParseTicketsCsv(
      "ticket,subject_employee_no\nT1,E1\nT2,张三\nT3,\nT4,E4\n",
      "tickets.csv");
  ASSERT_EQ(p.problems.size(), 2u);
  EXPECT_THAT(p.problems[0],
              HasSubstr("tickets.csv line 3, column subject_employee_no: "));
  EXPECT_THAT(p.problems[1],
              HasSubstr("tickets.csv line 4, column subject_employee_no: "));
  // The field name is said once, not twice.
  EXPECT_THAT(p.problems[0], ::testing::Not(HasSubstr(
                                 "subject_employee_no: subject_employee_no")));
}

TEST(ParseTicketsCsvTest, ReportsFileLevelProblems) {
  EXPECT_THAT(ParseTicketsCsv("ticket\nT1\n", "t.csv").problems,
              ElementsAre(HasSubstr("missing column")));
  EXPECT_THAT(ParseTicketsCsv("subject_employee_no,customer\nE1,x\n", "t.csv")
                  .problems,
              ElementsAre(HasSubstr("unknown column")));
  EXPECT_THAT(ParseTicketsCsv("subject_employee_no\n", "t.csv").problems,
              ElementsAre(HasSubstr("no data rows")));
  EXPECT_THAT(ParseTicketsCsv("subject_employee_no\nE1,extra\n", "t.csv")
                  .problems,
              ElementsAre(HasSubstr("t.csv line 2")));
  EXPECT_THAT(ParseTicketsCsv("subject_employee_no\n\"E1\n", "t.csv").problems,
              ElementsAre(HasSubstr("t.csv line 2")));
}

TEST(ParseTokenListTest, ReadsOneTokenPerLine) {
  absl::StatusOr<std::vector<std::string>> tokens = ParseTokenList(
      "# tokens for the demo\r\n\r\n  AAAA-BBBB \r\nCCCC\n\nAAAA-BBBB");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_THAT(*tokens, ElementsAre("AAAA-BBBB", "CCCC", "AAAA-BBBB"));
  EXPECT_THAT(*ParseTokenList(""), IsEmpty());
}

TEST(ParseTokenListTest, ReadsTheTokenColumnOfACsv) {
  absl::StatusOr<std::vector<std::string>> tokens = ParseTokenList(
      "\xEF\xBB\xBFticket,subject,Token,deep_link\n"
      "\"T,1\",E1,TOK1,survey://answer?t=TOK1\n"
      "T2,E2,,x\n"
      "T3,E3, TOK3 ,x\n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_THAT(*tokens, ElementsAre("TOK1", "TOK3"));
}

TEST(ParseTokenListTest, RejectsMalformedCsv) {
  absl::StatusOr<std::vector<std::string>> tokens =
      ParseTokenList("subject,token\nE1\n");
  EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(tokens.status().message()), HasSubstr("line 2"));
  EXPECT_FALSE(ParseTokenList("token\n\"TOK1\n").ok());
}

TEST(InvitationFilesTest, CustomerRowsRoundTripThroughParseTokenList) {
  v1::IssuedInvitation inv;
  inv.set_token("TOKEN-1");
  inv.set_deep_link("survey://answer?t=TOKEN-1");
  inv.mutable_subject()->set_employee_no("E001");
  inv.set_expires_at_unix(1796113805);
  EXPECT_THAT(InvitationHeader(false, true),
              ElementsAre("ticket", "subject", "token", "deep_link",
                          "expires_at", "qr_file"));
  std::vector<std::string> row = InvitationRow(inv, false, true, 7, "T,1");
  EXPECT_THAT(row, ElementsAre("T,1", "E001", "TOKEN-1",
                               "survey://answer?t=TOKEN-1",
                               "2026-12-01T08:30:05Z", "qr/7.png"));
  const std::string csv = domain::CsvLine(InvitationHeader(false, true)) +
                          domain::CsvLine(row);
  EXPECT_THAT(*ParseTokenList(csv), ElementsAre("TOKEN-1"));
}

TEST(InvitationFilesTest, CrossRowsNameDepartmentsAndRecipient) {
  v1::IssuedInvitation inv;
  inv.set_token("T2");
  inv.set_deep_link("L");
  inv.mutable_subject()->set_department_code("SALES");
  inv.set_evaluating_department_code("AFTER");
  inv.set_recipient_employee_no("E9");
  EXPECT_THAT(InvitationHeader(true, false),
              ElementsAre("subject", "evaluating_department",
                          "recipient_employee_no", "token", "deep_link",
                          "expires_at"));
  EXPECT_THAT(InvitationRow(inv, true, false, 1, "ignored"),
              ElementsAre("SALES", "AFTER", "E9", "T2", "L",
                          "1970-01-01T00:00:00Z"));
}

TEST(InvitationFilesTest, QrFilesAreNamedByRowNotToken) {
  EXPECT_EQ(QrFileName(12), "qr/12.png");
}

}  // namespace
}  // namespace survey::client
