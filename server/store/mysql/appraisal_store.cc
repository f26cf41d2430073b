#include "store/mysql/appraisal_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <map>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/mysql/literal.h"
#include "store/mysql/statement.h"
#include "store/mysql/transaction.h"

namespace survey::store {

namespace da = domain::appraisal;

bool operator==(const StoredLine& a, const StoredLine& b) {
  const da::SheetLine& x = a.line;
  const da::SheetLine& y = b.line;
  return x.id == y.id && x.section == y.section && x.weight == y.weight &&
         x.self_score == y.self_score && x.reviewer_score == y.reviewer_score &&
         x.subordinates_score == y.subordinates_score &&
         x.superior_score == y.superior_score && x.points == y.points &&
         x.confirmed == y.confirmed && x.satisfaction == y.satisfaction &&
         x.insufficient_responses == y.insufficient_responses &&
         a.title == b.title && a.goal == b.goal && a.standard == b.standard &&
         a.data_source == b.data_source &&
         a.provenance_json == b.provenance_json;
}

namespace {

nlohmann::ordered_json Opt(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string SheetJson(const StoredSheet& s) {
  nlohmann::ordered_json j;
  j["employee_no"] = s.employee_no;
  j["period"] = s.period.ToString();
  j["template"] = s.sheet_template == da::SheetTemplate::kStandard
                      ? "standard"
                      : "customer_service";
  j["state"] = std::string(da::SheetStateName(s.state));
  j["kpi_weight"] = s.kpi_weight ? nlohmann::ordered_json(*s.kpi_weight)
                                 : nlohmann::ordered_json(nullptr);
  j["result_at"] = s.result_at;
  j["submitted_at"] = s.submitted_at;
  j["appeal_score"] = Opt(s.appeal_score);
  nlohmann::ordered_json lines = nlohmann::ordered_json::array();
  for (const StoredLine& l : s.lines) {
    nlohmann::ordered_json o;
    o["id"] = l.line.id;
    o["section"] = std::string(da::SectionName(l.line.section));
    o["title"] = l.title;
    o["goal"] = l.goal;
    o["standard"] = l.standard;
    o["data_source"] = l.data_source;
    o["weight"] = l.line.weight;
    o["self_score"] = Opt(l.line.self_score);
    o["reviewer_score"] = Opt(l.line.reviewer_score);
    o["subordinates_score"] = Opt(l.line.subordinates_score);
    o["superior_score"] = Opt(l.line.superior_score);
    o["points"] = l.line.points;
    o["confirmed"] = l.line.confirmed;
    o["satisfaction"] = l.line.satisfaction;
    o["insufficient_responses"] = l.line.insufficient_responses;
    if (!l.provenance_json.empty()) {
      o["provenance"] = nlohmann::ordered_json::parse(l.provenance_json, nullptr,
                                                      /*allow_exceptions=*/false);
    }
    lines.push_back(std::move(o));
  }
  j["lines"] = std::move(lines);
  return j.dump();
}

std::string DepartmentAppraisalJson(const StoredDepartmentAppraisal& d) {
  nlohmann::ordered_json j;
  j["department_code"] = d.department_code;
  j["period"] = d.period.ToString();
  j["duties"] = Opt(d.duties);
  j["plan"] = Opt(d.plan);
  j["key_indicator"] = Opt(d.key_indicator);
  j["customer"] = Opt(d.customer);
  if (!d.customer_provenance_json.empty()) {
    j["customer_provenance"] = nlohmann::ordered_json::parse(
        d.customer_provenance_json, nullptr, /*allow_exceptions=*/false);
  }
  return j.dump();
}

std::string_view AppealStateName(AppealState state) {
  switch (state) {
    case AppealState::kOpen: return "open";
    case AppealState::kAccepted: return "accepted";
    case AppealState::kRejected: return "rejected";
  }
  return "open";
}

std::string AppealJson(const StoredAppeal& a) {
  nlohmann::ordered_json j;
  j["id"] = a.id;
  j["employee_no"] = a.employee_no;
  j["period"] = a.period.ToString();
  j["reason"] = a.reason;
  j["state"] = std::string(AppealStateName(a.state));
  j["resolution"] = a.resolution;
  j["new_score"] = Opt(a.new_score);
  j["score_before"] = Opt(a.score_before);
  j["deadline"] = a.deadline;
  j["filed_at"] = a.filed_at;
  j["resolved_at"] = a.resolved_at;
  j["resolved_by"] = a.resolved_by;
  return j.dump();
}

namespace mysql {
namespace {

using std::unique_ptr;

constexpr da::Section kSections[] = {
    da::Section::kKpi,       da::Section::kWorkGoals, da::Section::kBehaviour,
    da::Section::kManagement, da::Section::kIncidents, da::Section::kBonus,
    da::Section::kMorality,  da::Section::kDiligence, da::Section::kAbility,
    da::Section::kPerformance};
constexpr da::SheetState kStates[] = {
    da::SheetState::kDraft, da::SheetState::kSubmitted,
    da::SheetState::kConfirmed, da::SheetState::kAppealWindow,
    da::SheetState::kFinal};

da::Section ParseSection(const std::string& s) {
  for (da::Section x : kSections) {
    if (da::SectionName(x) == s) return x;
  }
  return da::Section::kKpi;  // the ENUM holds exactly these words
}

da::SheetState ParseState(const std::string& s) {
  for (da::SheetState x : kStates) {
    if (da::SheetStateName(x) == s) return x;
  }
  return da::SheetState::kDraft;
}

const char* TemplateWord(da::SheetTemplate t) {
  return t == da::SheetTemplate::kStandard ? "standard" : "customer_service";
}

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

std::optional<double> OptDouble(sql::ResultSet& rs, uint32_t col) {
  if (rs.isNull(col)) return std::nullopt;
  return static_cast<double>(rs.getDouble(col));
}

void SetOptDouble(sql::PreparedStatement& st, unsigned i,
                  const std::optional<double>& v) {
  if (v) {
    st.setDouble(i, *v);
  } else {
    st.setNull(i, sql::DataType::DOUBLE);
  }
}

constexpr char kSheetColumns[] =
    "SELECT employee_no, period, template, state, kpi_weight, result_at,"
    " submitted_at, appeal_score, (SELECT COUNT(*) FROM appraisal_appeal a"
    " WHERE a.employee_no = appraisal_sheet.employee_no AND a.period ="
    " appraisal_sheet.period AND a.state = 'open') FROM appraisal_sheet";
constexpr char kLineColumns[] =
    "SELECT employee_no, period, line_id, section, title, goal, standard,"
    " data_source, weight, self_score, reviewer_score, subordinates_score,"
    " superior_score, points, confirmed, satisfaction, insufficient_responses,"
    " provenance_json FROM appraisal_line";

StoredSheet ReadSheet(sql::ResultSet& rs) {
  StoredSheet s;
  s.employee_no = Str(rs, 1);
  s.period = domain::Period::Parse(Str(rs, 2)).value_or(domain::Period());
  s.sheet_template = Str(rs, 3) == "customer_service"
                         ? da::SheetTemplate::kCustomerService
                         : da::SheetTemplate::kStandard;
  s.state = ParseState(Str(rs, 4));
  if (!rs.isNull(5)) s.kpi_weight = rs.getInt(5);
  s.result_at = rs.getInt64(6);
  s.submitted_at = rs.getInt64(7);
  s.appeal_score = OptDouble(rs, 8);
  s.open_appeals = rs.getInt(9);
  return s;
}

StoredLine ReadLine(sql::ResultSet& rs) {
  StoredLine l;
  l.line.id = Str(rs, 3);
  l.line.section = ParseSection(Str(rs, 4));
  l.title = Str(rs, 5);
  l.goal = Str(rs, 6);
  l.standard = Str(rs, 7);
  l.data_source = Str(rs, 8);
  l.line.weight = rs.getDouble(9);
  l.line.self_score = OptDouble(rs, 10);
  l.line.reviewer_score = OptDouble(rs, 11);
  l.line.subordinates_score = OptDouble(rs, 12);
  l.line.superior_score = OptDouble(rs, 13);
  l.line.points = rs.getDouble(14);
  l.line.confirmed = rs.getBoolean(15);
  l.line.satisfaction = rs.getBoolean(16);
  l.line.insufficient_responses = rs.getBoolean(17);
  l.provenance_json = Str(rs, 18);
  return l;
}

// The sheet (locked if `lock`) with its lines, or nullopt.
std::optional<StoredSheet> LoadSheet(sql::Connection& c, const std::string& no,
                                     domain::Period period, bool lock) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
      absl::StrCat(kSheetColumns, " WHERE employee_no = ? AND period = ?",
                   lock ? " FOR UPDATE" : "")));
  st->setString(1, no);
  st->setString(2, period.ToString());
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  if (!rs->next()) return std::nullopt;
  StoredSheet sheet = ReadSheet(*rs);
  unique_ptr<sql::PreparedStatement> lines(c.prepareStatement(absl::StrCat(
      kLineColumns, " WHERE employee_no = ? AND period = ? ORDER BY position")));
  lines->setString(1, no);
  lines->setString(2, period.ToString());
  unique_ptr<sql::ResultSet> lr(lines->executeQuery());
  while (lr->next()) sheet.lines.push_back(ReadLine(*lr));
  return sheet;
}

void WriteSheetRow(sql::Connection& c, const StoredSheet& s, bool insert) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
      insert ? "INSERT INTO appraisal_sheet (template, state, kpi_weight,"
               " result_at, submitted_at, appeal_score, employee_no, period)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE appraisal_sheet SET template = ?, state = ?,"
               " kpi_weight = ?, result_at = ?, submitted_at = ?,"
               " appeal_score = ? WHERE employee_no = ? AND period = ?"));
  st->setString(1, TemplateWord(s.sheet_template));
  st->setString(2, std::string(da::SheetStateName(s.state)));
  if (s.kpi_weight) {
    st->setInt(3, *s.kpi_weight);
  } else {
    st->setNull(3, sql::DataType::INTEGER);
  }
  st->setInt64(4, s.result_at);
  st->setInt64(5, s.submitted_at);
  SetOptDouble(*st, 6, s.appeal_score);
  st->setString(7, s.employee_no);
  st->setString(8, s.period.ToString());
  st->executeUpdate();
}

