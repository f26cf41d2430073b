#include "store/mysql/survey_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "domain/form_json.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/membership.h"
#include "store/mysql/redo_purge.h"
#include "store/mysql/survey_audit.h"
#include "store/mysql/survey_queries.h"
#include "store/mysql/statement.h"
#include "store/mysql/campaign_figures.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;
namespace q = queries;

// BINARY(32) goes through setString: Connector/C++ binds the std::string's
// full length, embedded NUL bytes included (covered by campaign_test).
std::string Bytes(const TokenHmac& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// The form MariaDB's HEX() returns, to match locked rows to inputs.
std::string UpperHex(const TokenHmac& h) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (uint8_t b : h) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// The ENUM columns hold exactly the domain's words; anything else means a
// schema the binary does not know, which must not be papered over.
template <typename T>
absl::StatusOr<T> Word(absl::StatusOr<T> parsed, std::string_view column) {
  if (parsed.ok()) return parsed;
  return absl::InternalError(absl::StrCat(
      "column ", std::string(column), ": ", std::string(parsed.status().message())));
}

// Columns 1..10 of the campaign queries.
absl::StatusOr<domain::Campaign> ReadCampaign(const sql::ResultSet& rs) {
  domain::Campaign c;
  c.id = Str(rs, 1);
  absl::StatusOr<domain::CampaignKind> kind =
      Word(domain::ParseCampaignKind(Str(rs, 2)), "campaign.kind");
  if (!kind.ok()) return kind.status();
  c.kind = *kind;
  c.period = Str(rs, 3);
  c.template_key = Str(rs, 4);
  c.template_version = rs.getInt(5);
  c.title = {Str(rs, 6), Str(rs, 7)};
  c.anonymity_k = rs.getInt(8);
  c.comment_k = rs.getInt(9);
  absl::StatusOr<domain::CampaignState> state =
      Word(domain::ParseCampaignState(Str(rs, 10)), "campaign.state");
  if (!state.ok()) return state.status();
  c.state = *state;
  return c;
}

absl::StatusOr<CampaignRecord> ReadCampaignRecord(const sql::ResultSet& rs) {
  absl::StatusOr<domain::Campaign> c = ReadCampaign(rs);
  if (!c.ok()) return c.status();
  return CampaignRecord{*std::move(c), rs.getInt64(11), rs.getInt64(12)};
}

absl::StatusOr<StoredTemplate> ReadTemplate(const sql::ResultSet& rs) {
  const std::string key = Str(rs, 1);
  const int version = rs.getInt(2);
  absl::StatusOr<domain::Template> t = domain::TemplateFromJson(Str(rs, 3));
  if (!t.ok()) {
    return absl::InternalError(absl::StrCat("stored template ", key, " v",
                                            version, ": ",
                                            std::string(t.status().message())));
  }
  // The key columns are authoritative over the copy inside the JSON.
  t->key = key;
  t->version = version;
  return StoredTemplate{*std::move(t), rs.getBoolean(4)};
}

absl::StatusOr<CampaignRecord> GetCampaignOn(sql::Connection& c,
                                             const std::string& id) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kGetCampaign));
  st->setString(1, id);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat("campaign \"", id, "\" not found"));
  }
  return ReadCampaignRecord(*rs);
}

}  // namespace

// ---------------------------------------------------------------- templates

absl::StatusOr<int> MysqlTemplateStore::Create(const domain::Template& t,
                                               const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  int version = 0;
  absl::Status status = RunInTransaction(*pool_, [&](sql::Connection& c) {
    unique_ptr<sql::PreparedStatement> max(
        c.prepareStatement(q::kLockMaxTemplateVersion));
    max->setString(1, t.key);
    unique_ptr<sql::ResultSet> rs(max->executeQuery());
    rs->next();
    domain::Template stored = t;
    stored.version = version = rs->getInt(1) + 1;
    unique_ptr<sql::PreparedStatement> insert(
        c.prepareStatement(q::kInsertTemplate));
    insert->setString(1, stored.key);
    insert->setInt(2, stored.version);
    insert->setString(3, domain::TemplateToJson(stored));
    insert->executeUpdate();
    // Last in the transaction (store/mysql/audit_store.h).
    return (*log)->AppendInTransaction(c, TemplateCreated(audit.actor, stored)).status();
  });
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<StoredTemplate> MysqlTemplateStore::Get(const std::string& key,
                                                       int version) {
  return WithConnection(
      *pool_, "get template",
      [&](sql::Connection& c) -> absl::StatusOr<StoredTemplate> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            version == 0 ? q::kGetTemplateLatest : q::kGetTemplateVersion));
        st->setString(1, key);
        if (version != 0) st->setInt(2, version);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              version == 0
                  ? absl::StrCat("template \"", key, "\" not found")
                  : absl::StrCat("template \"", key, "\" version ", version,
                                 " not found"));
        }
        return ReadTemplate(*rs);
      });
}

