// Validation of one submitted answer to a survey form, before it is scored
// or stored. Free text is checked, never rewritten: SQL metacharacters,
// quotes and emoji are ordinary text here and stay byte-exact.
#ifndef SURVEY_DOMAIN_SUBMISSION_H_
#define SURVEY_DOMAIN_SUBMISSION_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/form.h"

namespace survey::domain {

struct Submission {
  // One score per sub-indicator, in template order (indicator by indicator,
  // sub-indicator by sub-indicator). 0 means the respondent left it blank;
  // every sub-indicator is required, so 0 fails validation.
  std::vector<int> scores;
  // "Reason, with real examples" per indicator, in template order. Shorter
  // than the indicator list when trailing reasons were not given; any entry
  // may be empty.
  std::vector<std::string> reasons;
  std::string comment;  // may be empty
};

// Lengths are in Unicode code points, so Chinese text gets as many
// characters as English text.
struct TextLimits {
  size_t reason_max = 500;
  size_t comment_max = 2000;
};

// Checks only the scores of a response. Returns OK if `scores` has exactly
// t.SubIndicatorCount() entries, each within t.scale_min..t.scale_max.
// Otherwise returns InvalidArgument naming the first offence:
//   "scores: expected 9 scores, got 8"
//   "scores[0]: missing"                 (a 0)
//   "scores[3]: 11 is outside 1..10"
// REQUIRES: ValidateTemplate(t).ok().
absl::Status ValidateScores(const Template& t, std::span<const int> scores);

// Checks a whole submission. Returns OK if ValidateScores passes, there are
// at most as many reasons as indicators, and every reason and the comment is
// valid UTF-8, free of control characters other than '\n', '\r' and '\t',
// and within `limits`. Otherwise returns InvalidArgument naming the first
// offending field, checking scores, then reasons in order, then the comment:
//   "reasons: expected at most 3, got 4"
//   "reasons[1]: not valid UTF-8"
//   "reasons[1]: contains control characters"
//   "reasons[1]: longer than 500 characters"
//   "comment: not valid UTF-8" (and the same two as reasons)
// REQUIRES: ValidateTemplate(t).ok().
absl::Status ValidateSubmission(const Template& t, const Submission& s,
                                const TextLimits& limits);

// The checks that need no template, run before the answer's template is
// known (the Submit path validates this purely, then checks the score count
// against the template inside its batch). Returns OK if there are 1..
// `max_scores` scores each within 1..10 (0 = "missing"), at most
// `max_reasons` reasons, and the reasons and comment pass the text rules of
// ValidateSubmission. Otherwise InvalidArgument naming the field:
//   "scores: required", "scores: at most 200 scores, got 201",
//   "scores[2]: missing", "scores[2]: 11 is outside 1..10", and the reason
//   and comment messages of ValidateSubmission.
absl::Status ValidateSubmissionWithoutTemplate(const Submission& s,
                                               const TextLimits& limits,
                                               size_t max_scores,
                                               size_t max_reasons);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_SUBMISSION_H_
