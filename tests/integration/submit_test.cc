// The mobile path end to end: GetSurvey and Submit over real gRPC into a
// real MariaDB, exactly once, validated, and unlinkable.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/form.h"
#include "domain/scoring.h"
#include "integration/survey_fixture.h"

namespace survey::testing {
namespace {

using SubmitTest = SurveyFixture;

TEST_F(SubmitTest, GetSurveyShowsTheFormAndSubmitCountsOnce) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1"});
  v1::Survey survey;
  grpc::Status s = GetSurvey(tokens[0], &survey);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(survey.subject_name(), "王堃");
  EXPECT_EQ(survey.subject_department_name(), "售后服务部");
  EXPECT_EQ(survey.title(), "十一月客户满意度");
  ASSERT_EQ(survey.indicators_size(), 3);
  EXPECT_EQ(survey.indicators(0).label(), "信息沟通");
  EXPECT_EQ(survey.indicators(2).weight_percent(), 40);
  int subs = 0;
  for (const auto& i : survey.indicators()) subs += i.sub_indicators_size();
  EXPECT_EQ(subs, 9);
  EXPECT_EQ(survey.bands_size(), 4);
  EXPECT_EQ(survey.reason_max_chars(), 500);
  EXPECT_EQ(survey.comment_max_chars(), 2000);
  v1::Survey english;
  ASSERT_TRUE(GetSurvey(tokens[0], &english, "en").ok());
  EXPECT_EQ(english.title(), "November satisfaction");

  ASSERT_TRUE(Submit(tokens[0], {8, 6, 7, 9, 9, 5, 6, 7, 8}).ok());
  EXPECT_EQ(Submit(tokens[0], Scores(5)).error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(GetSurvey(tokens[0], &survey).error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), "1");
  EXPECT_EQ(Scalar("SELECT scores FROM response"), "8,6,7,9,9,5,6,7,8");
  EXPECT_EQ(Scalar("SELECT state FROM invitation"), "used");
  // Submit keeps no running totals; the figures are built at close.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM aggregate"), "0");
  ASSERT_TRUE(Transition(campaign, false).ok());
  EXPECT_EQ(Scalar("SELECT n FROM aggregate WHERE subject_code='E1'"), "1");
  // 74.0 points x 120 units per point (domain/scoring.h, default template).
  EXPECT_EQ(Scalar("SELECT total_sum FROM aggregate"), "8880");
  EXPECT_EQ(Scalar("SELECT figures_built FROM campaign"), "1");
}

TEST_F(SubmitTest, SameTokenFrom16ThreadsCountsExactlyOnce) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1", "E2"});
  for (int round = 0; round < 2; ++round) {
    std::atomic<int> ok{0}, already{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        grpc::Status s = Submit(tokens[round], Scores(1 + t % 10));
        if (s.ok()) {
          ++ok;
        } else if (s.error_code() == grpc::ALREADY_EXISTS) {
          ++already;
        } else {
          ++other;
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(already.load(), 15);
    EXPECT_EQ(other.load(), 0);
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), "2");
  ASSERT_TRUE(Transition(campaign, false).ok());
  EXPECT_EQ(Scalar("SELECT SUM(n) FROM aggregate"), "2");
}

TEST_F(SubmitTest, ValidationMatrixLeavesTheTokenUsable) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1"});
  const std::string& token = tokens[0];
  std::vector<int> eight(8, 5), ten(10, 5), zero = Scores(5), eleven = Scores(5),
                   negative = Scores(5);
  zero[3] = 0;
  eleven[4] = 11;
  negative[0] = -1;
  std::string chinese500, chinese501;
  for (int i = 0; i < 500; ++i) chinese500 += "好";
  chinese501 = chinese500 + "好";
  struct Case {
    std::vector<int> scores;
    std::vector<std::string> reasons;
    std::string comment;
    std::string field;
  } cases[] = {
      {zero, {}, "", "scores[3]: missing"},
      {eleven, {}, "", "scores[4]: 11 is outside 1..10"},
      {negative, {}, "", "scores[0]: -1 is outside 1..10"},
      {{}, {}, "", "scores: required"},
      {eight, {}, "", "scores: expected 9 scores, got 8"},
      {ten, {}, "", "scores: expected 9 scores, got 10"},
      {Scores(5), {"", chinese501}, "", "reasons[1]: longer than 500 characters"},
      {Scores(5), {"a", "b", "c", "d"}, "", "reasons: expected at most 3, got 4"},
      {Scores(5), {}, std::string(2001, 'x'), "comment: longer than 2000"},
      {Scores(5), {}, "bell\x07", "comment: contains control characters"},
      {Scores(5), {"\x1b[31mred"}, "", "reasons[0]: contains control characters"},
      {Scores(5), {}, "next\xc2\x85line", "comment: contains control characters"},
  };
  for (const Case& c : cases) {
    grpc::Status s = Submit(token, c.scores, c.reasons, c.comment);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(s.error_message().rfind(c.field, 0), 0u)
        << "want " << c.field << " got " << s.error_message();
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), "0");
  EXPECT_EQ(Scalar("SELECT state FROM invitation"), "unused");
  // 500 Chinese characters is exactly the limit; the token still works.
  ASSERT_TRUE(Submit(token, Scores(7), {chinese500}, "").ok());
}