void ReplaceLines(sql::Connection& c, const StoredSheet& s) {
  unique_ptr<sql::PreparedStatement> del(c.prepareStatement(
      "DELETE FROM appraisal_line WHERE employee_no = ? AND period = ?"));
  del->setString(1, s.employee_no);
  del->setString(2, s.period.ToString());
  del->executeUpdate();
  if (s.lines.empty()) return;
  unique_ptr<sql::PreparedStatement> ins(c.prepareStatement(
      "INSERT INTO appraisal_line (employee_no, period, line_id, position,"
      " section, title, goal, standard, data_source, weight, self_score,"
      " reviewer_score, subordinates_score, superior_score, points,"
      " confirmed, satisfaction, insufficient_responses, provenance_json)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  int position = 0;
  for (const StoredLine& l : s.lines) {
    ins->setString(1, s.employee_no);
    ins->setString(2, s.period.ToString());
    ins->setString(3, l.line.id);
    ins->setInt(4, position++);
    ins->setString(5, std::string(da::SectionName(l.line.section)));
    ins->setString(6, l.title);
    ins->setString(7, l.goal);
    ins->setString(8, l.standard);
    ins->setString(9, l.data_source);
    ins->setDouble(10, l.line.weight);
    SetOptDouble(*ins, 11, l.line.self_score);
    SetOptDouble(*ins, 12, l.line.reviewer_score);
    SetOptDouble(*ins, 13, l.line.subordinates_score);
    SetOptDouble(*ins, 14, l.line.superior_score);
    ins->setDouble(15, l.line.points);
    ins->setBoolean(16, l.line.confirmed);
    ins->setBoolean(17, l.line.satisfaction);
    ins->setBoolean(18, l.line.insufficient_responses);
    ins->setString(19, l.provenance_json);
    ins->executeUpdate();
  }
}

void AppendChange(sql::Connection& c, const StoredSheet& s,
                  const AuditActor& actor, std::string_view what,
                  const std::string& before, const std::string& after) {
  unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
      "INSERT INTO appraisal_change (employee_no, period, at_us, who, what,"
      " before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st->setString(1, s.employee_no);
  st->setString(2, s.period.ToString());
  st->setInt64(3, NowMicros());
  st->setString(4, actor.name);
  st->setString(5, std::string(what));
  st->setString(6, before);
  st->setString(7, after);
  st->executeUpdate();
}

constexpr char kDeptColumns[] =
    "SELECT department_code, period, duties, plan, key_indicator, customer,"
    " customer_provenance_json FROM department_appraisal";

StoredDepartmentAppraisal ReadDept(sql::ResultSet& rs) {
  StoredDepartmentAppraisal d;
  d.department_code = Str(rs, 1);
  d.period = domain::Period::Parse(Str(rs, 2)).value_or(domain::Period());
  d.duties = OptDouble(rs, 3);
  d.plan = OptDouble(rs, 4);
  d.key_indicator = OptDouble(rs, 5);
  d.customer = OptDouble(rs, 6);
  d.customer_provenance_json = Str(rs, 7);
  return d;
}

}  // namespace

absl::StatusOr<AppraisalStore::ConfigRow> MysqlAppraisalStore::GetConfig(
    domain::Period period) {
  return WithConnection(
      *pool_, "get appraisal config",
      [&](sql::Connection& c) -> absl::StatusOr<ConfigRow> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            "SELECT period, config_json FROM appraisal_config WHERE period <= ?"
            " ORDER BY period DESC LIMIT 1"));
        st->setString(1, period.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError("no appraisal configuration");
        }
        absl::StatusOr<domain::Period> p = domain::Period::Parse(Str(*rs, 1));
        if (!p.ok()) return absl::InternalError("appraisal_config: bad period");
        return ConfigRow{*p, Str(*rs, 2)};
      });
}

