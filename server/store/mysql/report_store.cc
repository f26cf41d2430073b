#include "store/mysql/report_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

// A closed campaign whose figures are not built yet (the close's second
// step, store/mysql/campaign_figures.h) reads as open: counts, no scores.
constexpr char kCampaignColumns[] =
    "SELECT id, kind, period, template_key, template_version, anonymity_k,"
    " comment_k, IF(state = 'closed' AND figures_built = 0, 'open', state),"
    " responses_removed_at"
    " FROM campaign";

absl::StatusOr<CampaignInfo> ReadCampaign(sql::ResultSet& rs) {
  CampaignInfo c;
  c.id = Str(rs, 1);
  absl::StatusOr<domain::CampaignKind> kind = domain::ParseCampaignKind(Str(rs, 2));
  absl::StatusOr<domain::Period> period = domain::Period::Parse(Str(rs, 3));
  absl::StatusOr<domain::CampaignState> state = domain::ParseCampaignState(Str(rs, 8));
  if (!kind.ok() || !period.ok() || !state.ok()) {
    return absl::InternalError(absl::StrCat("campaign ", c.id, ": unreadable row"));
  }
  c.kind = *kind;
  c.period = *period;
  c.template_key = Str(rs, 4);
  c.template_version = rs.getInt(5);
  c.k = rs.getInt(6);
  c.comment_k = rs.getInt(7);
  c.responses_removed = rs.getInt64(9) != 0;
  c.state = *state;
  return c;
}

// " WHERE campaign_id IN (...) AND subject_kind = ? [AND subject_code IN
// (...)]" for table alias `t`, and binds it from parameter `p` on.
std::string CellWhere(const CellFilter& f, const char* t) {
  std::string w = absl::StrCat(" WHERE ", t, "campaign_id IN (",
                               Placeholders(f.campaign_ids.size()), ") AND ", t,
                               "subject_kind = ?");
  if (!f.subject_codes.empty()) {
    absl::StrAppend(&w, " AND ", t, "subject_code IN (",
                    Placeholders(f.subject_codes.size()), ")");
  }
  return w;
}

unsigned BindCell(sql::PreparedStatement& st, const CellFilter& f, unsigned p) {
  for (const std::string& id : f.campaign_ids) st.setString(p++, id);
  st.setString(p++, std::string(domain::SubjectKindName(f.subject_kind)));
  for (const std::string& code : f.subject_codes) st.setString(p++, code);
  return p;
}

}  // namespace

absl::StatusOr<std::vector<CampaignInfo>> MysqlReportStore::Campaigns(
    domain::CampaignKind kind, domain::Period first, domain::Period last) {
  return WithConnection(
      Pool(), "list report campaigns",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<CampaignInfo>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            kCampaignColumns,
            " WHERE kind = ? AND period BETWEEN ? AND ? AND state <> 'draft'"
            " ORDER BY period, id")));
        st->setString(1, std::string(domain::CampaignKindName(kind)));
        st->setString(2, first.ToString());
        st->setString(3, last.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<CampaignInfo> out;
        while (rs->next()) {
          absl::StatusOr<CampaignInfo> info = ReadCampaign(*rs);
          if (!info.ok()) return info.status();
          out.push_back(*std::move(info));
        }
        return out;
      });
}

absl::StatusOr<std::vector<CampaignInfo>> MysqlReportStore::CampaignsById(
    const std::string& id_or_empty) {
  return WithConnection(
      Pool(), "list campaigns",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<CampaignInfo>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            kCampaignColumns, id_or_empty.empty() ? "" : " WHERE id = ?",
            " ORDER BY period, id")));
        if (!id_or_empty.empty()) st->setString(1, id_or_empty);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<CampaignInfo> out;
        while (rs->next()) {
          absl::StatusOr<CampaignInfo> info = ReadCampaign(*rs);
          if (!info.ok()) return info.status();
          out.push_back(*std::move(info));
        }
        if (!id_or_empty.empty() && out.empty()) {
          return absl::NotFoundError(
              absl::StrCat("campaign \"", id_or_empty, "\" not found"));
        }
        return out;
      });
}

