#include "store/mysql/retention_store.h"

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/redo_purge.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

constexpr char kClosedCampaigns[] =
    "SELECT c.id, c.kind, c.period, c.responses_removed_at, c.responses_removal_done,"
    " (SELECT COUNT(*) FROM response r WHERE r.campaign_id = c.id)"
    " FROM campaign c WHERE c.state = 'closed' AND c.figures_built = 1"
    " ORDER BY c.period, c.id";
constexpr char kLockCampaign[] =
    "SELECT kind, period, state, figures_built, responses_removed_at,"
    " responses_removal_done"
    " FROM campaign WHERE id = ? FOR UPDATE";
constexpr char kCountResponses[] = "SELECT COUNT(*) FROM response WHERE campaign_id = ?";
constexpr char kMarkDone[] =
    "UPDATE campaign SET responses_removal_done = 1 WHERE id = ?";
constexpr char kMarkRemoved[] =
    "UPDATE campaign SET responses_removed_at = ? WHERE id = ?";
// The campaign's rows through the response_by_cell index (campaign_id
// first), a chunk at a time.
constexpr char kDeleteChunk[] = "DELETE FROM response WHERE campaign_id = ? LIMIT ?";

}  // namespace

absl::StatusOr<std::vector<ClosedCampaign>> MysqlRetentionStore::ClosedCampaigns() {
  return WithConnection(
      *pool_, "list closed campaigns",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<ClosedCampaign>> {
        unique_ptr<sql::Statement> st(c.createStatement());
        unique_ptr<sql::ResultSet> rs(st->executeQuery(kClosedCampaigns));
        std::vector<ClosedCampaign> out;
        while (rs->next()) {
          ClosedCampaign cc;
          cc.id = Str(*rs, 1);
          absl::StatusOr<domain::CampaignKind> kind = domain::ParseCampaignKind(Str(*rs, 2));
          absl::StatusOr<domain::Period> period = domain::Period::Parse(Str(*rs, 3));
          if (!kind.ok() || !period.ok()) {
            return absl::InternalError(absl::StrCat("campaign ", cc.id, ": unreadable row"));
          }
          cc.kind = *kind;
          cc.period = *period;
          cc.responses_removed_at = rs->getInt64(4);
          cc.removal_done = rs->getInt(5) != 0;
          cc.responses = rs->getInt64(6);
          out.push_back(std::move(cc));
        }
        return out;
      });
}

absl::StatusOr<int64_t> MysqlRetentionStore::RemoveResponses(const std::string& id,
                                                             int64_t now_unix,
                                                             const ChangeAudit& audit) {
  absl::StatusOr<MysqlAuditStore*> log = MysqlAuditStore::Of(audit);
  if (!log.ok()) return log.status();
  // 1. Mark and record, before any row goes.
  bool done = false;
  absl::Status marked = RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> lock(c.prepareStatement(kLockCampaign));
    lock->setString(1, id);
    unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (!rs->next()) return absl::NotFoundError(absl::StrCat("campaign \"", id, "\" not found"));
    if (Str(*rs, 3) != "closed" || rs->getInt(4) != 1) {
      return absl::FailedPreconditionError(
          "only a closed campaign with built figures can lose its answers");
    }
    done = rs->getInt(6) != 0;
    if (rs->getInt64(5) != 0) return absl::OkStatus();  // marked by an earlier run
    unique_ptr<sql::PreparedStatement> count(c.prepareStatement(kCountResponses));
    count->setString(1, id);
    unique_ptr<sql::ResultSet> n(count->executeQuery());
    n->next();
    unique_ptr<sql::PreparedStatement> mark(c.prepareStatement(kMarkRemoved));
    mark->setInt64(1, now_unix);
    mark->setString(2, id);
    mark->executeUpdate();
    AuditEntry entry;
    entry.actor = audit.actor;
    entry.action = "retention.remove";
    entry.target = "campaign:" + id;
    entry.after_json = nlohmann::json{{"kind", Str(*rs, 1)},
                                      {"period", Str(*rs, 2)},
                                      {"responses_removed", n->getInt64(1)}}
                           .dump();
    return (*log)->AppendInTransaction(c, entry).status();
  });
  if (!marked.ok()) return marked;
  if (done) return 0;

  // 2. The rows, a chunk per transaction. Each chunk is retry-safe on its
  // own: a rerun after an in-doubt commit deletes whatever is left.
  int64_t deleted = 0;
  for (;;) {
    int64_t in_chunk = 0;
    absl::Status s = RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
      unique_ptr<sql::PreparedStatement> del(c.prepareStatement(kDeleteChunk));
      del->setString(1, id);
      del->setInt(2, chunk_);
      in_chunk = del->executeUpdate();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    deleted += in_chunk;
    if (in_chunk < chunk_) break;
  }

  // 3. Out of the files: deleted records stay in their pages (and the redo
  // log) until overwritten; a rebuild writes the table anew without them.
  absl::Status rebuilt = WithConnection(
      *pool_, "rebuild the response table", [](sql::Connection& c) -> absl::Status {
        unique_ptr<sql::Statement> st(c.createStatement());
        st->execute("ALTER TABLE response FORCE, ALGORITHM=INPLACE, LOCK=NONE");
        return absl::OkStatus();
      });
  if (!rebuilt.ok()) return rebuilt;
  if (absl::Status purged = PurgeRedoLog(*pool_); !purged.ok()) return purged;
  absl::Status finished = RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    unique_ptr<sql::PreparedStatement> st(c.prepareStatement(kMarkDone));
    st->setString(1, id);
    st->executeUpdate();
    return absl::OkStatus();
  });
  if (!finished.ok()) return finished;
  return deleted;
}

}  // namespace survey::store::mysql
