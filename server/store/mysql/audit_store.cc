#include "store/mysql/audit_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store/mysql/staff_queries.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;
namespace q = queries;

constexpr int kScanPage = 1000;

// A digest read through HEX(); a malformed one (only by hand-edited rows,
// and even then MariaDB keeps BINARY(32) at 32 bytes) becomes all 0xff so
// that it can never match.
domain::AuditDigest DigestFromHex(const std::string& hex) {
  absl::StatusOr<domain::AuditDigest> d = domain::ParseAuditDigestHex(hex);
  if (d.ok()) return *d;
  domain::AuditDigest bad;
  bad.fill(0xff);
  return bad;
}

domain::AuditRecord ReadRecord(sql::ResultSet& rs) {
  domain::AuditRecord r;
  r.seq = rs.getInt64(1);
  r.at_micros = rs.getInt64(2);
  r.principal_name = rs.getString(3);
  r.principal_role = rs.getString(4);
  r.action = rs.getString(5);
  r.target = rs.getString(6);
  r.before_json = rs.getString(7);
  r.after_json = rs.getString(8);
  r.prev_hash = DigestFromHex(rs.getString(9));
  r.hash = DigestFromHex(rs.getString(10));
  r.seal = DigestFromHex(rs.getString(11));
  return r;
}

}  // namespace

MysqlAuditStore::MysqlAuditStore(ConnectionPool* pool,
                                 domain::AuditDigestFunction sha256,
                                 domain::AuditDigestFunction seal,
                                 std::function<int64_t()> now_micros)
    : pool_(pool),
      sha256_(std::move(sha256)),
      seal_(std::move(seal)),
      now_micros_(std::move(now_micros)) {}

absl::StatusOr<MysqlAuditStore*> MysqlAuditStore::Of(const ChangeAudit& audit) {
  auto* log = dynamic_cast<MysqlAuditStore*>(audit.log);
  if (log == nullptr) {
    return absl::FailedPreconditionError(
        "this change is recorded in the audit log, and there is none");
  }
  return log;
}

absl::StatusOr<int64_t> MysqlAuditStore::AppendInTransaction(
    sql::Connection& c, const AuditEntry& entry) {
  domain::AuditRecord r;
  r.principal_name = entry.actor.name;
  r.principal_role = entry.actor.role;
  r.action = entry.action;
  r.target = entry.target;
  r.before_json = entry.before_json;
  r.after_json = entry.after_json;
  if (absl::Status s = domain::ValidateAuditEntry(r); !s.ok()) return s;

  unique_ptr<sql::PreparedStatement> lock(
      c.prepareStatement(q::kLockAuditHead));
  unique_ptr<sql::ResultSet> head(lock->executeQuery());
  if (!head->next()) {
    // Someone deleted the head row: refuse to write (and so refuse the
    // audited change) until an administrator looks at it.
    return absl::FailedPreconditionError(
        "the audit log's chain head is missing; run surveyctl audit verify");
  }
  int64_t last_seq = head->getInt64(1);
  domain::AuditDigest last_hash = DigestFromHex(head->getString(2));
  if (last_seq == std::numeric_limits<int64_t>::max()) {
    return absl::FailedPreconditionError("the audit log is full");
  }
  r.seq = last_seq + 1;
  r.at_micros = now_micros_();
  domain::SealAuditRecord(last_hash, r, sha256_, seal_);

  unique_ptr<sql::PreparedStatement> insert(
      c.prepareStatement(q::kInsertAudit));
  insert->setInt64(1, r.seq);
  insert->setInt64(2, r.at_micros);
  insert->setString(3, r.principal_name);
  insert->setString(4, r.principal_role);
  insert->setString(5, r.action);
  insert->setString(6, r.target);
  insert->setString(7, r.before_json);
  insert->setString(8, r.after_json);
  insert->setString(9, domain::AuditDigestHex(r.prev_hash));
  insert->setString(10, domain::AuditDigestHex(r.hash));
  insert->setString(11, domain::AuditDigestHex(r.seal));
  insert->executeUpdate();

  unique_ptr<sql::PreparedStatement> move(
      c.prepareStatement(q::kMoveAuditHead));
  move->setInt64(1, r.seq);
  move->setString(2, domain::AuditDigestHex(r.hash));
  move->executeUpdate();
  return r.seq;
}