absl::StatusOr<std::vector<AggregateRow>> MysqlReportStore::Aggregates(
    const CellFilter& filter) {
  if (filter.campaign_ids.empty()) return std::vector<AggregateRow>{};
  // Campaigns without built figures (open ones) have no aggregate rows:
  // their counts come from the responses themselves (the response_by_cell
  // index covers the query), and no sums are read, as none are shown.
  absl::StatusOr<std::vector<std::string>> built = WithConnection(
      Pool(), "read which figures are built",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<std::string>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT id FROM campaign WHERE figures_built = 1 AND id IN (",
            Placeholders(filter.campaign_ids.size()), ")")));
        unsigned p = 1;
        for (const std::string& id : filter.campaign_ids) st->setString(p++, id);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<std::string> ids;
        while (rs->next()) ids.push_back(Str(*rs, 1));
        return ids;
      });
  if (!built.ok()) return built.status();
  CellFilter counted = filter, stored = filter;
  counted.campaign_ids.clear();
  for (const std::string& id : filter.campaign_ids) {
    if (std::find(built->begin(), built->end(), id) == built->end()) {
      counted.campaign_ids.push_back(id);
    }
  }
  stored.campaign_ids = *built;
  absl::StatusOr<std::vector<AggregateRow>> out = StoredAggregates(stored);
  if (!out.ok() || counted.campaign_ids.empty()) return out;
  absl::Status s = WithConnection(
      Pool(), "count responses", [&](sql::Connection& c) -> absl::Status {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT campaign_id, subject_code, group_code, COUNT(*) FROM response",
            CellWhere(counted, ""), " GROUP BY campaign_id, subject_code, group_code")));
        BindCell(*st, counted, 1);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        while (rs->next()) {
          AggregateRow row;
          row.campaign_id = Str(*rs, 1);
          row.subject_code = Str(*rs, 2);
          row.group_code = Str(*rs, 3);
          row.aggregate.n = rs->getInt64(4);
          out->push_back(std::move(row));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<AggregateRow>> MysqlReportStore::StoredAggregates(
    const CellFilter& filter) {
  if (filter.campaign_ids.empty()) return std::vector<AggregateRow>{};
  if (!filter.with_sub_indicators) {
    return WithConnection(
        Pool(), "read aggregate totals",
        [&](sql::Connection& c) -> absl::StatusOr<std::vector<AggregateRow>> {
          unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
              "SELECT campaign_id, subject_code, group_code, n, total_sum, total_sum_sq"
              " FROM aggregate",
              CellWhere(filter, ""))));
          BindCell(*st, filter, 1);
          unique_ptr<sql::ResultSet> rs(st->executeQuery());
          std::vector<AggregateRow> out;
          while (rs->next()) {
            AggregateRow row;
            row.campaign_id = Str(*rs, 1);
            row.subject_code = Str(*rs, 2);
            row.group_code = Str(*rs, 3);
            row.aggregate.n = rs->getInt64(4);
            row.aggregate.total_sum = rs->getInt64(5);
            row.aggregate.total_sum_sq = rs->getInt64(6);
            out.push_back(std::move(row));
          }
          return out;
        });
  }
  return WithConnection(
      Pool(), "read aggregates",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<AggregateRow>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT a.campaign_id, a.subject_code, a.group_code, a.n,"
            " a.total_sum, a.total_sum_sq, s.sub_index, s.sum, s.sum_sq,"
            " s.h1, s.h2, s.h3, s.h4, s.h5, s.h6, s.h7, s.h8, s.h9, s.h10"
            " FROM aggregate a JOIN aggregate_sub s USING (campaign_id,"
            " subject_kind, subject_code, period, group_code)",
            CellWhere(filter, "a."),
            " ORDER BY a.campaign_id, a.subject_code, a.group_code, s.sub_index")));
        BindCell(*st, filter, 1);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<AggregateRow> out;
        while (rs->next()) {
          std::string campaign = Str(*rs, 1), subject = Str(*rs, 2), group = Str(*rs, 3);
          if (out.empty() || out.back().campaign_id != campaign ||
              out.back().subject_code != subject || out.back().group_code != group) {
            AggregateRow row;
            row.campaign_id = std::move(campaign);
            row.subject_code = std::move(subject);
            row.group_code = std::move(group);
            row.aggregate.n = rs->getInt64(4);
            row.aggregate.total_sum = rs->getInt64(5);
            row.aggregate.total_sum_sq = rs->getInt64(6);
            out.push_back(std::move(row));
          }
          domain::Aggregate& a = out.back().aggregate;
          const size_t sub = static_cast<size_t>(rs->getInt(7));
          if (sub != a.sub_sum.size()) {
            return absl::InternalError("aggregate_sub rows are not contiguous");
          }
          a.sub_sum.push_back(rs->getInt64(8));
          a.sub_sum_sq.push_back(rs->getInt64(9));
          std::array<int64_t, 10> h{};
          for (int i = 0; i < 10; ++i) h[i] = rs->getInt64(10 + i);
          a.histogram.push_back(h);
        }
        return out;
      });
}

