#include "store/mysql/campaign_figures.h"

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/scoring.h"
#include "store/mysql/statement.h"
#include "store/mysql/survey_store.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

// (subject kind, subject code, period, group): the aggregate's key within
// its campaign.
using Cell = std::tuple<std::string, std::string, std::string, std::string>;

// Rows per INSERT: well inside max_allowed_packet and the 65535
// placeholders of a prepared statement (18 per aggregate_sub row).
constexpr size_t kRowsPerStatement = 500;

absl::StatusOr<std::vector<int>> ParseScores(const std::string& text) {
  std::vector<int> scores;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v)) {
      return absl::InternalError("response: unreadable scores");
    }
    scores.push_back(v);
  }
  return scores;
}

void Execute(sql::Connection& c, const std::string& query, const std::string& id) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(query));
  st->setString(1, id);
  st->executeUpdate();
}

absl::Status InsertAggregates(sql::Connection& c, const std::string& id,
                              const std::vector<std::pair<Cell, domain::Aggregate>>& rows) {
  for (size_t from = 0; from < rows.size(); from += kRowsPerStatement) {
    const size_t to = std::min(rows.size(), from + kRowsPerStatement);
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
        "INSERT INTO aggregate (campaign_id, subject_kind, subject_code, period,"
        " group_code, n, total_sum, total_sum_sq) VALUES ",
        Repeat("(?, ?, ?, ?, ?, ?, ?, ?)", to - from))));
    int p = 1;
    for (size_t i = from; i < to; ++i) {
      const auto& [cell, a] = rows[i];
      for (const std::string& v : {id, std::get<0>(cell), std::get<1>(cell),
                                   std::get<2>(cell), std::get<3>(cell)}) {
        st->setString(p++, v);
      }
      st->setInt64(p++, a.n);
      st->setInt64(p++, a.total_sum);
      st->setInt64(p++, a.total_sum_sq);
    }
    st->executeUpdate();
  }
  // One aggregate_sub row per (cell, sub-indicator).
  std::vector<std::pair<size_t, size_t>> subs;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].second.sub_sum.size(); ++j) subs.emplace_back(i, j);
  }
  for (size_t from = 0; from < subs.size(); from += kRowsPerStatement) {
    const size_t to = std::min(subs.size(), from + kRowsPerStatement);
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
        "INSERT INTO aggregate_sub (campaign_id, subject_kind, subject_code,"
        " period, group_code, sub_index, sum, sum_sq,"
        " h1, h2, h3, h4, h5, h6, h7, h8, h9, h10) VALUES ",
        Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", to - from))));
    int p = 1;
    for (size_t k = from; k < to; ++k) {
      const auto& [cell, a] = rows[subs[k].first];
      const size_t j = subs[k].second;
      for (const std::string& v : {id, std::get<0>(cell), std::get<1>(cell),
                                   std::get<2>(cell), std::get<3>(cell)}) {
        st->setString(p++, v);
      }
      st->setInt(p++, static_cast<int>(j));
      st->setInt64(p++, a.sub_sum[j]);
      st->setInt64(p++, a.sub_sum_sq[j]);
      for (int64_t count : a.histogram[j]) st->setInt64(p++, count);
    }
    st->executeUpdate();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status BuildCampaignFigures(ConnectionPool& pool, const std::string& id) {
  // The form first, on its own connection: never wait for a second pooled
  // connection while holding one inside a transaction.
  absl::StatusOr<std::pair<std::string, int>> version = WithConnection(
      pool, "read the campaign's form",
      [&](sql::Connection& c) -> absl::StatusOr<std::pair<std::string, int>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            "SELECT template_key, template_version FROM campaign WHERE id = ?"));
        st->setString(1, id);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) return absl::NotFoundError("campaign not found");
        return std::pair<std::string, int>{Str(*rs, 1), rs->getInt(2)};
      });
  if (!version.ok()) return version.status();
  MysqlTemplateStore templates(&pool);
  absl::StatusOr<StoredTemplate> form = templates.Get(version->first, version->second);
  if (!form.ok()) return form.status();
  return RunInTransaction(pool, [&](sql::Connection& c) -> absl::Status {
    // A shared lock: a second close building at the same time waits on the
    // aggregate rows instead, and Submit batches (refused anyway: the
    // campaign is closed) are not held up.
    unique_ptr<sql::PreparedStatement> lock(c.prepareStatement(
        "SELECT state, figures_built FROM campaign WHERE id = ? LOCK IN SHARE MODE"));
    lock->setString(1, id);
    unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (!rs->next()) return absl::NotFoundError("campaign not found");
    if (Str(*rs, 1) != "closed") {
      return absl::FailedPreconditionError("figures are built only for a closed campaign");
    }
    if (rs->getInt(2) != 0) return absl::OkStatus();

    std::map<Cell, domain::Aggregate> cells;
    unique_ptr<sql::PreparedStatement> read(c.prepareStatement(
        "SELECT subject_kind, subject_code, period, group_code, scores FROM response"
        " WHERE campaign_id = ?"));
    read->setString(1, id);
    unique_ptr<sql::ResultSet> responses(read->executeQuery());
    while (responses->next()) {
      auto [it, fresh] = cells.try_emplace(Cell{Str(*responses, 1), Str(*responses, 2),
                                                Str(*responses, 3), Str(*responses, 4)});
      if (fresh) it->second = domain::NewAggregate(form->tmpl);
      absl::StatusOr<std::vector<int>> scores = ParseScores(Str(*responses, 5));
      if (!scores.ok()) return scores.status();
      if (absl::Status s = domain::AddResponse(form->tmpl, *scores, &it->second); !s.ok()) {
        return absl::InternalError(absl::StrCat("response of ", id, ": ", s.message()));
      }
    }
    // Rows a live Submit wrote before figures moved to the close.
    Execute(c, "DELETE FROM aggregate_sub WHERE campaign_id = ?", id);
    Execute(c, "DELETE FROM aggregate WHERE campaign_id = ?", id);
    std::vector<std::pair<Cell, domain::Aggregate>> rows(cells.begin(), cells.end());
    if (absl::Status s = InsertAggregates(c, id, rows); !s.ok()) return s;
    Execute(c, "UPDATE campaign SET figures_built = 1 WHERE id = ?", id);
    return absl::OkStatus();
  });
}

}  // namespace survey::store::mysql
