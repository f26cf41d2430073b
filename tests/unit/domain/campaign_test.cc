#include "domain/campaign.h"

#include <cctype>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace survey::domain {
namespace {

TEST(CampaignRulesTest, WordsRoundTripAndAreTheSchemaEnums) {
  const std::vector<std::pair<std::string, CampaignKind>> kinds = {
      {"customer_satisfaction", CampaignKind::kCustomerSatisfaction},
      {"cross_evaluation", CampaignKind::kCrossEvaluation}};
  for (const auto& [word, kind] : kinds) {
    ASSERT_TRUE(ParseCampaignKind(word).ok()) << word;
    EXPECT_EQ(*ParseCampaignKind(word), kind);
    EXPECT_EQ(CampaignKindName(kind), word);
  }
  const std::vector<std::pair<std::string, CampaignState>> states = {
      {"draft", CampaignState::kDraft},
      {"open", CampaignState::kOpen},
      {"closed", CampaignState::kClosed}};
  for (const auto& [word, state] : states) {
    ASSERT_TRUE(ParseCampaignState(word).ok()) << word;
    EXPECT_EQ(*ParseCampaignState(word), state);
    EXPECT_EQ(CampaignStateName(state), word);
  }
  const std::vector<std::pair<std::string, SubjectKind>> subjects = {
      {"employee", SubjectKind::kEmployee},
      {"department", SubjectKind::kDepartment}};
  for (const auto& [word, kind] : subjects) {
    ASSERT_TRUE(ParseSubjectKind(word).ok()) << word;
    EXPECT_EQ(*ParseSubjectKind(word), kind);
    EXPECT_EQ(SubjectKindName(kind), word);
  }
  const std::vector<std::pair<std::string, InvitationState>> invitations = {
      {"unused", InvitationState::kUnused},
      {"used", InvitationState::kUsed},
      {"revoked", InvitationState::kRevoked}};
  for (const auto& [word, state] : invitations) {
    ASSERT_TRUE(ParseInvitationState(word).ok()) << word;
    EXPECT_EQ(*ParseInvitationState(word), state);
    EXPECT_EQ(InvitationStateName(state), word);
  }
}

TEST(CampaignRulesTest, UnknownWordsAreRefusedListingTheAccepted) {
  for (std::string_view word : {"", "Open", " open", "opened", "draft "}) {
    absl::StatusOr<CampaignState> s = ParseCampaignState(word);
    ASSERT_FALSE(s.ok()) << word;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("draft, open, closed"),
              std::string::npos)
        << s.status();
  }
  EXPECT_FALSE(ParseCampaignKind("customer").ok());
  EXPECT_FALSE(ParseSubjectKind("Employee").ok());
  EXPECT_FALSE(ParseInvitationState("expired").ok());
}

Campaign ValidCampaign() {
  Campaign c;
  c.kind = CampaignKind::kCrossEvaluation;
  c.period = "2026-11";
  c.template_key = "default";
  c.template_version = 0;
  c.title = {"2026年11月部门互评", "Cross-evaluation November"};
  return c;
}