absl::StatusOr<std::vector<IssuedRow>> MysqlReportStore::Issued(
    const CellFilter& filter) {
  if (filter.campaign_ids.empty()) return std::vector<IssuedRow>{};
  return WithConnection(
      Pool(), "count invitations",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<IssuedRow>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT campaign_id, subject_code, group_code, issued - revoked"
            " FROM invitation_tally",
            CellWhere(filter, ""))));
        BindCell(*st, filter, 1);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<IssuedRow> out;
        while (rs->next()) {
          out.push_back({Str(*rs, 1), Str(*rs, 2), Str(*rs, 3), rs->getInt64(4)});
        }
        return out;
      });
}

absl::StatusOr<std::vector<TextRow>> MysqlReportStore::Texts(
    const CellFilter& filter) {
  if (filter.campaign_ids.empty()) return std::vector<TextRow>{};
  return WithConnection(
      Pool(), "read comments",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<TextRow>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT campaign_id, subject_code, reasons, comment FROM response",
            CellWhere(filter, ""), " AND (comment <> '' OR reasons <> '[]')")));
        BindCell(*st, filter, 1);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<TextRow> out;
        while (rs->next()) {
          TextRow row{Str(*rs, 1), Str(*rs, 2), {}};
          nlohmann::json reasons =
              nlohmann::json::parse(Str(*rs, 3), nullptr, /*allow_exceptions=*/false);
          if (reasons.is_array()) {
            for (const auto& r : reasons) {
              if (r.is_string() && !r.get<std::string>().empty()) {
                row.texts.push_back(r.get<std::string>());
              }
            }
          }
          std::string comment = Str(*rs, 4);
          if (!comment.empty()) row.texts.push_back(std::move(comment));
          if (!row.texts.empty()) out.push_back(std::move(row));
        }
        return out;
      });
}

absl::StatusOr<std::vector<MemberRow>> MysqlReportStore::Members(
    const MemberFilter& filter) {
  if (filter.campaign_ids.empty()) return std::vector<MemberRow>{};
  return WithConnection(
      Pool(), "read campaign membership",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<MemberRow>> {
        std::string query = absl::StrCat(
            "SELECT campaign_id, employee_no, department_code FROM campaign_member"
            " WHERE campaign_id IN (", Placeholders(filter.campaign_ids.size()), ")");
        if (!filter.department_codes.empty()) {
          absl::StrAppend(&query, " AND department_code IN (",
                          Placeholders(filter.department_codes.size()), ")");
        }
        if (!filter.employee_nos.empty()) {
          absl::StrAppend(&query, " AND employee_no IN (",
                          Placeholders(filter.employee_nos.size()), ")");
        }
        absl::StrAppend(&query, " ORDER BY campaign_id, department_code, employee_no");
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(query));
        unsigned p = 1;
        for (const auto* list :
             {&filter.campaign_ids, &filter.department_codes, &filter.employee_nos}) {
          for (const std::string& v : *list) st->setString(p++, v);
        }
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<MemberRow> out;
        while (rs->next()) out.push_back({Str(*rs, 1), Str(*rs, 2), Str(*rs, 3)});
        return out;
      });
}

absl::Status MysqlReportStore::ForEachResponse(
    const std::string& campaign_id, int page,
    const std::function<absl::Status(const ResponseRow&)>& row) {
  std::string after;  // keyset: the last id seen (binary)
  while (true) {
    std::vector<ResponseRow> rows;
    absl::Status read = WithConnection(
        Pool(), "read responses", [&](sql::Connection& c) -> absl::Status {
          unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
              "SELECT id, subject_kind, subject_code, group_code, period, scores"
              " FROM response WHERE campaign_id = ? AND id > ? ORDER BY id LIMIT ?"));
          st->setString(1, campaign_id);
          st->setString(2, after);
          st->setInt(3, page);
          unique_ptr<sql::ResultSet> rs(st->executeQuery());
          while (rs->next()) {
            after = Str(*rs, 1);
            ResponseRow r;
            r.campaign_id = campaign_id;
            absl::StatusOr<domain::SubjectKind> kind =
                domain::ParseSubjectKind(Str(*rs, 2));
            if (!kind.ok()) return absl::InternalError("response: bad subject_kind");
            r.subject_kind = *kind;
            r.subject_code = Str(*rs, 3);
            r.group_code = Str(*rs, 4);
            r.period = Str(*rs, 5);
            for (absl::string_view s : absl::StrSplit(Str(*rs, 6), ',')) {
              int v = 0;
              if (!absl::SimpleAtoi(s, &v)) {
                return absl::InternalError("response: unreadable scores");
              }
              r.scores.push_back(v);
            }
            rows.push_back(std::move(r));
          }
          return absl::OkStatus();
        });
    if (!read.ok()) return read;
    for (const ResponseRow& r : rows) {
      if (absl::Status s = row(r); !s.ok()) return s;
    }
    if (rows.size() < static_cast<size_t>(page)) return absl::OkStatus();
  }
}

}  // namespace survey::store::mysql
