#include "adversary/adversary.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "crypto/token.h"

namespace survey::testing::adversary {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}
std::string_view Strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// ------------------------------------------------------------ dump parser

class Cursor {
 public:
  Cursor(std::string_view text, size_t pos) : text_(text), pos_(pos) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void SkipSpace() {
    while (!done() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Eat(std::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  // `name` after the opening backtick was eaten.
  absl::StatusOr<std::string> Identifier() {
    if (!Eat("`")) return Error("identifier expected");
    std::string out;
    while (!done()) {
      char c = text_[pos_++];
      if (c == '`') {
        if (peek() == '`') {
          out.push_back('`');
          ++pos_;
          continue;
        }
        return out;
      }
      out.push_back(c);
    }
    return Error("unterminated identifier");
  }
  absl::StatusOr<std::string> QuotedString() {
    if (!Eat("'")) return Error("string expected");
    std::string out;
    while (!done()) {
      char c = text_[pos_++];
      if (c == '\\' && !done()) {
        char e = text_[pos_++];
        switch (e) {
          case '0': out.push_back('\0'); break;
          case 'b': out.push_back('\b'); break;
          case 'n': out.push_back('\n'); break;
          case 'r': out.push_back('\r'); break;
          case 't': out.push_back('\t'); break;
          case 'Z': out.push_back('\x1a'); break;
          default: out.push_back(e);
        }
      } else if (c == '\'') {
        if (peek() == '\'') {
          out.push_back('\'');
          ++pos_;
          continue;
        }
        return out;
      } else {
        out.push_back(c);
      }
    }
    return Error("unterminated string");
  }
  absl::StatusOr<std::optional<std::string>> Value() {
    SkipSpace();
    if (peek() == '\'') {
      absl::StatusOr<std::string> s = QuotedString();
      if (!s.ok()) return s.status();
      return std::optional<std::string>(*s);
    }
    if (Eat("_binary")) {
      absl::StatusOr<std::string> s = QuotedString();
      if (!s.ok()) return s.status();
      return std::optional<std::string>(Hex(*s));
    }
    if (Eat("X'") || Eat("x'")) {
      size_t end = text_.find('\'', pos_);
      if (end == std::string_view::npos) return Error("unterminated X''");
      std::string hex = Lower(text_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return std::optional<std::string>(hex);
    }
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      pos_ += 2;
      size_t start = pos_;
      while (!done() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      return std::optional<std::string>(Lower(text_.substr(start, pos_ - start)));
    }
    if (Eat("NULL")) return std::optional<std::string>();
    size_t start = pos_;
    while (!done() && text_[pos_] != ',' && text_[pos_] != ')') ++pos_;
    std::string raw(Strip(text_.substr(start, pos_ - start)));
    if (raw.empty()) return Error("value expected");
    return std::optional<std::string>(raw);
  }
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "dump offset ", pos_, ": ", std::string(what), " near \"",
        std::string(text_.substr(pos_, 40)), "\""));
  }

 private:
  std::string_view text_;
  size_t pos_;
};

DumpTable& TableNamed(Dump& dump, const std::string& name) {
  for (DumpTable& t : dump.tables) {
    if (t.name == name) return t;
  }
  dump.tables.push_back(DumpTable{});
  dump.tables.back().name = name;
  return dump.tables.back();
}

// Parses one INSERT statement starting at `pos`; returns the position after
// its ';'.
absl::StatusOr<size_t> ParseInsert(std::string_view sql, size_t pos, Dump& dump) {
  Cursor c(sql, pos);
  if (!c.Eat("INSERT")) return c.Error("INSERT expected");
  (void)c.Eat("IGNORE");
  if (!c.Eat("INTO")) return c.Error("INTO expected");
  absl::StatusOr<std::string> name = c.Identifier();
  if (!name.ok()) return name.status();
  DumpTable& table = TableNamed(dump, *name);
  std::vector<int> target;  // value i -> column index
  if (c.Eat("(")) {
    while (true) {
      absl::StatusOr<std::string> col = c.Identifier();
      if (!col.ok()) return col.status();
      int index = table.Column(*col);
      if (index < 0) {
        table.columns.push_back(*col);
        index = static_cast<int>(table.columns.size()) - 1;
      }
      target.push_back(index);
      if (c.Eat(")")) break;
      if (!c.Eat(",")) return c.Error("',' or ')' expected in column list");
    }
  }
  if (!c.Eat("VALUES")) return c.Error("VALUES expected");
  while (true) {
    if (!c.Eat("(")) return c.Error("'(' expected");
    std::vector<std::optional<std::string>> values;
    while (true) {
      absl::StatusOr<std::optional<std::string>> v = c.Value();
      if (!v.ok()) return v.status();
      values.push_back(std::move(*v));
      if (c.Eat(")")) break;
      if (!c.Eat(",")) return c.Error("',' or ')' expected in row");
    }
    if (!target.empty()) {
      if (target.size() != values.size()) return c.Error("row width differs from column list");
      std::vector<std::optional<std::string>> ordered(table.columns.size());
      for (size_t i = 0; i < values.size(); ++i) ordered[target[i]] = std::move(values[i]);
      values = std::move(ordered);
    }
    table.rows.push_back(std::move(values));
    if (c.Eat(";")) return c.pos();
    if (!c.Eat(",")) return c.Error("',' or ';' expected after a row");
  }
}

// --------------------------------------------------------- needle matching

struct Needle {
  std::string text;  // lower case
  std::string kind;  // "respondent token", ...
  std::string owner;  // whose (for messages)
  std::set<std::string> allowed;  // "table.column" or "table.*"
};

class Matcher {
 public:
  explicit Matcher(const std::vector<Needle>& needles) : needles_(needles) {
    for (size_t i = 0; i < needles_.size(); ++i) {
      if (needles_[i].text.empty()) continue;
      by_length_[needles_[i].text.size()][std::string_view(needles_[i].text)].push_back(i);
    }
  }
  // Indices of the needles that occur in `haystack` (lower case).
  std::set<size_t> Find(std::string_view haystack) const {
    std::set<size_t> out;
    for (const auto& [length, table] : by_length_) {
      if (length > haystack.size()) continue;
      for (size_t i = 0; i + length <= haystack.size(); ++i) {
        auto it = table.find(haystack.substr(i, length));
        if (it != table.end()) out.insert(it->second.begin(), it->second.end());
      }
    }
    return out;
  }

