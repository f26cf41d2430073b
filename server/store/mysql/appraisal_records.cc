// MysqlAppraisalStore, the records around sheets: the working-day calendar,
// pay profiles and annual gradings (sql/007_appraisal_results.sql). Sheets,
// department appraisals and appeals: appraisal_store.cc.
#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "store/mysql/appraisal_store.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store::mysql {
namespace {

using std::unique_ptr;

std::string CalendarJson(const StoredCalendar& c) {
  nlohmann::ordered_json j;
  j["holidays"] = c.holidays;
  j["extra_working_days"] = c.extra_working_days;
  return j.dump();
}

std::string PayJson(const StoredPayProfile& p) {
  nlohmann::ordered_json j;
  j["employee_no"] = p.employee_no;
  j["from_period"] = p.from_period.ToString();
  j["post"] = p.post;
  j["grade"] = p.grade;
  j["post_pay_cents"] = p.post_pay_cents;
  j["base_salary_cents"] = p.base_salary_cents;
  return j.dump();
}

// The days of `year` in `c` (rows are sorted by day).
StoredCalendar ReadCalendar(sql::Connection& c, const std::string& where,
                            const std::string& arg, bool lock) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
      "SELECT day, kind FROM work_calendar", where, " ORDER BY day",
      lock ? " FOR UPDATE" : "")));
  if (!arg.empty()) st->setString(1, arg);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  StoredCalendar out;
  while (rs->next()) {
    (Str(*rs, 2) == "holiday" ? out.holidays : out.extra_working_days)
        .push_back(Str(*rs, 1));
  }
  return out;
}

}  // namespace

absl::StatusOr<StoredCalendar> MysqlAppraisalStore::GetCalendar() {
  return WithConnection(*pool_, "get calendar",
                        [&](sql::Connection& c) -> absl::StatusOr<StoredCalendar> {
                          return ReadCalendar(c, "", "", false);
                        });
}

absl::StatusOr<bool> MysqlAppraisalStore::SetCalendarYear(
    int year, const StoredCalendar& days, const AuditActor& actor) {
  bool changed = false;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        changed = false;
        std::string prefix = absl::StrCat(year, "-%");
        StoredCalendar before = ReadCalendar(c, " WHERE day LIKE ?", prefix, true);
        if (before.holidays == days.holidays &&
            before.extra_working_days == days.extra_working_days) {
          return absl::OkStatus();
        }
        unique_ptr<sql::PreparedStatement> del(
            c.prepareStatement("DELETE FROM work_calendar WHERE day LIKE ?"));
        del->setString(1, prefix);
        del->executeUpdate();
        unique_ptr<sql::PreparedStatement> ins(c.prepareStatement(
            "INSERT INTO work_calendar (day, kind) VALUES (?, ?)"));
        for (const auto& [list, kind] :
             {std::pair{&days.holidays, "holiday"},
              std::pair{&days.extra_working_days, "workday"}}) {
          for (const std::string& day : *list) {
            ins->setString(1, day);
            ins->setString(2, kind);
            ins->executeUpdate();
          }
        }
        AuditEntry entry{actor, "appraisal.change", absl::StrCat("calendar:", year),
                         CalendarJson(before), CalendarJson(days)};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        if (!seq.ok()) return seq.status();
        changed = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return changed;
}

namespace {

constexpr char kPayColumns[] =
    "SELECT p.employee_no, p.from_period, p.post, p.grade, p.post_pay_cents,"
    " p.base_salary_cents FROM pay_profile p";

StoredPayProfile ReadPay(sql::ResultSet& rs) {
  StoredPayProfile p;
  p.employee_no = Str(rs, 1);
  p.from_period = domain::Period::Parse(Str(rs, 2)).value_or(domain::Period());
  p.post = Str(rs, 3);
  p.grade = Str(rs, 4);
  p.post_pay_cents = rs.getInt64(5);
  p.base_salary_cents = rs.getInt64(6);
  return p;
}

}  // namespace

absl::StatusOr<int> MysqlAppraisalStore::SetPayProfiles(
    const std::vector<StoredPayProfile>& profiles, const AuditActor& actor) {
  int written = 0;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        written = 0;
        unique_ptr<sql::PreparedStatement> emp(c.prepareStatement(
            "SELECT 1 FROM employee WHERE employee_no = ? LOCK IN SHARE MODE"));
        unique_ptr<sql::PreparedStatement> get(c.prepareStatement(absl::StrCat(
            kPayColumns, " WHERE p.employee_no = ? AND p.from_period = ? FOR UPDATE")));
        unique_ptr<sql::PreparedStatement> put(c.prepareStatement(
            "INSERT INTO pay_profile (employee_no, from_period, post, grade,"
            " post_pay_cents, base_salary_cents) VALUES (?, ?, ?, ?, ?, ?)"
            " ON DUPLICATE KEY UPDATE post = VALUES(post), grade = VALUES(grade),"
            " post_pay_cents = VALUES(post_pay_cents), base_salary_cents ="
            " VALUES(base_salary_cents)"));
        for (size_t i = 0; i < profiles.size(); ++i) {
          const StoredPayProfile& p = profiles[i];
          emp->setString(1, p.employee_no);
          unique_ptr<sql::ResultSet> er(emp->executeQuery());
          if (!er->next()) {
            return absl::NotFoundError(absl::StrCat(
                "profiles[", i, "].employee_no: no employee \"", p.employee_no, "\""));
          }
          get->setString(1, p.employee_no);
          get->setString(2, p.from_period.ToString());
          unique_ptr<sql::ResultSet> gr(get->executeQuery());
          std::string before;
          if (gr->next()) {
            StoredPayProfile old = ReadPay(*gr);
            if (old == p) continue;
            before = PayJson(old);
          }
          put->setString(1, p.employee_no);
          put->setString(2, p.from_period.ToString());
          put->setString(3, p.post);
          put->setString(4, p.grade);
          put->setInt64(5, p.post_pay_cents);
          put->setInt64(6, p.base_salary_cents);
          put->executeUpdate();
          AuditEntry entry{actor, "appraisal.change",
                           absl::StrCat("pay:", p.employee_no, "/",
                                        p.from_period.ToString()),
                           before, PayJson(p)};
          absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
          if (!seq.ok()) return seq.status();
          ++written;
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return written;
}

absl::StatusOr<std::vector<StoredPayProfile>> MysqlAppraisalStore::PayProfilesInForce(
    domain::Period period, const std::string& department_code) {
  return WithConnection(
      *pool_, "pay profiles",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<StoredPayProfile>> {
        std::string dept =
            department_code.empty()
                ? ""
                : " AND p.employee_no IN (SELECT employee_no FROM employee"
                  " WHERE department_code = ?)";
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            kPayColumns,
            " JOIN (SELECT employee_no, MAX(from_period) AS f FROM pay_profile"
            " WHERE from_period <= ? GROUP BY employee_no) x ON x.employee_no ="
            " p.employee_no AND x.f = p.from_period WHERE 1 = 1",
            dept, " ORDER BY p.employee_no")));
        st->setString(1, period.ToString());
        if (!department_code.empty()) st->setString(2, department_code);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<StoredPayProfile> out;
        while (rs->next()) out.push_back(ReadPay(*rs));
        return out;
      });
}

