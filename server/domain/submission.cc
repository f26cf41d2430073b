#include "domain/submission.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/form.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

absl::Status CheckFreeText(const std::string& path, std::string_view text,
                           size_t max_code_points) {
  // UTF-8 first: the other two checks require it.
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid UTF-8"));
  }
  // Multi-line answers are normal; other controls only hide text or break
  // the CSV and terminal views of it.
  if (HasControlChars(text, /*allow_line_breaks=*/true)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": contains control characters"));
  }
  if (CountCodePoints(text) > max_code_points) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": longer than ", max_code_points, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateScores(const Template& t, std::span<const int> scores) {
  const size_t expected = static_cast<size_t>(t.SubIndicatorCount());
  if (scores.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scores: expected ", expected, " scores, got ", scores.size()));
  }
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("scores[", i, "]: missing"));
    }
    if (scores[i] < t.scale_min || scores[i] > t.scale_max) {
      return absl::InvalidArgumentError(
          absl::StrCat("scores[", i, "]: ", scores[i], " is outside ",
                       t.scale_min, "..", t.scale_max));
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckScoreRange(std::span<const int> scores, int low, int high) {
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("scores[", i, "]: missing"));
    }
    if (scores[i] < low || scores[i] > high) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scores[", i, "]: ", scores[i], " is outside ", low, "..", high));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTexts(const Submission& s, const TextLimits& limits,
                        size_t max_reasons) {
  if (s.reasons.size() > max_reasons) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reasons: expected at most ", max_reasons, ", got ", s.reasons.size()));
  }
  for (size_t i = 0; i < s.reasons.size(); ++i) {
    if (auto status = CheckFreeText(absl::StrCat("reasons[", i, "]"),
                                    s.reasons[i], limits.reason_max);
        !status.ok()) {
      return status;
    }
  }
  return CheckFreeText("comment", s.comment, limits.comment_max);
}

}  // namespace

absl::Status ValidateSubmission(const Template& t, const Submission& s,
                                const TextLimits& limits) {
  if (auto status = ValidateScores(t, s.scores); !status.ok()) return status;
  return CheckTexts(s, limits, t.indicators.size());
}

absl::Status ValidateSubmissionWithoutTemplate(const Submission& s,
                                               const TextLimits& limits,
                                               size_t max_scores,
                                               size_t max_reasons) {
  if (s.scores.empty()) return absl::InvalidArgumentError("scores: required");
  if (s.scores.size() > max_scores) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scores: at most ", max_scores, " scores, got ", s.scores.size()));
  }
  if (auto status = CheckScoreRange(s.scores, 1, 10); !status.ok()) {
    return status;
  }
  return CheckTexts(s, limits, max_reasons);
}

}  // namespace survey::domain