TEST(CampaignRulesTest, ValidateNewCampaign) {
  struct Case {
    std::string name;
    void (*change)(Campaign&);
    std::string expected;  // "" = OK, else the message prefix
  };
  const std::vector<Case> cases = {
      {"valid", [](Campaign&) {}, ""},
      {"k exactly 3, comment_k = k",
       [](Campaign& c) { c.anonymity_k = c.comment_k = 3; }, ""},
      {"explicit version", [](Campaign& c) { c.template_version = 4; }, ""},
      {"empty titles", [](Campaign& c) { c.title = {}; }, ""},
      {"200-character title",
       [](Campaign& c) {
         c.title.zh.clear();
         for (int i = 0; i < 200; ++i) c.title.zh += "评";
       },
       ""},
      {"k = 2", [](Campaign& c) { c.anonymity_k = 2; },
       "campaign.anonymity_k: must be at least 3"},
      {"k = 0", [](Campaign& c) { c.anonymity_k = 0; },
       "campaign.anonymity_k: must be at least 3"},
      {"comment_k below k", [](Campaign& c) { c.comment_k = 4; },
       "campaign.comment_k: must be at least anonymity_k (5)"},
      {"bad period", [](Campaign& c) { c.period = "2026-13"; },
       "campaign.period: "},
      {"empty period", [](Campaign& c) { c.period = ""; }, "campaign.period: "},
      {"quarter is not a period", [](Campaign& c) { c.period = "2026-Q4"; },
       "campaign.period: "},
      {"empty template key", [](Campaign& c) { c.template_key = ""; },
       "campaign.template_key: "},
      {"upper-case template key", [](Campaign& c) { c.template_key = "Default"; },
       "campaign.template_key: "},
      {"negative version", [](Campaign& c) { c.template_version = -1; },
       "campaign.template_version: "},
      {"201-character title",
       [](Campaign& c) {
         c.title.en = std::string(201, 'x');
       },
       "campaign.title.en: longer than 200"},
      {"control character", [](Campaign& c) { c.title.zh = "a\nb"; },
       "campaign.title.zh: contains control"},
      {"invalid utf-8", [](Campaign& c) { c.title.zh = "\xe8\xaf"; },
       "campaign.title.zh: not valid UTF-8"},
      {"not draft", [](Campaign& c) { c.state = CampaignState::kOpen; },
       "campaign.state: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Campaign campaign = ValidCampaign();
    c.change(campaign);
    absl::Status s = ValidateNewCampaign(campaign);
    if (c.expected.empty()) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_EQ(std::string(s.message()).rfind(c.expected, 0), 0u) << s;
    }
  }
}

TEST(CampaignRulesTest, DefaultsAreFiveAndTen) {
  Campaign c;
  EXPECT_EQ(c.anonymity_k, 5);
  EXPECT_EQ(c.comment_k, 10);
  EXPECT_EQ(c.state, CampaignState::kDraft);
}

TEST(CampaignRulesTest, TransitionTable) {
  using S = CampaignState;
  struct Case {
    S from, to;
    bool ok;
    std::string reason;  // substring of the refusal
  };
  const std::vector<Case> cases = {
      {S::kDraft, S::kDraft, true, ""},
      {S::kDraft, S::kOpen, true, ""},
      {S::kDraft, S::kClosed, false, "open it before closing"},
      {S::kOpen, S::kDraft, false, "cannot return to draft"},
      {S::kOpen, S::kOpen, true, ""},
      {S::kOpen, S::kClosed, true, ""},
      {S::kClosed, S::kDraft, false, "cannot be reopened"},
      {S::kClosed, S::kOpen, false, "cannot be reopened"},
      {S::kClosed, S::kClosed, true, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CampaignStateName(c.from)) + "->" +
                 std::string(CampaignStateName(c.to)));
    absl::StatusOr<S> r = Transition(c.from, c.to);
    if (c.ok) {
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(*r, c.to);
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
          << r.status();
    }
  }
}

}  // namespace
}  // namespace survey::domain