absl::StatusOr<int64_t> MysqlAuditStore::AppendAllInTransaction(
    sql::Connection& c, std::span<const AuditEntry> entries) {
  if (entries.empty()) return int64_t{0};
  if (entries.size() == 1) return AppendInTransaction(c, entries[0]);
  std::vector<domain::AuditRecord> records;
  for (const AuditEntry& entry : entries) {
    domain::AuditRecord r;
    r.principal_name = entry.actor.name;
    r.principal_role = entry.actor.role;
    r.action = entry.action;
    r.target = entry.target;
    r.before_json = entry.before_json;
    r.after_json = entry.after_json;
    if (absl::Status s = domain::ValidateAuditEntry(r); !s.ok()) return s;
    records.push_back(std::move(r));
  }
  unique_ptr<sql::PreparedStatement> lock(c.prepareStatement(q::kLockAuditHead));
  unique_ptr<sql::ResultSet> head(lock->executeQuery());
  if (!head->next()) {
    return absl::FailedPreconditionError(
        "the audit log's chain head is missing; run surveyctl audit verify");
  }
  int64_t seq = head->getInt64(1);
  domain::AuditDigest hash = DigestFromHex(head->getString(2));
  if (seq > std::numeric_limits<int64_t>::max() - static_cast<int64_t>(records.size())) {
    return absl::FailedPreconditionError("the audit log is full");
  }
  const int64_t at = now_micros_();
  for (domain::AuditRecord& r : records) {
    r.seq = ++seq;
    r.at_micros = at;
    domain::SealAuditRecord(hash, r, sha256_, seal_);
    hash = r.hash;
  }
  std::string sql =
      "INSERT INTO audit_log (seq, at_us, principal_name, principal_role,"
      " action, target, before_json, after_json, prev_hash, hash, seal) VALUES ";
  for (size_t i = 0; i < records.size(); ++i) {
    absl::StrAppend(&sql, i ? ", " : "",
                    "(?, ?, ?, ?, ?, ?, ?, ?, UNHEX(?), UNHEX(?), UNHEX(?))");
  }
  unique_ptr<sql::PreparedStatement> insert(c.prepareStatement(sql));
  int p = 1;
  for (const domain::AuditRecord& r : records) {
    insert->setInt64(p++, r.seq);
    insert->setInt64(p++, r.at_micros);
    insert->setString(p++, r.principal_name);
    insert->setString(p++, r.principal_role);
    insert->setString(p++, r.action);
    insert->setString(p++, r.target);
    insert->setString(p++, r.before_json);
    insert->setString(p++, r.after_json);
    insert->setString(p++, domain::AuditDigestHex(r.prev_hash));
    insert->setString(p++, domain::AuditDigestHex(r.hash));
    insert->setString(p++, domain::AuditDigestHex(r.seal));
  }
  insert->executeUpdate();
  unique_ptr<sql::PreparedStatement> move(c.prepareStatement(q::kMoveAuditHead));
  move->setInt64(1, seq);
  move->setString(2, domain::AuditDigestHex(hash));
  move->executeUpdate();
  return seq;
}

absl::StatusOr<int64_t> MysqlAuditStore::Record(const AuditEntry& entry) {
  int64_t seq = 0;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        absl::StatusOr<int64_t> s = AppendInTransaction(c, entry);
        if (!s.ok()) return s.status();
        seq = *s;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return seq;
}

absl::StatusOr<std::vector<domain::AuditRecord>> MysqlAuditStore::List(
    const AuditFilter& filter) {
  return WithConnection(
      *pool_, "list audit records",
      [&](sql::Connection& c)
          -> absl::StatusOr<std::vector<domain::AuditRecord>> {
        unique_ptr<sql::PreparedStatement> st;
        if (filter.newest_first) {
          st.reset(c.prepareStatement(q::kListAuditDescending));
          st->setString(1, filter.action);
          st->setString(2, filter.action);
          st->setInt64(3, filter.before_seq);
          st->setInt64(4, filter.before_seq);
          st->setInt(5, filter.limit);
        } else {
          st.reset(c.prepareStatement(q::kListAuditAscending));
          st->setString(1, filter.action);
          st->setString(2, filter.action);
          st->setInt64(3, filter.after_seq);
          st->setInt(4, filter.limit);
        }
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<domain::AuditRecord> out;
        while (rs->next()) out.push_back(ReadRecord(*rs));
        return out;
      });
}

absl::StatusOr<domain::AuditVerdict> MysqlAuditStore::Verify(
    const std::optional<domain::AuditAnchor>& anchor) {
  domain::AuditVerdict verdict;
  // One transaction (REPEATABLE READ): the head and every page are read
  // from the same snapshot, so appends committed meanwhile are not seen
  // half.
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        domain::AuditChainVerifier verifier(sha256_, seal_, anchor);
        unique_ptr<sql::PreparedStatement> read_head(
            c.prepareStatement(q::kReadAuditHead));
        unique_ptr<sql::ResultSet> head_rs(read_head->executeQuery());
        std::optional<domain::AuditChainHead> head;
        if (head_rs->next()) {
          head = domain::AuditChainHead{head_rs->getInt64(1),
                                        DigestFromHex(head_rs->getString(2))};
        }
        unique_ptr<sql::PreparedStatement> scan(
            c.prepareStatement(q::kScanAudit));
        int64_t from = std::numeric_limits<int64_t>::min();
        bool more = true;
        while (more) {
          scan->setInt64(1, from);
          scan->setInt(2, kScanPage);
          unique_ptr<sql::ResultSet> rs(scan->executeQuery());
          int rows = 0;
          while (rs->next()) {
            ++rows;
            domain::AuditRecord r = ReadRecord(*rs);
            if (!verifier.Add(r)) {
              more = false;
              break;
            }
            if (r.seq == std::numeric_limits<int64_t>::max()) {
              more = false;
              break;
            }
            from = r.seq + 1;
          }
          if (rows < kScanPage) more = false;
        }
        if (!head.has_value()) {
          verdict = verifier.Finish(domain::AuditChainHead{});
          if (verdict.intact) {
            verdict.intact = false;
            verdict.first_bad_seq = verdict.head_seq + 1;
            verdict.problem = "the chain head row is missing";
          }
        } else {
          verdict = verifier.Finish(*head);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return verdict;
}

}  // namespace survey::store::mysql