absl::StatusOr<std::vector<StoredTemplate>> MysqlTemplateStore::List() {
  return WithConnection(
      *pool_, "list templates",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<StoredTemplate>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kListLatestTemplates));
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<StoredTemplate> out;
        while (rs->next()) {
          absl::StatusOr<StoredTemplate> t = ReadTemplate(*rs);
          if (!t.ok()) return t.status();
          out.push_back(*std::move(t));
        }
        return out;
      });
}

absl::Status MysqlTemplateStore::EnsureDefault(const domain::Template& t) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) {
    unique_ptr<sql::PreparedStatement> st(
        c.prepareStatement(q::kInsertTemplateIfAbsent));
    st->setString(1, t.key);
    st->setInt(2, t.version);
    st->setString(3, domain::TemplateToJson(t));
    st->executeUpdate();
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- campaigns

absl::StatusOr<CampaignRecord> MysqlCampaignStore::Create(
    const domain::Campaign& in, const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  CampaignRecord record;
  absl::Status status = RunInTransaction(
      *pool_, [&](sql::Connection& c) -> absl::Status {
        domain::Campaign campaign = in;
        campaign.state = domain::CampaignState::kDraft;
        if (campaign.template_version == 0) {
          unique_ptr<sql::PreparedStatement> latest(
              c.prepareStatement(q::kLatestTemplateVersion));
          latest->setString(1, campaign.template_key);
          unique_ptr<sql::ResultSet> rs(latest->executeQuery());
          if (!rs->next() || rs->isNull(1)) {
            return absl::NotFoundError(absl::StrCat(
                "template \"", campaign.template_key, "\" not found"));
          }
          campaign.template_version = rs->getInt(1);
        } else {
          unique_ptr<sql::PreparedStatement> exists(
              c.prepareStatement(q::kTemplateVersionExists));
          exists->setString(1, campaign.template_key);
          exists->setInt(2, campaign.template_version);
          unique_ptr<sql::ResultSet> rs(exists->executeQuery());
          if (!rs->next()) {
            return absl::NotFoundError(absl::StrCat(
                "template \"", campaign.template_key, "\" version ",
                campaign.template_version, " not found"));
          }
        }
        unique_ptr<sql::PreparedStatement> insert(
            c.prepareStatement(q::kInsertCampaign));
        insert->setString(1, campaign.id);
        insert->setString(2, std::string(domain::CampaignKindName(campaign.kind)));
        insert->setString(3, campaign.period);
        insert->setString(4, campaign.template_key);
        insert->setInt(5, campaign.template_version);
        insert->setString(6, campaign.title.zh);
        insert->setString(7, campaign.title.en);
        insert->setInt(8, campaign.anonymity_k);
        insert->setInt(9, campaign.comment_k);
        insert->executeUpdate();
        record = CampaignRecord{campaign, 0, 0};
        return (*log)->AppendInTransaction(c, CampaignCreated(audit.actor, campaign))
            .status();
      });
  if (!status.ok()) return status;
  return record;
}

absl::StatusOr<CampaignRecord> MysqlCampaignStore::Get(const std::string& id) {
  return WithConnection(*pool_, "get campaign",
                        [&](sql::Connection& c) { return GetCampaignOn(c, id); });
}

absl::StatusOr<std::vector<CampaignRecord>> MysqlCampaignStore::List(
    const CampaignFilter& filter) {
  const std::string state =
      filter.state ? std::string(domain::CampaignStateName(*filter.state)) : "";
  return WithConnection(
      *pool_, "list campaigns",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<CampaignRecord>> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kListCampaigns));
        st->setString(1, filter.period);
        st->setString(2, filter.period);
        st->setString(3, state);
        st->setString(4, state);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<CampaignRecord> out;
        while (rs->next()) {
          absl::StatusOr<CampaignRecord> r = ReadCampaignRecord(*rs);
          if (!r.ok()) return r.status();
          out.push_back(*std::move(r));
        }
        return out;
      });
}

