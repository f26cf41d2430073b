// The life of a monthly sheet (DOMAIN.md §4, seed 002 §6.3): scored, signed
// by the appraised employee, open to appeal for 5 working days, then final
// and filed with HR.
//
//   draft --submit--> submitted --employee confirms--> confirmed
//     ^                   |                               |
//     +----returned-------+                  result released
//                                                         v
//   final <--window closed, no open appeal-- appeal_window
//
// Allowed moves and their guards:
//   draft -> submitted          every score that counts is in (scorable)
//   submitted -> draft          returned for correction before signing
//   submitted -> confirmed      the employee signs
//   confirmed -> appeal_window  the result is released; the day this
//                               happens is the "result received" day
//   appeal_window -> final      today is after the appeal deadline and no
//                               appeal is open
// Everything else is FailedPrecondition naming both states.
//
// Decisions (DOMAIN.md is silent):
//   - The employee cannot waive the appeal window: a sheet becomes final
//     only once the deadline has passed, so no one can be pressed to sign
//     away the 5 days.
//   - Lines change only in draft (each party its own part, as the service
//     enforces) and, for HR applying an accepted appeal, in appeal_window.
//   - An appeal may be filed only in appeal_window, on or before the
//     deadline; filing keeps the sheet there until HR resolves it.
#ifndef SURVEY_DOMAIN_APPRAISAL_WORKFLOW_H_
#define SURVEY_DOMAIN_APPRAISAL_WORKFLOW_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace survey::domain::appraisal {

enum class SheetState { kDraft, kSubmitted, kConfirmed, kAppealWindow, kFinal };

// "draft", "submitted", "confirmed", "appeal_window", "final".
std::string_view SheetStateName(SheetState state);

// What the guards look at; the service fills in what it knows.
struct TransitionContext {
  bool scorable = false;  // ScoreSheet succeeded on the current lines
  // Why not (ScoreSheet's message, e.g. "section kpi line weights sum to
  // 90, must be 100"): the refusal says it, so the appraiser sees what to fix.
  std::string not_scorable_why;
  absl::CivilDay today;
  std::optional<absl::CivilDay> appeal_deadline;  // set in appeal_window
  int open_appeals = 0;
};

// Returns `to` if the move is allowed, else FailedPrecondition, e.g.
// "sheet is final: cannot move from final to draft".
absl::StatusOr<SheetState> Transition(SheetState from, SheetState to,
                                      const TransitionContext& context);

// OK if lines may change in `state` (by HR when `is_hr`), else
// FailedPrecondition naming the state.
absl::Status CheckLinesEditable(SheetState state, bool is_hr);

// OK if an appeal filed on `filed` is in time, else FailedPrecondition
// naming the state or the deadline.
absl::Status CheckAppealFiling(SheetState state, absl::CivilDay filed,
                               absl::CivilDay deadline);

}  // namespace survey::domain::appraisal

#endif  // SURVEY_DOMAIN_APPRAISAL_WORKFLOW_H_
