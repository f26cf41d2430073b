#include "domain/submission.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/form.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

std::string SubmissionRepeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

Submission ValidSubmission() {
  return Submission{{8, 6, 7, 9, 9, 5, 6, 7, 8},
                    {"响应及时", "", "Good support"},
                    "整体满意"};
}

struct Case {
  std::string name;
  Submission submission;
  std::string error;  // exact InvalidArgument message; "" = accepted
};

Submission WithScores(std::vector<int> scores) {
  Submission s = ValidSubmission();
  s.scores = std::move(scores);
  return s;
}

Submission WithScore(int index, int score) {
  Submission s = ValidSubmission();
  s.scores[index] = score;
  return s;
}

Submission WithReasons(std::vector<std::string> reasons) {
  Submission s = ValidSubmission();
  s.reasons = std::move(reasons);
  return s;
}

Submission WithReason(int index, std::string reason) {
  Submission s = ValidSubmission();
  s.reasons[index] = std::move(reason);
  return s;
}

Submission WithComment(std::string comment) {
  Submission s = ValidSubmission();
  s.comment = std::move(comment);
  return s;
}

// Names the case instead of dumping its bytes in failure messages.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ValidateSubmissionTest : public testing::TestWithParam<Case> {};

TEST_P(ValidateSubmissionTest, Matrix) {
  const Case& c = GetParam();
  const absl::Status status =
      ValidateSubmission(DefaultTemplate(), c.submission, TextLimits{});
  if (c.error.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(status.message(), c.error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateSubmissionTest,
    testing::ValuesIn(std::vector<Case>{
        {"Valid", ValidSubmission(), ""},
        {"BoundaryScores", WithScores({1, 10, 1, 10, 1, 10, 1, 10, 1}), ""},
        {"ScoreZeroIsMissing", WithScore(0, 0), "scores[0]: missing"},
        {"ScoreEleven", WithScore(3, 11), "scores[3]: 11 is outside 1..10"},
        {"ScoreMinusOne", WithScore(8, -1), "scores[8]: -1 is outside 1..10"},
        {"EightScores", WithScores({5, 5, 5, 5, 5, 5, 5, 5}),
         "scores: expected 9 scores, got 8"},
        {"TenScores", WithScores({5, 5, 5, 5, 5, 5, 5, 5, 5, 5}),
         "scores: expected 9 scores, got 10"},
        {"NoScores", WithScores({}), "scores: expected 9 scores, got 0"},
        // The first offence is reported.
        {"FirstOffenceWins", WithScores({5, 0, 11, 5, 5, 5, 5, 5, 5}),
         "scores[1]: missing"},
        {"NoReasons", WithReasons({}), ""},
        {"FewerReasons", WithReasons({"只写了第一项"}), ""},
        {"FourReasons", WithReasons({"a", "b", "c", "d"}),
         "reasons: expected at most 3, got 4"},
        // 500 Chinese characters are 1500 bytes but 500 code points.
        {"ChineseReasonOf500", WithReason(1, SubmissionRepeat("好", 500)), ""},
        {"ChineseReasonOf501", WithReason(1, SubmissionRepeat("好", 501)),
         "reasons[1]: longer than 500 characters"},
        {"ReasonNotUtf8", WithReason(2, "ok \xff"),
         "reasons[2]: not valid UTF-8"},
        {"ReasonTruncatedUtf8", WithReason(0, "\xe5\xa5"),
         "reasons[0]: not valid UTF-8"},
        {"ReasonSurrogate", WithReason(0, "\xed\xa0\x80"),
         "reasons[0]: not valid UTF-8"},
        {"ReasonSoh", WithReason(0, "a\x01"),
         "reasons[0]: contains control characters"},
        {"ReasonNul", WithReason(1, std::string("a\0b", 3)),
         "reasons[1]: contains control characters"},
        {"ReasonLineBreaksAndTab", WithReason(0, "第一行\r\n第二行\t完"), ""},
        {"CommentOf2000", WithComment(SubmissionRepeat("评", 2000)), ""},
        {"CommentOf2001", WithComment(SubmissionRepeat("评", 2001)),
         "comment: longer than 2000 characters"},
        {"CommentNotUtf8", WithComment("\xc3\x28"), "comment: not valid UTF-8"},
        {"CommentDel", WithComment("x\x7f"),
         "comment: contains control characters"},
        {"CommentC1Nel", WithComment("line\xc2\x85next"),  // U+0085
         "comment: contains control characters"},
        {"CommentEscape", WithComment("\x1b[31mred"),
         "comment: contains control characters"},
        {"CommentEmoji", WithComment("服务很好 👍😀🎉"), ""},
        {"CommentSql", WithComment("'; DROP TABLE x; --"), ""},
        {"ReasonSqlAndQuotes",
         WithReason(2, "Robert'); DROP TABLE responses;-- \"%_\\"), ""},
        {"EmptyComment", WithComment(""), ""},
        // Scores are checked before text, text in field order.
        {"ScoresBeforeText",
         [] {
           Submission s = WithComment("\x01");
           s.scores[0] = 0;
           return s;
         }(),
         "scores[0]: missing"},
    }),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateSubmissionLimitsTest, LimitsAreConfigurable) {
  const Template t = DefaultTemplate();
  const TextLimits tight{/*reason_max=*/5, /*comment_max=*/3};
  Submission s = ValidSubmission();
  s.reasons = {"五个汉字啊"};  // 5 code points
  s.comment = "abc";
  EXPECT_TRUE(ValidateSubmission(t, s, tight).ok());
  s.reasons = {"六个汉字啊啊"};
  EXPECT_EQ(ValidateSubmission(t, s, tight).message(),
            "reasons[0]: longer than 5 characters");
  s.reasons = {};
  s.comment = "abcd";
  EXPECT_EQ(ValidateSubmission(t, s, tight).message(),
            "comment: longer than 3 characters");
}

TEST(ValidateScoresTest, FollowsTheTemplateShape) {
  Template t = DefaultTemplate();
  t.indicators[2].subs.pop_back();  // 8 sub-indicators
  EXPECT_TRUE(ValidateScores(t, std::vector<int>(8, 5)).ok());
  EXPECT_EQ(ValidateScores(t, std::vector<int>(9, 5)).message(),
            "scores: expected 8 scores, got 9");
}

}  // namespace
}  // namespace survey::domain