absl::StatusOr<CampaignRecord> MysqlCampaignStore::Transition(
    const std::string& id, domain::CampaignState to, const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  absl::StatusOr<CampaignRecord> record = absl::UnknownError("not run");
  absl::Status status = RunInTransaction(
      *pool_, [&](sql::Connection& c) -> absl::Status {
        unique_ptr<sql::PreparedStatement> lock(
            c.prepareStatement(q::kLockCampaignState));
        lock->setString(1, id);
        unique_ptr<sql::ResultSet> rs(lock->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(
              absl::StrCat("campaign \"", id, "\" not found"));
        }
        absl::StatusOr<domain::CampaignState> from =
            Word(domain::ParseCampaignState(Str(*rs, 1)), "campaign.state");
        if (!from.ok()) return from.status();
        absl::StatusOr<domain::CampaignState> next =
            domain::Transition(*from, to);
        if (!next.ok()) return next.status();
        if (*next != *from) {
          unique_ptr<sql::PreparedStatement> update(
              c.prepareStatement(q::kUpdateCampaignState));
          update->setString(1, std::string(domain::CampaignStateName(*next)));
          update->setString(2, id);
          update->executeUpdate();
          // Frozen membership: fixed at open (store/mysql/membership.h).
          if (*next == domain::CampaignState::kOpen) FreezeMembershipOn(c, id);
        }
        record = GetCampaignOn(c, id);
        if (!record.ok() || *next == *from) return record.status();
        return (*log)->AppendInTransaction(c, CampaignMoved(audit.actor, id, *from, *next))
            .status();
      });
  if (!status.ok()) return status;
  if (to == domain::CampaignState::kClosed) {
    // The figures first: until they are built the campaign shows counts
    // only, as while open (store/mysql/campaign_figures.h).
    if (absl::Status built = BuildCampaignFigures(*pool_, id); !built.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "campaign closed, but its figures were not built (", built.message(),
          "); close it again to retry"));
    }
    // Online rebuilds (concurrent answers to other campaigns go on); see
    // the interface for why. ALGORITHM=INPLACE copies the rows in
    // primary-key order and drops the transaction ids.
    absl::Status rebuilt = WithConnection(
        *pool_, "rebuild response and invitation tables",
        [](sql::Connection& c) -> absl::Status {
          unique_ptr<sql::Statement> st(c.createStatement());
          st->execute("ALTER TABLE response FORCE, ALGORITHM=INPLACE, LOCK=NONE");
          st->execute("ALTER TABLE invitation FORCE, ALGORITHM=INPLACE, LOCK=NONE");
          return absl::OkStatus();
        });
    if (!rebuilt.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "campaign closed, but the tables holding its answers were not rebuilt (",
          rebuilt.message(), "); close it again to retry"));
    }
    // Then the redo log, which still pairs each answer with its token's
    // HMAC (store/mysql/redo_purge.h); after the rebuilds, so that their
    // own log records (every row of both tables) go with it.
    if (absl::Status purged = PurgeRedoLog(*pool_); !purged.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "campaign closed, but the redo log was not replaced (",
          purged.message(), "); close it again to retry"));
    }
  }
  return record;
}

// -------------------------------------------------------------- invitations