namespace survey::domain {
namespace {

Department CampaignDept(const std::string& code, bool active = true) {
  Department d;
  d.code = code;
  d.name = "部门" + code;
  d.active = active;
  return d;
}

Employee CampaignEmp(const std::string& no, const std::string& dept,
             bool active = true) {
  Employee e;
  e.employee_no = no;
  e.department_code = dept;
  e.active = active;
  return e;
}

// Departments A (2 active members), B (3) and C (4), plus an inactive
// member of A and an inactive department D with an (inactive) member.
struct Org {
  std::vector<Department> departments = {CampaignDept("C"), CampaignDept("A"), CampaignDept("B"),
                                         CampaignDept("D", false)};
  std::vector<Employee> employees = {
      CampaignEmp("a2", "A"), CampaignEmp("a1", "A"), CampaignEmp("a3", "A", false),
      CampaignEmp("b1", "B"), CampaignEmp("b2", "B"), CampaignEmp("b3", "B"),
      CampaignEmp("c1", "C"), CampaignEmp("c2", "C"), CampaignEmp("c3", "C"), CampaignEmp("c4", "C"),
      CampaignEmp("d1", "D", false)};
};

TEST(CampaignMatrixTest, AllPairsGivesEachMemberEachOtherDepartment) {
  Org org;
  std::vector<MatrixEntry> m =
      CrossEvaluationMatrix(org.departments, org.employees, {});
  // Each active department rates the 2 others: (2 + 3 + 4) * 2.
  ASSERT_EQ(m.size(), 18u);
  std::map<std::pair<std::string, std::string>, int> per_pair;
  for (const MatrixEntry& e : m) {
    EXPECT_NE(e.evaluating_department, e.rated_department);
    EXPECT_EQ(e.recipient_employee_no.substr(0, 1),
              std::string(1, static_cast<char>(std::tolower(
                                 e.evaluating_department[0]))));
    EXPECT_NE(e.recipient_employee_no, "a3");  // inactive
    EXPECT_NE(e.rated_department, "D");        // inactive department
    ++per_pair[{e.evaluating_department, e.rated_department}];
  }
  const std::map<std::pair<std::string, std::string>, int> expected = {
      {{"A", "B"}, 2}, {{"A", "C"}, 2}, {{"B", "A"}, 3},
      {{"B", "C"}, 3}, {{"C", "A"}, 4}, {{"C", "B"}, 4}};
  EXPECT_EQ(per_pair, expected);
  // Documented order: by evaluating, then rated code, then member number.
  EXPECT_EQ(m[0], (MatrixEntry{"A", "B", "a1"}));
  EXPECT_EQ(m[1], (MatrixEntry{"A", "B", "a2"}));
  EXPECT_EQ(m[2], (MatrixEntry{"A", "C", "a1"}));
  EXPECT_EQ(m.back(), (MatrixEntry{"C", "B", "c4"}));
}

TEST(CampaignMatrixTest, ExplicitPairsInGivenOrder) {
  Org org;
  std::vector<MatrixEntry> m = CrossEvaluationMatrix(
      org.departments, org.employees, {{"C", "A"}, {"A", "B"}});
  std::vector<MatrixEntry> expected = {
      {"C", "A", "c1"}, {"C", "A", "c2"}, {"C", "A", "c3"},
      {"C", "A", "c4"}, {"A", "B", "a1"}, {"A", "B", "a2"}};
  EXPECT_EQ(m, expected);
}

TEST(CampaignMatrixTest, DegenerateOrganisations) {
  EXPECT_TRUE(CrossEvaluationMatrix({}, {}, {}).empty());
  // One department has nobody else to rate.
  EXPECT_TRUE(CrossEvaluationMatrix({CampaignDept("A")}, {CampaignEmp("a1", "A")}, {}).empty());
  // A department without members is rated but rates nobody.
  std::vector<MatrixEntry> m =
      CrossEvaluationMatrix({CampaignDept("A"), CampaignDept("E")}, {CampaignEmp("a1", "A")}, {});
  EXPECT_EQ(m, (std::vector<MatrixEntry>{{"A", "E", "a1"}}));
}

TEST(CampaignPairsTest, Table) {
  Org org;
  struct Case {
    std::string name;
    std::vector<DepartmentPair> pairs;
    std::string expected;  // "" = OK, else the message prefix
  };
  const std::vector<Case> cases = {
      {"none", {}, ""},
      {"two good", {{"A", "B"}, {"B", "A"}}, ""},
      {"unknown evaluating", {{"A", "B"}, {"X", "B"}},
       "pairs[1].evaluating_department_code: unknown department \"X\""},
      {"unknown rated", {{"A", "Y"}},
       "pairs[0].rated_department_code: unknown department \"Y\""},
      {"inactive", {{"D", "A"}},
       "pairs[0].evaluating_department_code: department \"D\" is inactive"},
      {"self", {{"B", "B"}}, "pairs[0]: a department cannot rate itself"},
      {"repeat", {{"A", "B"}, {"C", "A"}, {"A", "B"}},
       "pairs[2]: repeats pairs[0]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::Status s = ValidatePairs(org.departments, c.pairs);
    if (c.expected.empty()) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_EQ(std::string(s.message()).rfind(c.expected, 0), 0u) << s;
    }
  }
}

}  // namespace
}  // namespace survey::domain