namespace survey::domain {
namespace {

TEST(ValidateSubmissionWithoutTemplateTest, ChecksWhatNeedsNoTemplate) {
  TextLimits limits;
  struct Case {
    std::vector<int> scores;
    std::vector<std::string> reasons;
    std::string comment;
    std::string error;  // empty = OK
  } cases[] = {
      {{8, 8, 8}, {}, "", ""},
      {{}, {}, "", "scores: required"},
      {{1, 10, 0}, {}, "", "scores[2]: missing"},
      {{1, 11}, {}, "", "scores[1]: 11 is outside 1..10"},
      {{-1}, {}, "", "scores[0]: -1 is outside 1..10"},
      {std::vector<int>(5, 5), {}, "", "scores: at most 4 scores, got 5"},
      {{5}, {"a", "b", "c"}, "", "reasons: expected at most 2, got 3"},
      {{5}, {"ok", "bad\x01"}, "", "reasons[1]: contains control characters"},
      {{5}, {}, "\xff", "comment: not valid UTF-8"},
      {{5}, {"'; DROP TABLE response; --"}, "😀 好", ""},
  };
  for (const Case& c : cases) {
    Submission s{c.scores, c.reasons, c.comment};
    absl::Status status = ValidateSubmissionWithoutTemplate(s, limits, 4, 2);
    if (c.error.empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(std::string(status.message()), c.error);
    }
  }
}

}  // namespace
}  // namespace survey::domain