namespace {

std::string SummaryOf(sql::Connection& c, int year, bool lock) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
      "SELECT summary_json FROM annual_grading WHERE year = ?",
      lock ? " FOR UPDATE" : "")));
  st->setInt(1, year);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  return rs->next() ? Str(*rs, 1) : "";
}

}  // namespace

absl::Status MysqlAppraisalStore::ReplaceGrading(const StoredGrading& g,
                                                 const AuditActor& actor) {
  return RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
    std::string before = SummaryOf(c, g.year, true);
    unique_ptr<sql::PreparedStatement> del(
        c.prepareStatement("DELETE FROM annual_grade WHERE year = ?"));
    del->setInt(1, g.year);
    del->executeUpdate();
    unique_ptr<sql::PreparedStatement> run(c.prepareStatement(
        "INSERT INTO annual_grading (year, graded_at, summary_json) VALUES (?, ?, ?)"
        " ON DUPLICATE KEY UPDATE graded_at = VALUES(graded_at), summary_json ="
        " VALUES(summary_json)"));
    run->setInt(1, g.year);
    run->setInt64(2, g.graded_at);
    run->setString(3, g.summary_json);
    run->executeUpdate();
    unique_ptr<sql::PreparedStatement> ins(c.prepareStatement(
        "INSERT INTO annual_grade (year, employee_no, department_code,"
        " grading_unit, coefficient_bp, grade, unit_rank, months,"
        " months_not_final, flags, bonus_cents) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const StoredGrade& e : g.grades) {
      ins->setInt(1, g.year);
      ins->setString(2, e.employee_no);
      ins->setString(3, e.department_code);
      ins->setString(4, e.unit);
      ins->setInt64(5, e.coefficient_bp);
      ins->setString(6, e.grade);
      ins->setInt(7, e.rank);
      ins->setInt(8, e.months);
      ins->setInt(9, e.months_not_final);
      ins->setString(10, absl::StrJoin(e.flags, ","));
      ins->setInt64(11, e.bonus_cents);
      ins->executeUpdate();
    }
    AuditEntry entry{actor, "appraisal.grade", absl::StrCat("grading:", g.year),
                     before, g.summary_json};
    return audit_->AppendInTransaction(c, entry).status();
  });
}

absl::StatusOr<StoredGrading> MysqlAppraisalStore::GetGrading(
    int year, const std::string& department_code) {
  StoredGrading out;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        out = StoredGrading{};
        unique_ptr<sql::PreparedStatement> run(c.prepareStatement(
            "SELECT graded_at, summary_json FROM annual_grading WHERE year = ?"));
        run->setInt(1, year);
        unique_ptr<sql::ResultSet> rr(run->executeQuery());
        if (!rr->next()) {
          return absl::NotFoundError(absl::StrCat(year, " has not been graded"));
        }
        out.year = year;
        out.graded_at = rr->getInt64(1);
        out.summary_json = Str(*rr, 2);
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            "SELECT employee_no, department_code, grading_unit, coefficient_bp,"
            " grade, unit_rank, months, months_not_final, flags, bonus_cents"
            " FROM annual_grade WHERE year = ?",
            department_code.empty() ? "" : " AND department_code = ?",
            " ORDER BY employee_no")));
        st->setInt(1, year);
        if (!department_code.empty()) st->setString(2, department_code);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        while (rs->next()) {
          StoredGrade e;
          e.employee_no = Str(*rs, 1);
          e.department_code = Str(*rs, 2);
          e.unit = Str(*rs, 3);
          e.coefficient_bp = rs->getInt64(4);
          e.grade = Str(*rs, 5);
          e.rank = rs->getInt(6);
          e.months = rs->getInt(7);
          e.months_not_final = rs->getInt(8);
          std::string flags = Str(*rs, 9);
          if (!flags.empty()) e.flags = absl::StrSplit(flags, ',');
          e.bonus_cents = rs->getInt64(10);
          out.grades.push_back(std::move(e));
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace survey::store::mysql