TEST_F(SubmitTest, InvalidUtf8IsRefusedBeforeAnythingIsStored) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1"});
  grpc::Status s = Submit(tokens[0], Scores(5), {}, "bad \xff\xfe bytes");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("comment"), std::string::npos) << s.error_message();
  s = Submit(tokens[0], Scores(5), {"\xc0\x80"}, "");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("reasons"), std::string::npos) << s.error_message();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), "0");
  ASSERT_TRUE(Submit(tokens[0], Scores(5)).ok());
}

TEST_F(SubmitTest, SqlMetacharactersAndEmojiAreStoredByteExact) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1"});
  const std::string comment =
      "Robert'); DROP TABLE response;-- \"quoted\" \\back\\ 100% _x_ 😀👍🏽\n第二行";
  const std::string reason = "服务很好 ' OR '1'='1";
  ASSERT_TRUE(Submit(tokens[0], Scores(9), {reason}, comment).ok());
  auto rows = ts_->db().Query("SELECT comment, reasons FROM response");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], comment);
  EXPECT_NE((*rows)[0][1].find(reason), std::string::npos) << (*rows)[0][1];
}

TEST_F(SubmitTest, ExpiredRevokedDraftClosedUnknownMalformed) {
  std::string campaign = CustomerCampaign();
  std::vector<std::string> tokens = Issue(campaign, {"E1", "E1", "E2", "E2"});
  v1::Survey survey;
  // Expired.
  ASSERT_TRUE(ts_->db().Execute("UPDATE invitation SET expires_at = 1 LIMIT 1").ok());
  int expired = 0;
  std::vector<size_t> usable;  // the tokens that did not expire
  for (size_t i = 0; i < tokens.size(); ++i) {
    grpc::Status s = GetSurvey(tokens[i], &survey);
    if (s.error_code() == grpc::FAILED_PRECONDITION) {
      EXPECT_NE(s.error_message().find("expired"), std::string::npos);
      EXPECT_EQ(Submit(tokens[i], Scores(5)).error_code(), grpc::FAILED_PRECONDITION);
      ++expired;
    } else {
      usable.push_back(i);
    }
  }
  ASSERT_EQ(expired, 1);
  ASSERT_EQ(usable.size(), 3u);
  // Revoked.
  v1::RevokeInvitationsRequest revoke;
  revoke.add_tokens(tokens[usable[0]]);
  v1::RevokeInvitationsResponse revoked;
  ASSERT_TRUE(admin_->RevokeInvitations(TestServer::Context("hr").get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.revoked(), 1);
  grpc::Status s = Submit(tokens[usable[0]], Scores(5));
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("revoked"), std::string::npos) << s.error_message();
  // Unknown but well-formed, and malformed.
  EXPECT_EQ(Submit("AAAAAAAAAAAAAAAAAAAAAAAAAA", Scores(5)).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(GetSurvey("AAAAAAAAAAAAAAAAAAAAAAAAAA", &survey).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Submit("not-a-token", Scores(5)).error_code(), grpc::INVALID_ARGUMENT);
  // Closed campaign.
  ASSERT_TRUE(Transition(campaign, false).ok());
  s = Submit(tokens[usable[1]], Scores(5));
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("closed"), std::string::npos) << s.error_message();
  // Draft campaign.
  std::string draft = CustomerCampaign(/*open=*/false);
  std::vector<std::string> draft_tokens = Issue(draft, {"E1"});
  EXPECT_EQ(GetSurvey(draft_tokens[0], &survey).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Submit(draft_tokens[0], Scores(5)).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), "0");
}