 private:
  const std::vector<Needle>& needles_;
  std::map<size_t, std::unordered_map<std::string_view, std::vector<size_t>>> by_length_;
};

bool Allowed(const Needle& n, const std::string& table, const std::string& column) {
  return n.allowed.count(absl::StrCat(table, ".", column)) > 0 ||
         n.allowed.count(absl::StrCat(table, ".*")) > 0;
}

// ------------------------------------------------------------- the schema

// Why a column name or definition suggests a link (empty: it does not).
std::string LinkingName(const std::string& column) {
  const std::string c = Lower(column);
  static const std::set<std::string> kParts = {
      "ip", "ts", "at", "seq", "uuid", "ua", "addr", "host", "peer", "by",
      "user", "token", "order", "rank", "serial", "nonce", "counter", "no", "idx"};
  for (absl::string_view part : absl::StrSplit(c, '_')) {
    if (kParts.count(std::string(part))) {
      return absl::StrCat("name part \"", std::string(part),
                          "\" suggests time, sequence or identity");
    }
  }
  for (const char* word : {"time", "date", "created", "updated", "inserted", "submitted",
                           "received", "modified", "token", "invit", "agent", "sequence",
                           "address", "respondent", "recipient", "employee", "session",
                           "device", "client", "ordinal", "hmac", "epoch", "clock"}) {
    if (Contains(c, word)) {
      return absl::StrCat("name contains \"", word, "\" (time, sequence or identity)");
    }
  }
  return "";
}

std::string LinkingType(const std::string& definition) {
  const std::string d = Lower(definition);
  for (const char* word : {"timestamp", "datetime", "auto_increment", "current_timestamp",
                           "uuid", "on update", "now()", "sysdate", "unix_timestamp"}) {
    if (Contains(d, word)) return absl::StrCat("definition has ", word);
  }
  for (const char* type : {"date", "time", "year"}) {
    if (StartsWith(d, type)) return absl::StrCat("type ", type);
  }
  return "";
}

bool AnswerOrInvitationTable(const std::string& name) {
  for (const char* prefix : {"response", "aggregate", "answer", "submission", "invitation",
                             "reply"}) {
    if (StartsWith(name, prefix)) return true;
  }
  return ReviewedColumns().count(name) > 0;
}

// The columns that legitimately tie an answer to its report cell.
const std::set<std::string>& CellColumns() {
  static const std::set<std::string> kCell = {"campaign_id", "subject_kind", "subject_code",
                                              "group_code", "period"};
  return kCell;
}

}  // namespace

