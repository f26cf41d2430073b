#include "store/mysql/response_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/submission.h"
#include "store/mysql/literal.h"
#include "store/mysql/response_queries.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

struct InvitationRow {
  std::string campaign_id, subject_kind, subject_code, group_code, state;
  int64_t expires_at = 0;
};

struct CampaignRow {
  std::string state, period, template_key;
  int template_version = 0;
};

std::string HmacKey(const std::array<uint8_t, 32>& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// Every statement of the batch goes over the text protocol with its values
// as hex literals (store/mysql/literal.h): one round trip each, where a
// Connector/C++ prepared statement costs a prepare and an execute (and a
// close) for a statement that is used once.
unique_ptr<sql::ResultSet> Query(sql::Connection& c, const std::string& sql) {
  unique_ptr<sql::Statement> st(c.createStatement());
  return unique_ptr<sql::ResultSet>(st->executeQuery(sql));
}

int Update(sql::Connection& c, const std::string& sql) {
  unique_ptr<sql::Statement> st(c.createStatement());
  return st->executeUpdate(sql);
}

std::map<std::string, InvitationRow> LockInvitations(
    sql::Connection& c, const std::vector<std::string>& hmacs) {
  std::string sql = queries::kLockInvitationsPrefix;
  for (size_t i = 0; i < hmacs.size(); ++i) {
    if (i > 0) sql += ", ";
    literal::AppendHex(&sql, hmacs[i]);
  }
  sql += ") FOR UPDATE";
  unique_ptr<sql::ResultSet> rs = Query(c, sql);
  std::map<std::string, InvitationRow> rows;
  while (rs->next()) {
    InvitationRow& r = rows[Str(*rs, 1)];
    r.campaign_id = rs->getString(2);
    r.subject_kind = rs->getString(3);
    r.subject_code = rs->getString(4);
    r.group_code = rs->getString(5);
    r.expires_at = rs->getInt64(6);
    r.state = rs->getString(7);
  }
  return rows;
}

std::map<std::string, CampaignRow> ReadCampaigns(
    sql::Connection& c, const std::set<std::string>& ids) {
  std::map<std::string, CampaignRow> rows;
  if (ids.empty()) return rows;
  std::string sql = queries::kCampaignsPrefix;
  bool first = true;
  for (const std::string& id : ids) {
    absl::StrAppend(&sql, first ? "" : ", ", literal::Ascii(id));
    first = false;
  }
  sql += queries::kCampaignsSuffix;
  unique_ptr<sql::ResultSet> rs = Query(c, sql);
  while (rs->next()) {
    CampaignRow& r = rows[rs->getString(1)];
    r.state = rs->getString(2);
    r.period = rs->getString(3);
    r.template_key = rs->getString(4);
    r.template_version = rs->getInt(5);
  }
  return rows;
}

struct Accepted {
  size_t item;
  const InvitationRow* invitation;
  const CampaignRow* campaign;
};

}  // namespace

