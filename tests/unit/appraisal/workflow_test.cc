#include "domain/appraisal/workflow.h"

#include <set>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace survey::domain::appraisal {
namespace {

using ::testing::HasSubstr;
using S = SheetState;

// A context in which every guard passes.
TransitionContext Permissive() {
  TransitionContext c;
  c.scorable = true;
  c.today = absl::CivilDay(2026, 11, 23);
  c.appeal_deadline = absl::CivilDay(2026, 11, 20);
  c.open_appeals = 0;
  return c;
}

TEST(WorkflowTest, HappyPath) {
  const TransitionContext c = Permissive();
  S s = S::kDraft;
  for (S to : {S::kSubmitted, S::kConfirmed, S::kAppealWindow, S::kFinal}) {
    absl::StatusOr<S> next = Transition(s, to, c);
    ASSERT_TRUE(next.ok()) << next.status();
    s = *next;
  }
  EXPECT_EQ(s, S::kFinal);
}

TEST(WorkflowTest, OnlyTheDocumentedMovesExist) {
  const std::set<std::pair<S, S>> allowed = {
      {S::kDraft, S::kSubmitted},
      {S::kSubmitted, S::kDraft},
      {S::kSubmitted, S::kConfirmed},
      {S::kConfirmed, S::kAppealWindow},
      {S::kAppealWindow, S::kFinal}};
  const S all[] = {S::kDraft, S::kSubmitted, S::kConfirmed, S::kAppealWindow,
                   S::kFinal};
  for (S from : all) {
    for (S to : all) {
      absl::StatusOr<S> r = Transition(from, to, Permissive());
      EXPECT_EQ(r.ok(), allowed.count({from, to}) > 0)
          << SheetStateName(from) << " -> " << SheetStateName(to);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_THAT(r.status().message(),
                    HasSubstr(std::string(SheetStateName(from))));
        EXPECT_THAT(r.status().message(),
                    HasSubstr(std::string(SheetStateName(to))));
      }
    }
  }
}

TEST(WorkflowTest, Messages) {
  EXPECT_EQ(Transition(S::kFinal, S::kDraft, Permissive()).status().message(),
            "cannot move a sheet from final to draft: the sheet is final");
  EXPECT_EQ(
      Transition(S::kDraft, S::kFinal, Permissive()).status().message(),
      "cannot move a sheet from draft to final: not an allowed step");
  EXPECT_EQ(
      Transition(S::kDraft, S::kDraft, Permissive()).status().message(),
      "cannot move a sheet from draft to draft: the sheet is already there");
}

TEST(WorkflowTest, SubmitNeedsEveryCountingScore) {
  TransitionContext c = Permissive();
  c.scorable = false;
  EXPECT_EQ(Transition(S::kDraft, S::kSubmitted, c).status().message(),
            "cannot move a sheet from draft to submitted: some score that "
            "counts is still missing");
  // The service passes ScoreSheet's reason: the refusal names what to fix.
  c.not_scorable_why = "section kpi line weights sum to 90, must be 100";
  EXPECT_EQ(Transition(S::kDraft, S::kSubmitted, c).status().message(),
            "cannot move a sheet from draft to submitted: section kpi line "
            "weights sum to 90, must be 100");
}

TEST(WorkflowTest, FinalOnlyAfterTheAppealWindowWithNoOpenAppeal) {
  TransitionContext c = Permissive();
  c.today = *c.appeal_deadline;  // the last day to appeal: still open
  EXPECT_EQ(Transition(S::kAppealWindow, S::kFinal, c).status().message(),
            "cannot move a sheet from appeal_window to final: the appeal "
            "window is open until 2026-11-20");
  c.today = *c.appeal_deadline + 1;
  EXPECT_TRUE(Transition(S::kAppealWindow, S::kFinal, c).ok());
  c.open_appeals = 1;
  EXPECT_THAT(Transition(S::kAppealWindow, S::kFinal, c).status().message(),
              HasSubstr("1 appeal(s) still open"));
  c = Permissive();
  c.appeal_deadline.reset();
  EXPECT_THAT(Transition(S::kAppealWindow, S::kFinal, c).status().message(),
              HasSubstr("deadline is unknown"));
}

TEST(WorkflowTest, LinesEditable) {
  EXPECT_TRUE(CheckLinesEditable(S::kDraft, false).ok());
  EXPECT_TRUE(CheckLinesEditable(S::kAppealWindow, true).ok());
  EXPECT_EQ(CheckLinesEditable(S::kSubmitted, true).message(),
            "the sheet is submitted: lines can change only in draft");
  EXPECT_EQ(CheckLinesEditable(S::kAppealWindow, false).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckLinesEditable(S::kFinal, true).message(),
            "the sheet is final: lines can change only in draft");
}

TEST(WorkflowTest, AppealFiling) {
  const absl::CivilDay deadline(2026, 11, 20);
  EXPECT_TRUE(CheckAppealFiling(S::kAppealWindow, deadline, deadline).ok());
  EXPECT_EQ(
      CheckAppealFiling(S::kAppealWindow, deadline + 3, deadline).message(),
      "the appeal deadline was 2026-11-20; filed on 2026-11-23");
  EXPECT_EQ(CheckAppealFiling(S::kConfirmed, deadline, deadline).message(),
            "the sheet is confirmed: appeals are filed in appeal_window");
  EXPECT_EQ(CheckAppealFiling(S::kFinal, deadline, deadline).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(WorkflowTest, StateNames) {
  EXPECT_EQ(SheetStateName(S::kDraft), "draft");
  EXPECT_EQ(SheetStateName(S::kAppealWindow), "appeal_window");
  EXPECT_EQ(SheetStateName(S::kFinal), "final");
}

}  // namespace
}  // namespace survey::domain::appraisal