// Recomputes every aggregate from the response rows with the domain's own
// arithmetic and compares with the figures the close built.
void ExpectAggregatesMatchResponses(TestDatabase& db) {
  domain::Template form = domain::DefaultTemplate();
  using Key = std::string;
  std::map<Key, domain::Aggregate> recomputed;
  auto rows = db.Query(
      "SELECT CONCAT_WS('|', campaign_id, subject_kind, subject_code, period,"
      " group_code), scores FROM response");
  ASSERT_TRUE(rows.ok());
  for (const auto& row : *rows) {
    std::vector<int> scores;
    for (absl::string_view v : absl::StrSplit(row[1], ',')) {
      scores.push_back(std::stoi(std::string(v)));
    }
    auto [it, inserted] = recomputed.try_emplace(row[0], domain::NewAggregate(form));
    ASSERT_TRUE(domain::AddResponse(form, scores, &it->second).ok());
  }
  auto stored = db.Query(
      "SELECT CONCAT_WS('|', campaign_id, subject_kind, subject_code, period,"
      " group_code), n, total_sum, total_sum_sq FROM aggregate");
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), recomputed.size());
  for (const auto& row : *stored) {
    const domain::Aggregate& want = recomputed.at(row[0]);
    EXPECT_EQ(row[1], std::to_string(want.n)) << row[0];
    EXPECT_EQ(row[2], std::to_string(want.total_sum)) << row[0];
    EXPECT_EQ(row[3], std::to_string(want.total_sum_sq)) << row[0];
  }
  auto subs = db.Query(
      "SELECT CONCAT_WS('|', campaign_id, subject_kind, subject_code, period,"
      " group_code), sub_index, sum, sum_sq, h1, h2, h3, h4, h5, h6, h7, h8,"
      " h9, h10 FROM aggregate_sub");
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), recomputed.size() * 9);
  for (const auto& row : *subs) {
    const domain::Aggregate& want = recomputed.at(row[0]);
    size_t j = std::stoul(row[1]);
    EXPECT_EQ(row[2], std::to_string(want.sub_sum[j]));
    EXPECT_EQ(row[3], std::to_string(want.sub_sum_sq[j]));
    for (int s = 0; s < 10; ++s) {
      EXPECT_EQ(row[4 + s], std::to_string(want.histogram[j][s])) << row[0] << " " << j;
    }
  }
}

TEST_F(SubmitTest, MixedConcurrentWorkloadKeepsAggregatesExact) {
  std::string customer = CustomerCampaign();
  std::vector<std::string> subjects;
  for (int i = 0; i < 120; ++i) subjects.push_back(absl::StrCat("E", 1 + i % 5));
  std::vector<std::string> tokens = Issue(customer, subjects);
  std::string cross = CrossCampaign();
  for (const auto& inv : IssueCross(cross)) tokens.push_back(inv.token());
  ASSERT_GT(tokens.size(), 120u);

  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (size_t i = t; i < tokens.size(); i += 8) {
        std::vector<int> scores(9);
        for (int& s : scores) s = 1 + rng() % 10;
        if (i % 13 == 0) scores[2] = 0;         // invalid: refused
        if (Submit(tokens[i], scores).ok()) ++ok;
        if (i % 7 == 0) Submit(tokens[i], scores);  // retry: ALREADY_EXISTS
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM response"), std::to_string(ok.load()));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM invitation WHERE state='used'"),
            std::to_string(ok.load()));
  ASSERT_TRUE(Transition(customer, false).ok());
  ASSERT_TRUE(Transition(cross, false).ok());
  ExpectAggregatesMatchResponses(ts_->db());
}