absl::StatusOr<bool> MysqlAppraisalStore::SetConfig(domain::Period period,
                                                    const std::string& json,
                                                    const AuditActor& actor) {
  bool changed = false;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        changed = false;
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            "SELECT config_json FROM appraisal_config WHERE period = ?"
            " FOR UPDATE"));
        st->setString(1, period.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::string before;
        if (rs->next()) before = Str(*rs, 1);
        if (before == json) return absl::OkStatus();
        unique_ptr<sql::PreparedStatement> up(c.prepareStatement(
            "INSERT INTO appraisal_config (period, config_json) VALUES (?, ?)"
            " ON DUPLICATE KEY UPDATE config_json = VALUES(config_json)"));
        up->setString(1, period.ToString());
        up->setString(2, json);
        up->executeUpdate();
        AuditEntry entry{actor, "appraisal.change",
                         absl::StrCat("config:", period.ToString()), before,
                         json};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        if (!seq.ok()) return seq.status();
        changed = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return changed;
}

absl::StatusOr<StoredSheet> MysqlAppraisalStore::GetSheet(
    const std::string& employee_no, domain::Period period) {
  // One consistent snapshot of the sheet row and its lines.
  StoredSheet out;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        std::optional<StoredSheet> s = LoadSheet(c, employee_no, period, false);
        if (!s) {
          return absl::NotFoundError(absl::StrCat(
              "no sheet for ", employee_no, " in ", period.ToString()));
        }
        out = std::move(*s);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<StoredSheet>> MysqlAppraisalStore::ListSheets(
    domain::Period period, const std::string& department_code) {
  return ListSheetsBetween(period, period, department_code, "");
}

absl::StatusOr<std::vector<StoredSheet>> MysqlAppraisalStore::ListSheetsBetween(
    domain::Period first, domain::Period last, const std::string& department_code,
    const std::string& employee_no) {
  std::vector<StoredSheet> out;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        out.clear();
        std::string filter = " WHERE period BETWEEN ? AND ?";
        std::string key;
        if (!employee_no.empty()) {
          filter += " AND employee_no = ?";
          key = employee_no;
        } else if (!department_code.empty()) {
          filter +=
              " AND employee_no IN (SELECT employee_no FROM employee"
              " WHERE department_code = ?)";
          key = department_code;
        }
        auto bind = [&](sql::PreparedStatement& st) {
          st.setString(1, first.ToString());
          st.setString(2, last.ToString());
          if (!key.empty()) st.setString(3, key);
        };
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            absl::StrCat(kSheetColumns, filter, " ORDER BY period, employee_no")));
        bind(*st);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::map<std::pair<std::string, std::string>, size_t> index;
        while (rs->next()) {
          out.push_back(ReadSheet(*rs));
          index[{out.back().period.ToString(), out.back().employee_no}] = out.size() - 1;
        }
        if (out.empty()) return absl::OkStatus();
        unique_ptr<sql::PreparedStatement> lines(c.prepareStatement(absl::StrCat(
            kLineColumns, filter, " ORDER BY period, employee_no, position")));
        bind(*lines);
        unique_ptr<sql::ResultSet> lr(lines->executeQuery());
        while (lr->next()) {
          auto it = index.find({Str(*lr, 2), Str(*lr, 1)});
          if (it != index.end()) out[it->second].lines.push_back(ReadLine(*lr));
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<SheetWrite> MysqlAppraisalStore::UpdateSheet(
    const StoredSheet& fresh, const AuditActor& actor, std::string_view action,
    const std::function<absl::Status(StoredSheet&)>& mutate) {
  SheetWrite result;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        result = SheetWrite{};
        std::optional<StoredSheet> current =
            LoadSheet(c, fresh.employee_no, fresh.period, true);
        if (!current) {
          // Lock the employee so it cannot vanish under the new sheet, and
          // so that two creators queue instead of both inserting.
          unique_ptr<sql::PreparedStatement> emp(c.prepareStatement(
              "SELECT 1 FROM employee WHERE employee_no = ? FOR UPDATE"));
          emp->setString(1, fresh.employee_no);
          unique_ptr<sql::ResultSet> er(emp->executeQuery());
          if (!er->next()) {
            return absl::NotFoundError(
                absl::StrCat("no employee \"", fresh.employee_no, "\""));
          }
          current = LoadSheet(c, fresh.employee_no, fresh.period, true);
        }
        bool create = !current.has_value();
        StoredSheet before = create ? fresh : *current;
        StoredSheet after = before;
        if (mutate) {
          if (absl::Status s = mutate(after); !s.ok()) return s;
        }
        after.employee_no = fresh.employee_no;  // the key never changes
        after.period = fresh.period;
        after.open_appeals = before.open_appeals;  // read only
        if (!create && after == before) {
          result.sheet = std::move(after);
          return absl::OkStatus();
        }
        WriteSheetRow(c, after, create);
        ReplaceLines(c, after);
        std::string before_json = create ? "" : SheetJson(before);
        std::string after_json = SheetJson(after);
        AppendChange(c, after, actor, create && after == fresh ? "create" : action,
                     before_json, after_json);
        AuditEntry entry{actor, std::string(action),
                         absl::StrCat("sheet:", after.employee_no, "/",
                                      after.period.ToString()),
                         before_json, after_json};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        if (!seq.ok()) return seq.status();
        result.created = create;
        result.changed = true;
        result.sheet = std::move(after);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

namespace {

void ExecuteText(sql::Connection& c, const std::string& sql) {
  unique_ptr<sql::Statement> st(c.createStatement());
  st->executeUpdate(sql);
}

// "?, ?, ..." bound to `keys`, for the batch's reads (prepared: the binary
// protocol returns the doubles exactly, so an unchanged sheet compares
// equal).
void BindKeys(sql::PreparedStatement& st, domain::Period period,
              const std::vector<std::string>& keys) {
  st.setString(1, period.ToString());
  for (size_t i = 0; i < keys.size(); ++i) st.setString(i + 2, keys[i]);
}

// The sheets of `keys` in `period` (locked) with their lines, by employee.
std::map<std::string, StoredSheet> LoadSheets(sql::Connection& c,
                                              domain::Period period,
                                              const std::vector<std::string>& keys) {
  std::map<std::string, StoredSheet> out;
  if (keys.empty()) return out;
  const std::string where =
      absl::StrCat(" WHERE period = ? AND employee_no IN (", Placeholders(keys.size()), ")");
  unique_ptr<sql::PreparedStatement> st(
      c.prepareStatement(absl::StrCat(kSheetColumns, where, " FOR UPDATE")));
  BindKeys(*st, period, keys);
  unique_ptr<sql::ResultSet> rs(st->executeQuery());
  while (rs->next()) {
    StoredSheet sheet = ReadSheet(*rs);
    std::string no = sheet.employee_no;
    out.emplace(std::move(no), std::move(sheet));
  }
  if (out.empty()) return out;
  unique_ptr<sql::PreparedStatement> lines(c.prepareStatement(
      absl::StrCat(kLineColumns, where, " ORDER BY employee_no, position")));
  BindKeys(*lines, period, keys);
  unique_ptr<sql::ResultSet> lr(lines->executeQuery());
  while (lr->next()) {
    auto it = out.find(Str(*lr, 1));
    if (it != out.end()) it->second.lines.push_back(ReadLine(*lr));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<SheetWrite>> MysqlAppraisalStore::UpdateSheets(
    std::span<const SheetUpdate> updates, const AuditActor& actor,
    std::string_view action) {
  namespace lit = literal;
  std::vector<SheetWrite> results;
  if (updates.empty()) return results;
  const domain::Period period = updates.front().fresh.period;
  std::vector<std::string> keys;
  {
    std::set<std::string> distinct;
    for (const SheetUpdate& u : updates) {
      if (!(u.fresh.period == period)) {
        return absl::InvalidArgumentError("UpdateSheets: sheets of more than one period");
      }
      if (!distinct.insert(u.fresh.employee_no).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("UpdateSheets: ", u.fresh.employee_no, " twice"));
      }
      keys.push_back(u.fresh.employee_no);
    }
  }
  const std::string period_literal = lit::Ascii(period.ToString());
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        results.assign(updates.size(), SheetWrite{});
        // The batch's sheets, locked; then, as UpdateSheet does for one, the
        // employees of the missing ones (so none vanishes under its new
        // sheet and two creators queue), and those sheets again.
        std::map<std::string, StoredSheet> current = LoadSheets(c, period, keys);
        std::vector<std::string> missing;
        for (const std::string& no : keys) {
          if (!current.count(no)) missing.push_back(no);
        }
        if (!missing.empty()) {
          unique_ptr<sql::PreparedStatement> emp(c.prepareStatement(absl::StrCat(
              "SELECT employee_no FROM employee WHERE employee_no IN (",
              Placeholders(missing.size()), ") FOR UPDATE")));
          for (size_t i = 0; i < missing.size(); ++i) emp->setString(i + 1, missing[i]);
          unique_ptr<sql::ResultSet> er(emp->executeQuery());
          std::set<std::string> found;
          while (er->next()) found.insert(Str(*er, 1));
          for (const std::string& no : missing) {
            if (!found.count(no)) {
              return absl::NotFoundError(absl::StrCat("no employee \"", no, "\""));
            }
          }
          current.merge(LoadSheets(c, period, missing));
        }

        // Decide every sheet, then write the changed ones with one
        // statement per table (text protocol, values as hex literals).
        std::string sheet_rows, line_rows, change_rows, deleted;
        std::vector<AuditEntry> entries;
        const int64_t now_us = NowMicros();
        for (size_t i = 0; i < updates.size(); ++i) {
          const SheetUpdate& u = updates[i];
          auto it = current.find(u.fresh.employee_no);
          const bool create = it == current.end();
          StoredSheet before = create ? u.fresh : it->second;
          StoredSheet after = before;
          if (u.mutate) {
            if (absl::Status s = u.mutate(after); !s.ok()) return s;
          }
          after.employee_no = u.fresh.employee_no;
          after.period = period;
          after.open_appeals = before.open_appeals;
          SheetWrite& w = results[i];
          if (!create && after == before) {
            w.sheet = std::move(after);
            continue;
          }
          const std::string no = lit::Ascii(after.employee_no);
          absl::StrAppend(
              &sheet_rows, sheet_rows.empty() ? "(" : ", (", no, ", ", period_literal,
              ", ", lit::Ascii(TemplateWord(after.sheet_template)), ", ",
              lit::Ascii(da::SheetStateName(after.state)), ", ",
              after.kpi_weight ? lit::Int(*after.kpi_weight) : lit::Null(), ", ",
              lit::Int(after.result_at), ", ", lit::Int(after.submitted_at), ", ",
              lit::OptDouble(after.appeal_score), ")");
          if (!create) absl::StrAppend(&deleted, deleted.empty() ? "" : ", ", no);
          int position = 0;
          for (const StoredLine& l : after.lines) {
            absl::StrAppend(
                &line_rows, line_rows.empty() ? "(" : ", (", no, ", ", period_literal,
                ", ", lit::Ascii(l.line.id), ", ", lit::Int(position++), ", ",
                lit::Ascii(da::SectionName(l.line.section)), ", ", lit::Utf8(l.title),
                ", ", lit::Utf8(l.goal), ", ", lit::Utf8(l.standard), ", ",
                lit::Utf8(l.data_source), ", ", lit::Double(l.line.weight), ", ",
                lit::OptDouble(l.line.self_score), ", ",
                lit::OptDouble(l.line.reviewer_score), ", ",
                lit::OptDouble(l.line.subordinates_score), ", ",
                lit::OptDouble(l.line.superior_score), ", ", lit::Double(l.line.points),
                ", ", lit::Bool(l.line.confirmed), ", ", lit::Bool(l.line.satisfaction),
                ", ", lit::Bool(l.line.insufficient_responses), ", ",
                lit::Utf8(l.provenance_json), ")");
          }
          std::string before_json = create ? "" : SheetJson(before);
          std::string after_json = SheetJson(after);
          const std::string what =
              create && after == u.fresh ? "create" : std::string(action);
          absl::StrAppend(&change_rows, change_rows.empty() ? "(" : ", (", no, ", ",
                          period_literal, ", ", lit::Int(now_us), ", ",
                          lit::Utf8(actor.name), ", ", lit::Ascii(what), ", ",
                          lit::Utf8(before_json), ", ", lit::Utf8(after_json), ")");
          entries.push_back(AuditEntry{
              actor, std::string(action),
              absl::StrCat("sheet:", after.employee_no, "/", period.ToString()),
              std::move(before_json), std::move(after_json)});
          w.created = create;
          w.changed = true;
          w.sheet = std::move(after);
        }
        if (sheet_rows.empty()) return absl::OkStatus();
        ExecuteText(c, absl::StrCat(
                           "INSERT INTO appraisal_sheet (employee_no, period, template,"
                           " state, kpi_weight, result_at, submitted_at, appeal_score)"
                           " VALUES ",
                           sheet_rows,
                           " ON DUPLICATE KEY UPDATE template = VALUES(template),"
                           " state = VALUES(state), kpi_weight = VALUES(kpi_weight),"
                           " result_at = VALUES(result_at), submitted_at ="
                           " VALUES(submitted_at), appeal_score = VALUES(appeal_score)"));
        if (!deleted.empty()) {
          ExecuteText(c, absl::StrCat("DELETE FROM appraisal_line WHERE period = ",
                                      period_literal, " AND employee_no IN (", deleted,
                                      ")"));
        }
        if (!line_rows.empty()) {
          ExecuteText(c, absl::StrCat(
                             "INSERT INTO appraisal_line (employee_no, period, line_id,"
                             " position, section, title, goal, standard, data_source,"
                             " weight, self_score, reviewer_score, subordinates_score,"
                             " superior_score, points, confirmed, satisfaction,"
                             " insufficient_responses, provenance_json) VALUES ",
                             line_rows));
        }
        ExecuteText(c, absl::StrCat(
                           "INSERT INTO appraisal_change (employee_no, period, at_us,"
                           " who, what, before_json, after_json) VALUES ",
                           change_rows));
        // Audited per sheet, in the batch's order, last in the transaction
        // (the chain head is then locked only for the rest of it).
        absl::StatusOr<int64_t> seq = audit_->AppendAllInTransaction(c, entries);
        if (!seq.ok()) return seq.status();
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<std::vector<StoredChange>> MysqlAppraisalStore::SheetHistory(
    const std::string& employee_no, domain::Period period) {
  return WithConnection(
      *pool_, "sheet history",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<StoredChange>> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            "SELECT at_us, who, what, before_json, after_json FROM"
            " appraisal_change WHERE employee_no = ? AND period = ? ORDER BY id"));
        st->setString(1, employee_no);
        st->setString(2, period.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<StoredChange> out;
        while (rs->next()) {
          out.push_back(StoredChange{rs->getInt64(1), Str(*rs, 2), Str(*rs, 3),
                                     Str(*rs, 4), Str(*rs, 5)});
        }
        return out;
      });
}

absl::StatusOr<StoredDepartmentAppraisal>
MysqlAppraisalStore::GetDepartmentAppraisal(const std::string& department_code,
                                            domain::Period period) {
  return WithConnection(
      *pool_, "get department appraisal",
      [&](sql::Connection& c) -> absl::StatusOr<StoredDepartmentAppraisal> {
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            kDeptColumns, " WHERE department_code = ? AND period = ?")));
        st->setString(1, department_code);
        st->setString(2, period.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) {
          return absl::NotFoundError(absl::StrCat(
              "no appraisal of department ", department_code, " in ",
              period.ToString()));
        }
        return ReadDept(*rs);
      });
}

