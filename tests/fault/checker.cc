#include "fault/checker.h"

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>
#include <memory>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "crypto/token.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/transaction.h"

namespace survey::fault {

bool CheckResult::Sound() const {
  return lost == 0 && doubled == 0 && wrong_scores == 0 &&
         used_without_answer == 0 && answer_without_used == 0 &&
         foreign_rows == 0 && aggregate_mismatches == 0;
}

std::string CheckResult::Summary() const {
  return absl::StrCat(
      "acknowledged=", acknowledged, " stored=", stored, " lost=", lost,
      " doubled=", doubled, " wrong_scores=", wrong_scores,
      " used_without_answer=", used_without_answer,
      " answer_without_used=", answer_without_used,
      " stored_unacknowledged=", stored_unacknowledged,
      " foreign_rows=", foreign_rows,
      " aggregate_mismatches=", aggregate_mismatches,
      problems.empty() ? "" : "\n  ", absl::StrJoin(problems, "\n  "));
}

namespace {

using std::unique_ptr;
using Rows = std::vector<std::vector<std::string>>;
// (subject_kind, subject_code, period, group_code)
using Cell = std::tuple<std::string, std::string, std::string, std::string>;

struct Recomputed {
  int64_t n = 0;
  std::map<int, int64_t> sub_sum;
  std::map<int, std::array<int64_t, 10>> histogram;
};

Rows Query(sql::Connection& c, const std::string& query,
           const std::string& campaign_id) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(query));
  st->setString(1, campaign_id);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  int columns = static_cast<int>(rs->getMetaData()->getColumnCount());
  Rows rows;
  while (rs->next()) {
    std::vector<std::string> row;
    for (int i = 1; i <= columns; ++i) row.emplace_back(rs->getString(i));
    rows.push_back(std::move(row));
  }
  return rows;
}

void Problem(CheckResult* r, std::string text) {
  if (r->problems.size() < 12) r->problems.push_back(std::move(text));
}

}  // namespace