TEST_F(SubmitTest, NoColumnCanLinkAnAnswerToItsRespondent) {
  // Any new column on these tables must be reviewed for linkage first:
  // this list is the review.
  const std::map<std::string, std::set<std::string>> allowed = {
      {"response", {"id", "campaign_id", "subject_kind", "subject_code",
                    "group_code", "period", "scores", "reasons", "comment"}},
      {"invitation", {"token_hmac", "campaign_id", "subject_kind",
                      "subject_code", "group_code", "expires_at", "state"}},
      {"aggregate", {"campaign_id", "subject_kind", "subject_code", "period",
                     "group_code", "n", "total_sum", "total_sum_sq"}},
  };
  for (const auto& [table, columns] : allowed) {
    auto rows = ts_->db().Query(absl::StrCat(
        "SELECT column_name, data_type, extra FROM information_schema.columns"
        " WHERE table_schema = DATABASE() AND table_name = '", table, "'"));
    ASSERT_TRUE(rows.ok());
    std::set<std::string> actual;
    for (const auto& row : *rows) {
      actual.insert(row[0]);
      EXPECT_EQ(row[2].find("auto_increment"), std::string::npos) << table << "." << row[0];
      for (const char* timeish : {"timestamp", "datetime", "date", "time"}) {
        EXPECT_NE(row[1], timeish) << table << "." << row[0];
      }
    }
    EXPECT_EQ(actual, columns) << "table " << table << " changed: review it for linkage";
  }
  // No column anywhere may reference an invitation or a token from answers.
  auto any = ts_->db().Query(
      "SELECT table_name, column_name FROM information_schema.columns WHERE"
      " table_schema = DATABASE() AND table_name IN ('response', 'aggregate',"
      " 'aggregate_sub') AND (column_name LIKE '%token%' OR column_name LIKE"
      " '%invitation%' OR column_name LIKE '%ip%' OR column_name LIKE '%agent%'"
      " OR column_name LIKE '%created%' OR column_name LIKE '%time%')");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->empty()) << (*any)[0][0] << "." << (*any)[0][1];
}

// Spearman's rank correlation between two orderings of the same items.
double Spearman(const std::vector<int>& ranks) {
  double n = ranks.size(), d2 = 0;
  for (size_t i = 0; i < ranks.size(); ++i) d2 += std::pow(ranks[i] - static_cast<double>(i), 2);
  return 1 - 6 * d2 / (n * (n * n - 1));
}

TEST_F(SubmitTest, NeitherKeyOrderNorRowOrderFollowsSubmissionOrder) {
  std::string campaign = CustomerCampaign();
  constexpr int kAnswers = 300;
  std::vector<std::string> subjects(kAnswers, "E1");
  std::vector<std::string> tokens = Issue(campaign, subjects);
  // One at a time, so every answer is its own batch: the hardest case.
  for (int i = 0; i < kAnswers; ++i) {
    ASSERT_TRUE(Submit(tokens[i], Scores(5), {}, absl::StrCat(i)).ok());
  }
  for (const char* order : {"SELECT comment FROM response ORDER BY id",
                            "SELECT comment FROM response",
                            "SELECT comment FROM response FORCE INDEX (response_by_cell)"
                            " WHERE campaign_id <> ''"}) {
    auto rows = ts_->db().Query(order);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), static_cast<size_t>(kAnswers));
    std::vector<int> submitted_at;
    for (const auto& row : *rows) submitted_at.push_back(std::stoi(row[0]));
    double rho = Spearman(submitted_at);
    // Under independence rho ~ N(0, 1/sqrt(n-1)); |z| > 3.29 has p < 0.001.
    EXPECT_LT(std::abs(rho) * std::sqrt(kAnswers - 1.0), 3.29)
        << order << " correlates with submission order: rho=" << rho;
  }
}

}  // namespace
}  // namespace survey::testing
