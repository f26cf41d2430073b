#include "domain/appraisal/workflow.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "domain/appraisal/calendar.h"

namespace survey::domain::appraisal {
namespace {

absl::Status Refuse(SheetState from, SheetState to, std::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot move a sheet from ", std::string(SheetStateName(from)), " to ",
      std::string(SheetStateName(to)), ": ", std::string(why)));
}

}  // namespace

std::string_view SheetStateName(SheetState state) {
  switch (state) {
    case SheetState::kDraft: return "draft";
    case SheetState::kSubmitted: return "submitted";
    case SheetState::kConfirmed: return "confirmed";
    case SheetState::kAppealWindow: return "appeal_window";
    case SheetState::kFinal: return "final";
  }
  return "unknown";
}

absl::StatusOr<SheetState> Transition(SheetState from, SheetState to,
                                      const TransitionContext& ctx) {
  using S = SheetState;
  if (from == S::kFinal) return Refuse(from, to, "the sheet is final");
  if (from == to) return Refuse(from, to, "the sheet is already there");
  if (from == S::kDraft && to == S::kSubmitted) {
    if (!ctx.scorable) {
      return Refuse(from, to, ctx.not_scorable_why.empty()
                                  ? "some score that counts is still missing"
                                  : ctx.not_scorable_why);
    }
    return to;
  }
  if (from == S::kSubmitted && (to == S::kDraft || to == S::kConfirmed)) {
    return to;
  }
  if (from == S::kConfirmed && to == S::kAppealWindow) return to;
  if (from == S::kAppealWindow && to == S::kFinal) {
    if (!ctx.appeal_deadline) {
      return Refuse(from, to, "the appeal deadline is unknown");
    }
    if (ctx.today <= *ctx.appeal_deadline) {
      return Refuse(from, to,
                    absl::StrCat("the appeal window is open until ",
                                 FormatDate(*ctx.appeal_deadline)));
    }
    if (ctx.open_appeals > 0) {
      return Refuse(from, to,
                    absl::StrCat(ctx.open_appeals, " appeal(s) still open"));
    }
    return to;
  }
  return Refuse(from, to, "not an allowed step");
}

absl::Status CheckLinesEditable(SheetState state, bool is_hr) {
  if (state == SheetState::kDraft) return absl::OkStatus();
  if (state == SheetState::kAppealWindow && is_hr) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the sheet is ", std::string(SheetStateName(state)),
      ": lines can change only in draft",
      state == SheetState::kAppealWindow ? " (or by HR applying an appeal)"
                                         : ""));
}

absl::Status CheckAppealFiling(SheetState state, absl::CivilDay filed,
                               absl::CivilDay deadline) {
  if (state != SheetState::kAppealWindow) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the sheet is ", std::string(SheetStateName(state)),
        ": appeals are filed in appeal_window"));
  }
  if (filed > deadline) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the appeal deadline was ", FormatDate(deadline), "; filed on ",
        FormatDate(filed)));
  }
  return absl::OkStatus();
}

}  // namespace survey::domain::appraisal