absl::Status MysqlInvitationStore::Insert(
    const std::string& campaign_id,
    const std::vector<NewInvitation>& invitations, const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> lock(
        c.prepareStatement(q::kShareLockCampaignState));
    lock->setString(1, campaign_id);
    unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (!rs->next()) {
      return absl::NotFoundError(
          absl::StrCat("campaign \"", campaign_id, "\" not found"));
    }
    if (Str(*rs, 1) == domain::CampaignStateName(domain::CampaignState::kClosed)) {
      return absl::FailedPreconditionError(
          "campaign is closed; it takes no more invitations");
    }
    // One round trip per statement of up to kMaxRowsPerStatement rows.
    for (size_t begin = 0; begin < invitations.size();
         begin += q::kMaxRowsPerStatement) {
      const size_t n = std::min<size_t>(q::kMaxRowsPerStatement,
                                        invitations.size() - begin);
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
          q::kInsertInvitationsHead, Repeat(q::kInvitationRow, n))));
      unsigned p = 1;
      for (size_t i = begin; i < begin + n; ++i) {
        const NewInvitation& inv = invitations[i];
        st->setString(p++, Bytes(inv.token_hmac));
        st->setString(p++, campaign_id);
        st->setString(p++, std::string(domain::SubjectKindName(inv.subject_kind)));
        st->setString(p++, inv.subject_code);
        st->setString(p++, inv.group_code);
        st->setInt64(p++, inv.expires_at);
      }
      st->executeUpdate();
    }
    // Employees who joined after the campaign opened get their department
    // now (store/mysql/membership.h).
    std::vector<std::string> employees;
    for (const NewInvitation& inv : invitations) {
      if (inv.subject_kind == domain::SubjectKind::kEmployee) {
        employees.push_back(inv.subject_code);
      }
    }
    AddMembersOn(c, campaign_id, employees);
    // The cells' counts, in key order (the lock order of concurrent issues).
    std::map<std::tuple<std::string, std::string, std::string>, int64_t> cells;
    for (const NewInvitation& inv : invitations) {
      ++cells[{std::string(domain::SubjectKindName(inv.subject_kind)), inv.subject_code,
               inv.group_code}];
    }
    for (auto it = cells.begin(); it != cells.end();) {
      const size_t n = std::min<size_t>(q::kMaxRowsPerStatement,
                                        static_cast<size_t>(std::distance(it, cells.end())));
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
          q::kTallyIssuedHead, Repeat(q::kTallyIssuedRow, n), q::kTallyIssuedTail)));
      unsigned p = 1;
      for (size_t i = 0; i < n; ++i, ++it) {
        const auto& [kind, subject, group] = it->first;
        st->setString(p++, campaign_id);
        st->setString(p++, kind);
        st->setString(p++, subject);
        st->setString(p++, group);
        st->setInt64(p++, it->second);
      }
      st->executeUpdate();
    }
    if (invitations.empty()) return absl::OkStatus();
    return (*log)->AppendInTransaction(
        c, InvitationsIssued(audit.actor, campaign_id, invitations)).status();
  });
}