absl::StatusOr<DepartmentWrite> MysqlAppraisalStore::UpdateDepartmentAppraisal(
    const std::string& department_code, domain::Period period,
    const AuditActor& actor, std::string_view action,
    const std::function<absl::Status(StoredDepartmentAppraisal&)>& mutate) {
  DepartmentWrite result;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        result = DepartmentWrite{};
        unique_ptr<sql::PreparedStatement> dept(c.prepareStatement(
            "SELECT 1 FROM department WHERE code = ? FOR UPDATE"));
        dept->setString(1, department_code);
        unique_ptr<sql::ResultSet> dr(dept->executeQuery());
        if (!dr->next()) {
          return absl::NotFoundError(
              absl::StrCat("no department \"", department_code, "\""));
        }
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
            kDeptColumns, " WHERE department_code = ? AND period = ? FOR UPDATE")));
        st->setString(1, department_code);
        st->setString(2, period.ToString());
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        bool exists = rs->next();
        StoredDepartmentAppraisal before;
        before.department_code = department_code;
        before.period = period;
        if (exists) before = ReadDept(*rs);
        StoredDepartmentAppraisal after = before;
        if (mutate) {
          if (absl::Status s = mutate(after); !s.ok()) return s;
        }
        after.department_code = department_code;
        after.period = period;
        result.appraisal = after;
        if (after == before) return absl::OkStatus();
        unique_ptr<sql::PreparedStatement> up(c.prepareStatement(
            "INSERT INTO department_appraisal (department_code, period, duties,"
            " plan, key_indicator, customer, customer_provenance_json) VALUES"
            " (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE duties ="
            " VALUES(duties), plan = VALUES(plan), key_indicator ="
            " VALUES(key_indicator), customer = VALUES(customer),"
            " customer_provenance_json = VALUES(customer_provenance_json)"));
        up->setString(1, department_code);
        up->setString(2, period.ToString());
        SetOptDouble(*up, 3, after.duties);
        SetOptDouble(*up, 4, after.plan);
        SetOptDouble(*up, 5, after.key_indicator);
        SetOptDouble(*up, 6, after.customer);
        up->setString(7, after.customer_provenance_json);
        up->executeUpdate();
        AuditEntry entry{actor, std::string(action),
                         absl::StrCat("department:", department_code, "/",
                                      period.ToString()),
                         exists ? DepartmentAppraisalJson(before) : "",
                         DepartmentAppraisalJson(after)};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        if (!seq.ok()) return seq.status();
        result.changed = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}