absl::StatusOr<std::vector<absl::Status>> MysqlResponseStore::SubmitBatch(
    std::span<const SubmitItem> items, int64_t now_unix) {
  std::vector<absl::Status> results;
  absl::Status tx = RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    // A rerun (deadlock, lost connection, in-doubt commit) decides afresh
    // from what it reads: a token its earlier attempt did commit now reads
    // as used, and that answer is reported AlreadyExists = delivered.
    results.assign(items.size(), absl::OkStatus());
    std::vector<std::string> hmacs;
    std::set<std::string> distinct;
    for (const SubmitItem& item : items) {
      std::string key = HmacKey(item.token_hmac);
      if (distinct.insert(key).second) hmacs.push_back(key);
    }
    std::map<std::string, InvitationRow> invitations = LockInvitations(c, hmacs);
    std::set<std::string> campaign_ids;
    for (const auto& [hmac, row] : invitations) campaign_ids.insert(row.campaign_id);
    std::map<std::string, CampaignRow> campaigns = ReadCampaigns(c, campaign_ids);

    std::set<std::string> taken;
    std::vector<Accepted> accepted;
    for (size_t i = 0; i < items.size(); ++i) {
      std::string key = HmacKey(items[i].token_hmac);
      auto inv = invitations.find(key);
      if (inv == invitations.end()) {
        results[i] = absl::NotFoundError("unknown survey token");
        continue;
      }
      const InvitationRow& row = inv->second;
      if (row.state == "used" || taken.count(key)) {
        results[i] = absl::AlreadyExistsError("this survey was already answered");
        continue;
      }
      if (row.state == "revoked") {
        results[i] = absl::FailedPreconditionError("invitation revoked");
        continue;
      }
      if (row.expires_at <= now_unix) {
        results[i] = absl::FailedPreconditionError("invitation expired");
        continue;
      }
      const CampaignRow& campaign = campaigns.at(row.campaign_id);
      if (campaign.state != "open") {
        results[i] = absl::FailedPreconditionError(
            absl::StrCat("survey is not open (", campaign.state, ")"));
        continue;
      }
      absl::StatusOr<std::shared_ptr<const domain::Template>> form =
          templates_(campaign.template_key, campaign.template_version);
      if (!form.ok()) return form.status();
      if (absl::Status s = domain::ValidateScores(**form, items[i].scores); !s.ok()) {
        results[i] = s;  // the token stays unused
        continue;
      }
      if (items[i].reasons.size() > (*form)->indicators.size()) {
        results[i] = absl::InvalidArgumentError(
            absl::StrCat("reasons: expected at most ", (*form)->indicators.size(),
                         ", got ", items[i].reasons.size()));
        continue;
      }
      taken.insert(key);
      accepted.push_back({i, &row, &campaign});
    }
    if (accepted.empty()) return absl::OkStatus();

    // Fisher–Yates with the injected secure source: row order in the batch
    // must not follow arrival order.
    for (size_t k = accepted.size(); k > 1; --k) {
      absl::StatusOr<uint64_t> j = crypto::RandomBelow(*random_, k);
      if (!j.ok()) return j.status();
      std::swap(accepted[k - 1], accepted[*j]);
    }

    std::string mark = queries::kMarkUsedPrefix;
    for (size_t k = 0; k < accepted.size(); ++k) {
      if (k > 0) mark += ", ";
      literal::AppendHex(&mark, HmacKey(items[accepted[k].item].token_hmac));
    }
    mark += ")";
    if (Update(c, mark) != static_cast<int>(accepted.size())) {
      return absl::InternalError("token rows changed under their lock");
    }

    std::string insert = queries::kInsertResponsesPrefix;
    for (size_t k = 0; k < accepted.size(); ++k) {
      const Accepted& a = accepted[k];
      absl::StatusOr<crypto::Id128> id = crypto::RandomId128(*random_);
      if (!id.ok()) return id.status();
      const SubmitItem& item = items[a.item];
      absl::StrAppend(
          &insert, k > 0 ? ", (" : "(",
          literal::Bytes(std::string_view(reinterpret_cast<const char*>(id->data()),
                                          id->size())),
          ", ", literal::Ascii(a.invitation->campaign_id), ", ",
          literal::Ascii(a.invitation->subject_kind), ", ",
          literal::Ascii(a.invitation->subject_code), ", ",
          literal::Ascii(a.invitation->group_code), ", ",
          literal::Ascii(a.campaign->period), ", ",
          literal::Ascii(absl::StrJoin(item.scores, ",")), ", ",
          literal::Utf8(nlohmann::json(item.reasons).dump()), ", ",
          literal::Utf8(item.comment), ")");
    }
    Update(c, insert);

    return absl::OkStatus();
  });
  if (!tx.ok()) return tx;
  return results;
}

}  // namespace survey::store::mysql