int DumpTable::Column(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return static_cast<int>(i);
  }
  return -1;
}

const DumpTable* Dump::Find(std::string_view name) const {
  for (const DumpTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

absl::StatusOr<Dump> ParseDump(std::string_view sql) {
  Dump dump;
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(pos, end - pos);
    if (StartsWith(line, "CREATE TABLE `")) {
      Cursor c(sql, pos + std::string_view("CREATE TABLE ").size());
      absl::StatusOr<std::string> name = c.Identifier();
      if (!name.ok()) return name.status();
      DumpTable& table = TableNamed(dump, *name);
      table.columns.clear();
      table.definition.clear();
      table.other_lines.clear();
      pos = end + 1;
      while (pos < sql.size()) {
        end = sql.find('\n', pos);
        if (end == std::string_view::npos) end = sql.size();
        std::string_view body = Strip(sql.substr(pos, end - pos));
        pos = end + 1;
        if (StartsWith(body, ")")) {
          table.other_lines.emplace_back(body);
          break;
        }
        if (StartsWith(body, "`")) {
          Cursor col(body, 0);
          absl::StatusOr<std::string> column = col.Identifier();
          if (!column.ok()) return column.status();
          std::string def(Strip(body.substr(col.pos())));
          if (EndsWith(def, ",")) def.pop_back();
          table.columns.push_back(*column);
          table.definition[*column] = def;
        } else {
          table.other_lines.emplace_back(body);
        }
      }
      continue;
    }
    if (StartsWith(line, "INSERT INTO `") || StartsWith(line, "INSERT IGNORE INTO `")) {
      absl::StatusOr<size_t> next = ParseInsert(sql, pos, dump);
      if (!next.ok()) return next.status();
      pos = *next;
      continue;
    }
    pos = end + 1;
  }
  return dump;
}

const std::map<std::string, std::vector<std::string>>& ReviewedColumns() {
  // The review: a column is added here only after arguing that it cannot
  // tie an answer to a respondent or to the time it arrived.
  static const auto* kReviewed = new std::map<std::string, std::vector<std::string>>{
      {"response", {"id", "campaign_id", "subject_kind", "subject_code", "group_code",
                    "period", "scores", "reasons", "comment"}},
      {"aggregate", {"campaign_id", "subject_kind", "subject_code", "period", "group_code",
                     "n", "total_sum", "total_sum_sq"}},
      {"aggregate_sub", {"campaign_id", "subject_kind", "subject_code", "period",
                         "group_code", "sub_index", "sum", "sum_sq", "h1", "h2", "h3", "h4",
                         "h5", "h6", "h7", "h8", "h9", "h10"}},
      {"invitation", {"token_hmac", "campaign_id", "subject_kind", "subject_code",
                      "group_code", "expires_at", "state"}},
      {"invitation_tally", {"campaign_id", "subject_kind", "subject_code", "group_code",
                            "issued", "revoked"}},
  };
  return *kReviewed;
}

Report Attack(const Input& in) {
  Report report;
  const Dump& dump = in.dump;

  // ---- 1. the schema: reviewed columns, linking names and types.
  for (const auto& [table, reviewed] : ReviewedColumns()) {
    const DumpTable* t = dump.Find(table);
    if (t == nullptr) {
      report.links.push_back(absl::StrCat(
          "table ", table, " is missing from the dump: renamed? review its replacement"));
      continue;
    }
    std::set<std::string> want(reviewed.begin(), reviewed.end());
    std::set<std::string> have(t->columns.begin(), t->columns.end());
    for (const std::string& c : have) {
      if (want.count(c)) continue;
      std::string why = LinkingName(c);
      std::string type = LinkingType(t->definition.count(c) ? t->definition.at(c) : "");
      report.links.push_back(absl::StrCat(
          table, ".", c, ": column not in the reviewed list",
          why.empty() ? "" : absl::StrCat("; ", why), type.empty() ? "" : absl::StrCat("; ", type),
          " (", t->definition.count(c) ? t->definition.at(c) : "?", ")"));
    }
    for (const std::string& c : want) {
      if (!have.count(c)) {
        report.links.push_back(absl::StrCat(table, ".", c,
                                            ": reviewed column gone; update the review"));
      }
    }
  }
  for (const DumpTable& t : dump.tables) {
    const bool answers = AnswerOrInvitationTable(t.name);
    if (answers && !ReviewedColumns().count(t.name)) {
      report.links.push_back(absl::StrCat(
          "table ", t.name, ": new table next to the answers/invitations, not reviewed (columns ",
          absl::StrJoin(t.columns, ", "), ")"));
    }
    if (!answers) {
      report.notes.push_back(absl::StrCat("table ", t.name, " (", t.rows.size(), " rows)"));
      continue;
    }
    for (const std::string& c : t.columns) {
      std::string type = LinkingType(t.definition.count(c) ? t.definition.at(c) : "");
      if (!type.empty()) {
        report.links.push_back(absl::StrCat(t.name, ".", c, ": ", type, " (",
                                            t.definition.at(c), ")"));
      }
    }
    for (const std::string& line : t.other_lines) {
      if (Contains(Lower(line), "auto_increment")) {
        report.links.push_back(absl::StrCat("table ", t.name, ": AUTO_INCREMENT (", line, ")"));
      }
    }
  }

  // ---- 2. the response rows.
  const DumpTable* response = dump.Find("response");
  int id_col = -1, scores_col = -1;
  std::vector<int> cell_cols;
  if (response != nullptr) {
    id_col = response->Column("id");
    scores_col = response->Column("scores");
    for (const char* c : {"campaign_id", "subject_kind", "subject_code", "group_code"}) {
      cell_cols.push_back(response->Column(c));
    }
    for (const auto& row : response->rows) {
      auto get = [&](int col) -> std::string {
        return col >= 0 && col < static_cast<int>(row.size()) && row[col] ? *row[col] : "";
      };
      report.row_id.push_back(Lower(get(id_col)));
      report.row_scores.push_back(get(scores_col));
      std::vector<std::string> cell;
      for (int c : cell_cols) cell.push_back(get(c));
      report.row_cell.push_back(absl::StrJoin(cell, "|"));
    }
  }

  if (!report.row_cell.empty()) {
    std::map<std::string, int> per_cell;
    for (const std::string& c : report.row_cell) ++per_cell[c];
    int smallest = report.row_cell.size();
    for (const auto& [c, k] : per_cell) smallest = std::min(smallest, k);
    report.notes.push_back(absl::StrCat(
        "joining response to invitation/employee on the cell columns narrows each of ",
        report.row_cell.size(), " answers to its cell: ", per_cell.size(),
        " cells, the smallest with ", smallest, " answers (the k-anonymity baseline)"));
  }

  // ---- 3. needles: every identifier of a respondent, and every rare value
  // of a non-cell response column, searched in every value of the dump.
  std::vector<Needle> needles;
  const std::set<std::string> kOrgTables = {"department.*", "employee.*", "staff_account.*",
                                            "audit_log.*"};
  for (const Respondent& r : in.respondents) {
    needles.push_back({Lower(r.token), "respondent token", r.employee_no, {}});
    needles.push_back(
        {Lower(crypto::FormatTokenForPrint(r.token)), "respondent token (printed)", r.employee_no, {}});
    if (absl::StatusOr<std::string> raw = crypto::Base32Decode(r.token); raw.ok()) {
      needles.push_back({Hex(*raw), "respondent token bytes", r.employee_no, {}});
    }
    needles.push_back({Lower(r.employee_no), "respondent employee number", r.employee_no, kOrgTables});
  }
  for (const std::string& h : in.token_hmacs_hex) {
    needles.push_back({Lower(h), "token HMAC (evaluator check)", "", {"invitation.token_hmac"}});
  }
  if (response != nullptr) {
    for (size_t c = 0; c < response->columns.size(); ++c) {
      const std::string& column = response->columns[c];
      if (CellColumns().count(column)) continue;
      std::map<std::string, int> count;
      for (const auto& row : response->rows) {
        if (c < row.size() && row[c]) ++count[Lower(*row[c])];
      }
      for (const auto& [value, n] : count) {
        // Rare and long enough to identify a row; common values ("[]",
        // "") identify nothing.
        if (n <= 2 && value.size() >= 8) {
          needles.push_back({value, absl::StrCat("value of response.", column), "",
                             {absl::StrCat("response.", column)}});
        }
      }
    }
  }
  Matcher matcher(needles);
  // (table.column, kind) -> rows
  std::map<std::pair<std::string, std::string>, std::set<std::string>> hits;
  std::map<std::string, std::set<std::string>> allowed_hits;
  for (const DumpTable& t : dump.tables) {
    for (const auto& row : t.rows) {
      for (size_t c = 0; c < row.size() && c < t.columns.size(); ++c) {
        if (!row[c]) continue;
        for (size_t i : matcher.Find(Lower(*row[c]))) {
          const Needle& n = needles[i];
          if (Allowed(n, t.name, t.columns[c])) {
            allowed_hits[absl::StrCat(t.name, ".", t.columns[c], " <- ", n.kind)].insert(n.text);
            continue;
          }
          hits[{absl::StrCat(t.name, ".", t.columns[c]), n.kind}].insert(
              n.owner.empty() ? n.text.substr(0, 16) : n.owner);
        }
      }
    }
  }
  for (const auto& [where, which] : allowed_hits) {
    report.found_where_allowed[where] = static_cast<int>(which.size());
  }
  for (const auto& [where, who] : hits) {
    report.links.push_back(absl::StrCat(
        where.first, " holds ", where.second, " (", who.size(), " distinct, e.g. ",
        *who.begin(), "): joins answers or invitations to respondents"));
  }

  // ---- 4. the logs.
  {
    std::vector<Needle> log_needles = needles;
    for (Needle& n : log_needles) n.allowed.clear();  // nothing belongs in a log
    for (const std::string& id : report.row_id) {
      if (!id.empty()) log_needles.push_back({id, "response id", "", {}});
    }
    Matcher log_matcher(log_needles);
    std::map<std::string, std::set<std::string>> log_hits;
    const std::string logs = Lower(in.logs);
    for (absl::string_view piece : absl::StrSplit(logs, '\n')) {
      std::string_view line(piece.data(), piece.size());
      for (size_t i : log_matcher.Find(line)) {
        const Needle& n = log_needles[i];
        // The respondent's employee number is also a staff record; only
        // flag it in a log line, where it never belongs either.
        log_hits[n.kind].insert(std::string(line.substr(0, 160)));
      }
    }
    for (const auto& [kind, lines] : log_hits) {
      report.links.push_back(absl::StrCat("server log contains ", kind, " (", lines.size(),
                                          " lines, e.g. \"", *lines.begin(), "\")"));
    }
    // Peer addresses: any loopback address with a port other than the
    // server's own endpoints, and any bare loopback host.
    std::set<std::string> own;
    for (const std::string& a : in.own_addresses) own.insert(Lower(a));
    std::set<std::string> peers;
    for (const char* host : {"127.0.0.1", "[::1]", "%5b::1%5d", "::ffff:127.0.0.1", "localhost"}) {
      for (size_t at = logs.find(host); at != std::string::npos;
           at = logs.find(host, at + 1)) {
        size_t end = at + std::string_view(host).size();
        if (end < logs.size() && logs[end] == ':') {
          ++end;
          while (end < logs.size() && std::isdigit(static_cast<unsigned char>(logs[end]))) ++end;
        }
        std::string address = logs.substr(at, end - at);
        if (own.count(address)) continue;
        size_t line_start = logs.rfind('\n', at);
        line_start = line_start == std::string::npos ? 0 : line_start + 1;
        size_t line_end = logs.find('\n', at);
        if (line_end == std::string::npos) line_end = logs.size();
        peers.insert(absl::StrCat(address, " in \"",
                                  logs.substr(line_start, std::min<size_t>(160, line_end - line_start)),
                                  "\""));
      }
    }
    if (!peers.empty()) {
      report.links.push_back(absl::StrCat("server log contains peer addresses (", peers.size(),
                                          ", e.g. \"", *peers.begin(), "\")"));
    }
  }

  // ---- 5. orderings of the response rows.
  if (response != nullptr && !response->rows.empty()) {
    const size_t n = response->rows.size();
    Ordering dump_order{"mariadb-dump row order (its SELECT has no ORDER BY)", {}};
    for (size_t i = 0; i < n; ++i) dump_order.key.push_back(static_cast<double>(i));
    report.orderings.push_back(std::move(dump_order));
    for (size_t c = 0; c < response->columns.size(); ++c) {
      std::vector<std::string> values;
      bool numeric = true;
      for (const auto& row : response->rows) {
        values.push_back(c < row.size() && row[c] ? *row[c] : "");
        double unused;
        if (!absl::SimpleAtod(values.back(), &unused)) numeric = false;
      }
      std::vector<size_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        if (numeric) {
          double x = 0, y = 0;
          (void)absl::SimpleAtod(values[a], &x);
          (void)absl::SimpleAtod(values[b], &y);
          return x < y;
        }
        return values[a] < values[b];
      });
      // Ties keep the same key (so they carry no order).
      Ordering o{absl::StrCat("ORDER BY response.", response->columns[c],
                              response->columns[c] == "id" ? " (primary key)" : ""),
                 std::vector<double>(n)};
      double rank = 0;
      for (size_t k = 0; k < n; ++k) {
        if (k > 0 && values[idx[k]] != values[idx[k - 1]]) rank = static_cast<double>(k);
        o.key[idx[k]] = rank;
      }
      report.orderings.push_back(std::move(o));
    }
    std::unordered_map<std::string, size_t> row_of_id;
    for (size_t i = 0; i < n; ++i) row_of_id[report.row_id[i]] = i;
    for (const auto& [name, ids] : in.live_orders) {
      Ordering o{absl::StrCat("live: ", name), std::vector<double>(n, -1)};
      size_t found = 0;
      for (size_t k = 0; k < ids.size(); ++k) {
        auto it = row_of_id.find(Lower(ids[k]));
        if (it == row_of_id.end()) continue;
        o.key[it->second] = static_cast<double>(k);
        ++found;
      }
      if (found != n) {
        report.notes.push_back(absl::StrCat(o.name, ": ", found, " of ", n, " rows matched"));
        for (double& k : o.key) {
          if (k < 0) k = static_cast<double>(ids.size());
        }
      }
      report.orderings.push_back(std::move(o));
    }
  }
  return report;
}

