// Sessions, organisation accounts and WhoAmI's names (AccountStore).
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "domain/audit_chain.h"
#include "store/mysql/account_queries.h"
#include "store/mysql/account_store.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;
namespace q = queries;
using namespace account_internal;  // NOLINT: the store's own helpers

// Account names are 1..64 of [A-Za-z0-9 ._@-] starting with a letter or
// digit (api::ValidateAccountName); an employee number that is no such
// name gets no account.
bool UsableAccountName(const std::string& s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  if (s.empty() || s.size() > 64 || !alnum(s.front())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<OrgAccountRow>>
MysqlAccountStore::CreateOrganisationAccounts(bool reissue,
                                              const CodeIssuer& issue,
                                              int64_t now,
                                              const AuditActor& actor) {
  std::vector<OrgAccountRow> rows;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        rows.clear();
        struct Pending {
          size_t row;
          bool create;
        };
        std::vector<Pending> pending;
        {
          unique_ptr<sql::PreparedStatement> st(
              c.prepareStatement(q::kOrgEmployees));
          unique_ptr<sql::ResultSet> rs(st->executeQuery());
          while (rs->next()) {
            OrgAccountRow r;
            r.employee_no = rs->getString(1);
            r.employee_name = rs->getString(2);
            const std::string managed =
                rs->isNull(9) ? "" : std::string(rs->getString(9));
            const bool has_account = !rs->isNull(4);
            const bool follows = has_account ? rs->getBoolean(7) : true;
            if (follows) {
              r.role = managed.empty() ? StaffRole::kEmployee : StaffRole::kManager;
              r.department_code = managed.empty() ? std::string(rs->getString(3)) : managed;
            } else {
              r.role = ParseStaffRole(std::string(rs->getString(5)))
                           .value_or(StaffRole::kEmployee);
              r.department_code = r.role == StaffRole::kManager
                                      ? std::string(rs->getString(6))
                                      : std::string(rs->getString(3));
            }
            if (has_account) {
              r.account_name = rs->getString(4);
              if (reissue && follows && !rs->getBoolean(8)) {
                pending.push_back({rows.size(), false});
              }
            } else if (UsableAccountName(r.employee_no)) {
              r.account_name = r.employee_no;
              r.created = true;
              pending.push_back({rows.size(), true});
            }
            rows.push_back(std::move(r));
          }
        }
        int created = 0, reissued = 0;
        for (const Pending& p : pending) {
          OrgAccountRow& r = rows[p.row];
          absl::StatusOr<std::pair<std::string, ActivationCode>> code = issue();
          if (!code.ok()) return code.status();
          r.activation_code = code->first;
          r.expires_at = code->second.expires_at;
          unique_ptr<sql::PreparedStatement> st;
          if (p.create) {
            st.reset(c.prepareStatement(q::kInsertOrgAccount));
            st->setString(1, r.account_name);
            st->setString(2, r.employee_no);
            st->setString(3, Hex(code->second.hmac));
            st->setInt64(4, code->second.expires_at);
            ++created;
          } else {
            st.reset(c.prepareStatement(q::kSetActivationCode));
            st->setString(1, Hex(code->second.hmac));
            st->setInt64(2, code->second.expires_at);
            st->setString(3, r.account_name);
            ++reissued;
          }
          st->executeUpdate();
        }
        nlohmann::ordered_json j;
        j["employees"] = rows.size();
        j["created"] = created;
        j["codes_reissued"] = reissued;
        nlohmann::ordered_json names = nlohmann::ordered_json::array();
        for (const Pending& p : pending) names.push_back(rows[p.row].account_name);
        j["accounts_with_new_code"] = names;
        AuditEntry entry;
        entry.actor = actor;
        entry.action = "account.org";
        entry.target = "org";
        entry.after_json = j.dump();
        return audit_->AppendInTransaction(c, entry).status();
      });
  if (!status.ok()) return status;
  (void)now;  // the codes' expiry comes from `issue`
  return rows;
}

absl::StatusOr<SessionCredential> MysqlAccountStore::GetSession(
    const std::string& session_id) {
  return WithConnection(
      *pool_, "read session",
      [&](sql::Connection& c) -> absl::StatusOr<SessionCredential> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kGetSession));
        st->setString(1, session_id);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) return absl::NotFoundError("no such session");
        SessionCredential cred;
        cred.info = ReadSession(*rs);
        absl::StatusOr<domain::AuditDigest> hmac =
            domain::ParseAuditDigestHex(std::string(rs->getString(8)));
        if (!hmac.ok()) return absl::InternalError("malformed session hash");
        std::copy(hmac->begin(), hmac->end(), cred.token_hmac.begin());
        cred.account = ReadEffectiveAccount(*rs, 9);
        return cred;
      });
}

absl::Status MysqlAccountStore::TouchSession(const std::string& session_id,
                                             int64_t now, int64_t min_step) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kTouchSession));
    st->setInt64(1, now);
    st->setString(2, session_id);
    st->setInt64(3, now - min_step);
    st->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<SessionInfo> MysqlAccountStore::EndSession(
    const std::string& session_id, int64_t now, const std::string& action,
    const AuditActor& actor) {
  SessionInfo info;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        unique_ptr<sql::PreparedStatement> lock(c.prepareStatement(q::kLockSession));
        lock->setString(1, session_id);
        unique_ptr<sql::ResultSet> rs(lock->executeQuery());
        if (!rs->next()) return absl::NotFoundError("session not found");
        info = ReadSession(*rs);
        if (info.ended_at != 0) return absl::OkStatus();
        SessionInfo before = info;
        info.ended_at = now;
        unique_ptr<sql::PreparedStatement> end(c.prepareStatement(q::kEndSession));
        end->setInt64(1, now);
        end->setString(2, session_id);
        end->executeUpdate();
        AuditEntry entry;
        entry.actor = actor;
        entry.action = action;
        entry.target = absl::StrCat("session:", session_id);
        entry.before_json = SessionJson(before);
        entry.after_json = SessionJson(info);
        return audit_->AppendInTransaction(c, entry).status();
      });
  if (!status.ok()) return status;
  return info;
}

absl::StatusOr<std::vector<SessionInfo>> MysqlAccountStore::ListSessions(
    const std::string& account_name, bool include_ended, int limit) {
  return WithConnection(
      *pool_, "list sessions",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<SessionInfo>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(q::kListSessions));
        st->setString(1, account_name);
        st->setString(2, account_name);
        st->setInt(3, include_ended ? 1 : 0);
        st->setInt(4, limit);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<SessionInfo> out;
        while (rs->next()) out.push_back(ReadSession(*rs));
        return out;
      });
}

absl::StatusOr<AccountNames> MysqlAccountStore::NamesOf(
    const std::string& employee_no, const std::string& department_code) {
  return WithConnection(
      *pool_, "read names", [&](sql::Connection& c) -> absl::StatusOr<AccountNames> {
        AccountNames out;
        auto one = [&](const char* query, const std::string& key, std::string* to) {
          if (key.empty()) return;
          unique_ptr<sql::PreparedStatement> st(c.prepareStatement(query));
          st->setString(1, key);
          unique_ptr<sql::ResultSet> rs(st->executeQuery());
          if (rs->next()) *to = rs->getString(1);
        };
        one(q::kEmployeeName, employee_no, &out.display_name);
        one(q::kDepartmentName, department_code, &out.department_name);
        return out;
      });
}

}  // namespace survey::store::mysql