// ---- appeals ----

namespace {

constexpr char kAppealColumns[] =
    "SELECT id, employee_no, period, reason, state, resolution, new_score,"
    " score_before, deadline, filed_at, resolved_at, resolved_by"
    " FROM appraisal_appeal";

StoredAppeal ReadAppeal(sql::ResultSet& rs) {
  StoredAppeal a;
  a.id = rs.getInt64(1);
  a.employee_no = Str(rs, 2);
  a.period = domain::Period::Parse(Str(rs, 3)).value_or(domain::Period());
  a.reason = Str(rs, 4);
  std::string state = Str(rs, 5);
  a.state = state == "accepted"   ? AppealState::kAccepted
            : state == "rejected" ? AppealState::kRejected
                                  : AppealState::kOpen;
  a.resolution = Str(rs, 6);
  a.new_score = OptDouble(rs, 7);
  a.score_before = OptDouble(rs, 8);
  a.deadline = Str(rs, 9);
  a.filed_at = rs.getInt64(10);
  a.resolved_at = rs.getInt64(11);
  a.resolved_by = Str(rs, 12);
  return a;
}

std::string AppealTarget(const StoredAppeal& a) {
  return absl::StrCat("appeal:", a.id, ":", a.employee_no, "/", a.period.ToString());
}

}  // namespace