// ------------------------------------------------------------ InnoDB files

std::vector<Ordering> InnodbFileOrderings(std::string_view ibd, size_t page_size,
                                          const std::vector<std::string>& row_ids) {
  // Compact/dynamic row format (storage/innobase/include/page0page.h,
  // rem0rec.h): FIL header 38 bytes, page type at 24 (17855 = index page),
  // PAGE_LEVEL at 38 + 26; infimum origin at 99, supremum at 112; each
  // record's 5 header bytes end at its origin: heap_no (13 bits) << 3 at
  // origin - 4, the next record's relative offset at origin - 2. Leaf
  // records of the clustered index: primary key, DB_TRX_ID (6), ...
  std::unordered_map<std::string, size_t> row_of;
  for (size_t i = 0; i < row_ids.size(); ++i) row_of[Lower(row_ids[i])] = i;
  Ordering trx{"datadir: hidden DB_TRX_ID of each row", std::vector<double>(row_ids.size(), -1)};
  Ordering heap{"datadir: (page, heap_no) of each row", std::vector<double>(row_ids.size(), -1)};
  auto u16 = [](const unsigned char* p) { return static_cast<unsigned>(p[0] << 8 | p[1]); };
  for (size_t page = 0; (page + 1) * page_size <= ibd.size(); ++page) {
    const auto* pg = reinterpret_cast<const unsigned char*>(ibd.data() + page * page_size);
    if (u16(pg + 24) != 17855 || u16(pg + 38 + 26) != 0) continue;
    size_t origin = 99;
    for (size_t steps = 0; steps < page_size; ++steps) {
      int16_t next = static_cast<int16_t>(u16(pg + origin - 2));
      if (next == 0) break;
      origin = (origin + next) % page_size;
      if (origin == 112 || origin < 5 || origin + 22 > page_size) break;
      auto it = row_of.find(Hex(std::string_view(reinterpret_cast<const char*>(pg + origin), 16)));
      if (it == row_of.end()) continue;
      uint64_t id = 0;
      for (int b = 0; b < 6; ++b) id = id << 8 | pg[origin + 16 + b];
      trx.key[it->second] = static_cast<double>(id);
      heap.key[it->second] = static_cast<double>(page) * 65536 + (u16(pg + origin - 4) >> 3);
    }
  }
  return {trx, heap};
}