absl::StatusOr<RevokeCounts> MysqlInvitationStore::Revoke(
    const std::vector<TokenHmac>& hmacs, const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  RevokeCounts counts;
  absl::Status status = RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    counts = RevokeCounts{};
    // Lock every named row first, so the classification below holds until
    // COMMIT (a concurrent Submit waits, or has already marked it used).
    std::map<std::string, std::string> state_by_hex;
    // (campaign, kind, subject, group) of each row, for the tally.
    std::map<std::string, std::tuple<std::string, std::string, std::string, std::string>>
        cell_by_hex;
    for (size_t begin = 0; begin < hmacs.size();
         begin += q::kMaxRowsPerStatement) {
      const size_t n =
          std::min<size_t>(q::kMaxRowsPerStatement, hmacs.size() - begin);
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
          absl::StrCat(q::kLockInvitationsHead, Repeat("?", n),
                       q::kLockInvitationsTail)));
      for (size_t i = 0; i < n; ++i) {
        st->setString(static_cast<unsigned>(i + 1), Bytes(hmacs[begin + i]));
      }
      unique_ptr<sql::ResultSet> rs(st->executeQuery());
      while (rs->next()) {
        state_by_hex[Str(*rs, 1)] = Str(*rs, 2);
        cell_by_hex[Str(*rs, 1)] = {Str(*rs, 3), Str(*rs, 4), Str(*rs, 5), Str(*rs, 6)};
      }
    }
    // A closed campaign's tokens are unusable already, and its counts are
    // final (reports cache them): such tokens count as revoked, unchanged.
    std::set<std::string> closed;
    for (const auto& [hex, cell] : cell_by_hex) {
      const std::string& campaign = std::get<0>(cell);
      if (closed.contains(campaign)) continue;
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kShareLockCampaignState));
      st->setString(1, campaign);
      unique_ptr<sql::ResultSet> rs(st->executeQuery());
      if (rs->next() &&
          Str(*rs, 1) == domain::CampaignStateName(domain::CampaignState::kClosed)) {
        closed.insert(campaign);
      }
    }
    std::vector<TokenHmac> to_revoke;
    std::set<std::string> queued;
    for (const TokenHmac& h : hmacs) {
      const std::string hex = UpperHex(h);
      auto it = state_by_hex.find(hex);
      if (it == state_by_hex.end()) {
        ++counts.unknown;
      } else if (it->second == "used") {
        ++counts.already_used;
      } else {
        ++counts.revoked;
        if (it->second == "unused" && !closed.contains(std::get<0>(cell_by_hex[hex])) &&
            queued.insert(hex).second) {
          to_revoke.push_back(h);
        }
      }
    }
    for (size_t begin = 0; begin < to_revoke.size();
         begin += q::kMaxRowsPerStatement) {
      const size_t n =
          std::min<size_t>(q::kMaxRowsPerStatement, to_revoke.size() - begin);
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
          absl::StrCat(q::kRevokeInvitationsHead, Repeat("?", n),
                       q::kRevokeInvitationsTail)));
      for (size_t i = 0; i < n; ++i) {
        st->setString(static_cast<unsigned>(i + 1), Bytes(to_revoke[begin + i]));
      }
      st->executeUpdate();
    }
    std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t>
        revoked_per_cell;
    for (const TokenHmac& h : to_revoke) ++revoked_per_cell[cell_by_hex[UpperHex(h)]];
    for (const auto& [cell, n] : revoked_per_cell) {
      unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kTallyRevoked));
      st->setInt64(1, n);
      st->setString(2, std::get<0>(cell));
      st->setString(3, std::get<1>(cell));
      st->setString(4, std::get<2>(cell));
      st->setString(5, std::get<3>(cell));
      st->executeUpdate();
    }
    // One record per campaign that lost tokens, in campaign order.
    std::map<std::string, int64_t> revoked_per_campaign;
    for (const auto& [cell, n] : revoked_per_cell) revoked_per_campaign[std::get<0>(cell)] += n;
    for (const auto& [campaign, n] : revoked_per_campaign) {
      absl::Status s = (*log)->AppendInTransaction(
          c, InvitationsRevoked(audit.actor, campaign, n, counts)).status();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<InvitationView> MysqlInvitationStore::FindByTokenHmac(
    const TokenHmac& hmac) {
  return WithConnection(
      *pool_, "find invitation",
      [&](sql::Connection& c) -> absl::StatusOr<InvitationView> {
        unique_ptr<sql::PreparedStatement> st(
            c.prepareStatement(q::kFindInvitation));
        st->setString(1, Bytes(hmac));
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        // The message never carries the hash: it identifies a respondent.
        if (!rs->next()) return absl::NotFoundError("invitation not found");
        absl::StatusOr<domain::Campaign> campaign = ReadCampaign(*rs);
        if (!campaign.ok()) return campaign.status();
        absl::StatusOr<domain::SubjectKind> kind = Word(
            domain::ParseSubjectKind(Str(*rs, 11)), "invitation.subject_kind");
        if (!kind.ok()) return kind.status();
        absl::StatusOr<domain::InvitationState> state = Word(
            domain::ParseInvitationState(Str(*rs, 19)), "invitation.state");
        if (!state.ok()) return state.status();
        InvitationView v;
        v.campaign = *std::move(campaign);
        v.subject_kind = *kind;
        v.subject_code = Str(*rs, 12);
        v.subject_name = Str(*rs, 13);
        v.subject_department_code = Str(*rs, 14);
        v.subject_department_name = Str(*rs, 15);
        v.group_code = Str(*rs, 16);
        v.group_name = Str(*rs, 17);
        v.expires_at = rs->getInt64(18);
        v.state = *state;
        return v;
      });
}

}  // namespace survey::store::mysql