absl::StatusOr<StoredAppeal> MysqlAppraisalStore::FileAppeal(
    const StoredAppeal& appeal, const AuditActor& actor,
    const std::function<absl::Status(const StoredSheet&, StoredAppeal&)>& check) {
  StoredAppeal out;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        std::optional<StoredSheet> sheet =
            LoadSheet(c, appeal.employee_no, appeal.period, true);
        if (!sheet) {
          return absl::NotFoundError(absl::StrCat(
              "no sheet for ", appeal.employee_no, " in ", appeal.period.ToString()));
        }
        unique_ptr<sql::PreparedStatement> same(c.prepareStatement(absl::StrCat(
            kAppealColumns,
            " WHERE employee_no = ? AND period = ? AND state = 'open'"
            " AND reason = ?")));
        same->setString(1, appeal.employee_no);
        same->setString(2, appeal.period.ToString());
        same->setString(3, appeal.reason);
        unique_ptr<sql::ResultSet> sr(same->executeQuery());
        if (sr->next()) {  // the same appeal, filed by an earlier try
          out = ReadAppeal(*sr);
          return absl::OkStatus();
        }
        StoredAppeal filed = appeal;
        if (absl::Status s = check(*sheet, filed); !s.ok()) return s;
        unique_ptr<sql::PreparedStatement> ins(c.prepareStatement(
            "INSERT INTO appraisal_appeal (employee_no, period, reason, state,"
            " resolution, new_score, score_before, deadline, filed_at)"
            " VALUES (?, ?, ?, 'open', '', NULL, ?, ?, ?)"));
        ins->setString(1, filed.employee_no);
        ins->setString(2, filed.period.ToString());
        ins->setString(3, filed.reason);
        SetOptDouble(*ins, 4, filed.score_before);
        ins->setString(5, filed.deadline);
        ins->setInt64(6, filed.filed_at);
        ins->executeUpdate();
        unique_ptr<sql::Statement> id(c.createStatement());
        unique_ptr<sql::ResultSet> ir(id->executeQuery("SELECT LAST_INSERT_ID()"));
        ir->next();
        out = filed;
        out.id = ir->getInt64(1);
        out.state = AppealState::kOpen;
        std::string after = AppealJson(out);
        AppendChange(c, *sheet, actor, "appeal.file", "", after);
        AuditEntry entry{actor, "appraisal.appeal", AppealTarget(out), "", after};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        return seq.status();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<StoredAppeal> MysqlAppraisalStore::ResolveAppeal(
    int64_t id, const AuditActor& actor,
    const std::function<absl::Status(StoredAppeal&, StoredSheet&)>& decide) {
  StoredAppeal out;
  absl::Status status =
      RunInTransaction(*pool_, [&](sql::Connection& c) -> absl::Status {
        // Sheet before appeal, the order FileAppeal locks in: find the
        // sheet, lock it, then lock the appeal.
        unique_ptr<sql::PreparedStatement> find(c.prepareStatement(
            "SELECT employee_no, period FROM appraisal_appeal WHERE id = ?"));
        find->setInt64(1, id);
        unique_ptr<sql::ResultSet> fr(find->executeQuery());
        if (!fr->next()) return absl::NotFoundError(absl::StrCat("no appeal ", id));
        std::string no = Str(*fr, 1);
        domain::Period period = domain::Period::Parse(Str(*fr, 2)).value_or(domain::Period());
        std::optional<StoredSheet> sheet = LoadSheet(c, no, period, true);
        if (!sheet) return absl::InternalError("appeal without its sheet");
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            absl::StrCat(kAppealColumns, " WHERE id = ? FOR UPDATE")));
        st->setInt64(1, id);
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        if (!rs->next()) return absl::NotFoundError(absl::StrCat("no appeal ", id));
        StoredAppeal before = ReadAppeal(*rs);
        StoredAppeal after = before;
        StoredSheet sheet_after = *sheet;
        if (absl::Status s = decide(after, sheet_after); !s.ok()) return s;
        after.id = before.id;
        after.employee_no = before.employee_no;
        after.period = before.period;
        sheet_after.employee_no = sheet->employee_no;
        sheet_after.period = sheet->period;
        sheet_after.open_appeals = sheet->open_appeals;
        out = after;
        if (after == before && sheet_after == *sheet) return absl::OkStatus();
        unique_ptr<sql::PreparedStatement> up(c.prepareStatement(
            "UPDATE appraisal_appeal SET state = ?, resolution = ?, new_score = ?,"
            " resolved_at = ?, resolved_by = ? WHERE id = ?"));
        up->setString(1, std::string(AppealStateName(after.state)));
        up->setString(2, after.resolution);
        SetOptDouble(*up, 3, after.new_score);
        up->setInt64(4, after.resolved_at);
        up->setString(5, after.resolved_by);
        up->setInt64(6, id);
        up->executeUpdate();
        std::string before_json = AppealJson(before);
        std::string after_json = AppealJson(after);
        if (!(sheet_after == *sheet)) {
          WriteSheetRow(c, sheet_after, false);
          ReplaceLines(c, sheet_after);
          AppendChange(c, sheet_after, actor, "appeal.resolve", SheetJson(*sheet),
                       SheetJson(sheet_after));
        }
        AppendChange(c, sheet_after, actor, "appeal.resolve", before_json, after_json);
        AuditEntry entry{actor, "appraisal.appeal", AppealTarget(after), before_json,
                         after_json};
        absl::StatusOr<int64_t> seq = audit_->AppendInTransaction(c, entry);
        return seq.status();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<StoredAppeal>> MysqlAppraisalStore::ListAppeals(
    const AppealFilter& filter) {
  return WithConnection(
      *pool_, "list appeals",
      [&](sql::Connection& c) -> absl::StatusOr<std::vector<StoredAppeal>> {
        std::string where = " WHERE 1 = 1";
        std::vector<std::string> args;
        if (filter.period) {
          where += " AND period = ?";
          args.push_back(filter.period->ToString());
        }
        if (filter.state) {
          where += " AND state = ?";
          args.push_back(std::string(AppealStateName(*filter.state)));
        }
        if (!filter.employee_no.empty()) {
          where += " AND employee_no = ?";
          args.push_back(filter.employee_no);
        }
        if (!filter.department_code.empty()) {
          where +=
              " AND employee_no IN (SELECT employee_no FROM employee WHERE"
              " department_code = ?)";
          args.push_back(filter.department_code);
        }
        unique_ptr<sql::PreparedStatement> st(c.prepareStatement(
            absl::StrCat(kAppealColumns, where, " ORDER BY id")));
        for (size_t i = 0; i < args.size(); ++i) {
          st->setString(static_cast<unsigned>(i + 1), args[i]);
        }
        unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<StoredAppeal> out;
        while (rs->next()) out.push_back(ReadAppeal(*rs));
        return out;
      });
}

}  // namespace mysql
}  // namespace survey::store