// -------------------------------------------------------------- statistics

std::vector<double> Ranks(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && values[idx[j + 1]] == values[idx[i]]) ++j;
    double mean = (static_cast<double>(i) + static_cast<double>(j)) / 2;
    for (size_t k = i; k <= j; ++k) ranks[idx[k]] = mean;
    i = j + 1;
  }
  return ranks;
}

namespace {

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  if (a.size() < 2) return 0;
  double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa == 0 || sbb == 0) return 0;  // a constant key orders nothing
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

double Spearman(const std::vector<double>& a, const std::vector<double>& b) {
  return Pearson(Ranks(a), Ranks(b));
}

Evaluation Evaluate(const std::vector<Ordering>& orderings, const std::vector<int>& cell,
                    const std::vector<int>& truth, int permutations, uint64_t seed) {
  Evaluation e;
  e.permutations = permutations;
  const size_t n = truth.size();
  // Truth: global rank and rank within the cell, per row.
  std::vector<double> truth_values(truth.begin(), truth.end());
  std::vector<double> tr = Ranks(truth_values);
  std::map<int, std::vector<size_t>> members;
  for (size_t i = 0; i < n; ++i) members[cell[i]].push_back(i);
  std::vector<int> within_truth(n), cell_size(n);
  for (auto& [c, rows] : members) {
    std::vector<size_t> sorted = rows;
    std::sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) { return truth[a] < truth[b]; });
    for (size_t k = 0; k < sorted.size(); ++k) {
      within_truth[sorted[k]] = static_cast<int>(k);
      cell_size[sorted[k]] = static_cast<int>(sorted.size());
    }
    e.expected_hits += 1;  // one fixed point per cell on average
  }
  // Per ordering: centred ranks (for rho) and the rank within the cell.
  struct Prepared {
    std::vector<double> centred;
    double norm = 0;
    std::vector<int> within;
  };
  std::vector<Prepared> prepared;
  for (const Ordering& o : orderings) {
    Prepared p;
    std::vector<double> r = Ranks(o.key);
    double mean = std::accumulate(r.begin(), r.end(), 0.0) / static_cast<double>(n);
    for (double& x : r) x -= mean;
    double ss = 0;
    for (double x : r) ss += x * x;
    p.centred = r;
    p.norm = ss;
    p.within.assign(n, 0);
    for (auto& [c, rows] : members) {
      std::vector<size_t> sorted = rows;
      // Ties: dump order (the adversary has nothing better).
      std::stable_sort(sorted.begin(), sorted.end(),
                       [&](size_t a, size_t b) { return o.key[a] < o.key[b]; });
      for (size_t k = 0; k < sorted.size(); ++k) p.within[sorted[k]] = static_cast<int>(k);
    }
    prepared.push_back(std::move(p));
  }
  double tr_mean = std::accumulate(tr.begin(), tr.end(), 0.0) / static_cast<double>(n);
  double tr_ss = 0;
  for (double x : tr) tr_ss += (x - tr_mean) * (x - tr_mean);

  const size_t stats = orderings.size() * 2;
  std::vector<std::vector<double>> S(static_cast<size_t>(permutations) + 1,
                                     std::vector<double>(stats));
  std::vector<double> rho_observed(orderings.size());
  std::vector<int> hits_observed(orderings.size());
  std::mt19937_64 rng(seed);
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (int b = 0; b <= permutations; ++b) {
    if (b > 0) {
      // Shuffle which row carries which truth, within each cell.
      for (auto& [c, rows] : members) {
        std::vector<size_t> targets = rows;
        std::shuffle(targets.begin(), targets.end(), rng);
        for (size_t k = 0; k < rows.size(); ++k) perm[rows[k]] = targets[k];
      }
    }
    for (size_t j = 0; j < orderings.size(); ++j) {
      const Prepared& p = prepared[j];
      double sab = 0;
      int fwd = 0, bwd = 0;
      for (size_t i = 0; i < n; ++i) {
        size_t t = perm[i];
        sab += p.centred[i] * (tr[t] - tr_mean);
        if (p.within[i] == within_truth[t]) ++fwd;
        if (p.within[i] == cell_size[t] - 1 - within_truth[t]) ++bwd;
      }
      double rho = p.norm == 0 || tr_ss == 0 ? 0 : sab / std::sqrt(p.norm * tr_ss);
      S[b][2 * j] = std::abs(rho);
      S[b][2 * j + 1] = std::max(fwd, bwd);
      if (b == 0) {
        rho_observed[j] = rho;
        hits_observed[j] = std::max(fwd, bwd);
      }
    }
  }
  // p-values of every row of S within its column; then min-p per row.
  const double total = permutations + 1.0;
  std::vector<double> min_p(S.size(), 1.0);
  std::vector<double> p_observed(stats, 1.0);
  for (size_t j = 0; j < stats; ++j) {
    std::vector<double> column(S.size());
    for (size_t b = 0; b < S.size(); ++b) column[b] = S[b][j];
    std::vector<double> sorted = column;
    std::sort(sorted.begin(), sorted.end());
    for (size_t b = 0; b < S.size(); ++b) {
      // #{b': S[b'][j] >= S[b][j]} (with a little slack for rounding).
      auto it = std::lower_bound(sorted.begin(), sorted.end(), column[b] - 1e-12);
      double p = static_cast<double>(sorted.end() - it) / total;
      min_p[b] = std::min(min_p[b], p);
      if (b == 0) p_observed[j] = p;
    }
  }
  int as_extreme = 0;
  for (double p : min_p) {
    if (p <= min_p[0] + 1e-15) ++as_extreme;
  }
  e.family_p = as_extreme / total;
  double best = 2;
  for (size_t j = 0; j < orderings.size(); ++j) {
    OrderingResult r;
    r.name = orderings[j].name;
    r.rho = rho_observed[j];
    r.p_rho = p_observed[2 * j];
    r.hits = hits_observed[j];
    r.p_hits = p_observed[2 * j + 1];
    if (r.p_rho < best) {
      best = r.p_rho;
      e.best = absl::StrCat(r.name, " (rank correlation)");
    }
    if (r.p_hits < best) {
      best = r.p_hits;
      e.best = absl::StrCat(r.name, " (respondents named)");
    }
    e.results.push_back(std::move(r));
  }
  return e;
}

std::string Describe(const Evaluation& e) {
  std::string out = absl::StrFormat(
      "family p = %.4f over %d within-cell permutations (best attack: %s); chance names "
      "about %.0f respondents per direction\n",
      e.family_p, e.permutations, e.best, e.expected_hits);
  for (const OrderingResult& r : e.results) {
    absl::StrAppendFormat(&out, "  %-62s rho=%+.3f p=%.3f  named=%3d p=%.3f\n", r.name, r.rho,
                          r.p_rho, r.hits, r.p_hits);
  }
  return out;
}

}  // namespace survey::testing::adversary