absl::StatusOr<CheckResult> Check(const store::DbConfig& db,
                                  const std::string& pepper,
                                  const std::string& campaign_id,
                                  const std::vector<PlannedAnswer>& plan,
                                  const LoadReport& report) {
  absl::StatusOr<crypto::TokenHasher> hasher = crypto::TokenHasher::Create(pepper);
  if (!hasher.ok()) return hasher.status();
  store::mysql::ConnectionPool pool(db, 1);
  struct Snapshot {
    Rows responses, invitations, aggregates, subs;
  };
  absl::StatusOr<Snapshot> snap = store::mysql::WithConnection(
      pool, "read the campaign", [&](sql::Connection& c) -> absl::StatusOr<Snapshot> {
        Snapshot s;
        s.responses = Query(c,
            "SELECT comment, scores, subject_kind, subject_code, period, group_code"
            " FROM response WHERE campaign_id = ?", campaign_id);
        s.invitations = Query(c,
            "SELECT token_hmac, state FROM invitation WHERE campaign_id = ?",
            campaign_id);
        s.aggregates = Query(c,
            "SELECT subject_kind, subject_code, period, group_code, n"
            " FROM aggregate WHERE campaign_id = ?", campaign_id);
        s.subs = Query(c,
            "SELECT subject_kind, subject_code, period, group_code, sub_index, sum,"
            " h1, h2, h3, h4, h5, h6, h7, h8, h9, h10"
            " FROM aggregate_sub WHERE campaign_id = ?", campaign_id);
        return s;
      });
  if (!snap.ok()) return snap.status();

  CheckResult r;
  std::map<std::string, std::vector<const std::vector<std::string>*>> by_comment;
  std::map<Cell, Recomputed> cells;
  for (const auto& row : snap->responses) {
    by_comment[row[0]].push_back(&row);
    Recomputed& cell = cells[{row[2], row[3], row[4], row[5]}];
    ++cell.n;
    int j = 0;
    for (absl::string_view part : absl::StrSplit(row[1], ',')) {
      int v = 0;
      if (!absl::SimpleAtoi(part, &v) || v < 1 || v > 10) {
        Problem(&r, absl::StrCat("unreadable scores \"", row[1], "\""));
        break;
      }
      cell.sub_sum[j] += v;
      ++cell.histogram[j][v - 1];
      ++j;
    }
  }
  std::map<std::string, std::string> state_by_hmac;
  for (const auto& row : snap->invitations) state_by_hmac[row[0]] = row[1];

  size_t explained = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedAnswer& a = plan[i];
    const TokenRecord& rec = report.records[i];
    bool acked = rec.outcome != Outcome::kUnacknowledged;
    if (acked) ++r.acknowledged;
    auto found = by_comment.find(a.comment);
    size_t copies = found == by_comment.end() ? 0 : found->second.size();
    explained += copies;
    if (copies > 0) ++r.stored;
    crypto::Sha256Digest h = hasher->Hmac(a.token);
    auto state = state_by_hmac.find(std::string(h.begin(), h.end()));
    bool used = state != state_by_hmac.end() && state->second == "used";
    if (acked && copies == 0) {
      ++r.lost;
      Problem(&r, absl::StrCat("token #", i, " acknowledged (code ",
                               rec.last_code, ", ", rec.attempts,
                               " attempts) but not stored"));
    }
    if (copies > 1) {
      ++r.doubled;
      Problem(&r, absl::StrCat("token #", i, " stored ", copies, " times"));
    }
    if (copies >= 1 && (*found->second[0])[1] != absl::StrJoin(a.scores, ",")) {
      ++r.wrong_scores;
      Problem(&r, absl::StrCat("token #", i, " stored with scores ",
                               (*found->second[0])[1]));
    }
    if (used && copies == 0) {
      ++r.used_without_answer;
      Problem(&r, absl::StrCat("token #", i, " used, its answer missing"));
    }
    if (!used && copies > 0) {
      ++r.answer_without_used;
      Problem(&r, absl::StrCat("token #", i, " answered, still unused"));
    }
    if (!acked && copies > 0) ++r.stored_unacknowledged;
  }
  r.foreign_rows = snap->responses.size() - explained;

  // Aggregates against the recomputation, both ways.
  std::map<Cell, int64_t> stored_n;
  for (const auto& row : snap->aggregates) {
    int64_t n = std::stoll(row[4]);
    stored_n[{row[0], row[1], row[2], row[3]}] = n;
  }
  for (const auto& [cell, rec] : cells) {
    auto it = stored_n.find(cell);
    if (it == stored_n.end() || it->second != rec.n) {
      ++r.aggregate_mismatches;
      Problem(&r, absl::StrCat("cell ", std::get<1>(cell), ": aggregate n ",
                               it == stored_n.end() ? -1 : it->second,
                               ", responses ", rec.n));
    }
  }
  for (const auto& [cell, n] : stored_n) {
    if (n != 0 && cells.count(cell) == 0) {
      ++r.aggregate_mismatches;
      Problem(&r, absl::StrCat("cell ", std::get<1>(cell), ": aggregate n ", n,
                               " with no responses"));
    }
  }
  for (const auto& row : snap->subs) {
    Cell cell{row[0], row[1], row[2], row[3]};
    int j = std::stoi(row[4]);
    const Recomputed& rec = cells[cell];
    bool same = rec.n == 0 ? std::stoll(row[5]) == 0
                           : rec.sub_sum.count(j) && rec.sub_sum.at(j) == std::stoll(row[5]);
    for (int v = 0; same && v < 10; ++v) {
      int64_t expected = rec.n == 0 ? 0 : rec.histogram.at(j)[v];
      same = std::stoll(row[6 + v]) == expected;
    }
    if (!same) {
      ++r.aggregate_mismatches;
      Problem(&r, absl::StrCat("cell ", std::get<1>(cell), " sub ", j,
                               ": sum/histogram differ from the responses"));
    }
  }
  return r;
}

}  // namespace survey::fault
