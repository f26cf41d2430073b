// The anonymity adversary of tests/integration/adversary_test.cc.
//
// It is given what an insider could plausibly obtain: a full mariadb-dump of
// the database, the server's logs, the list of (respondent, token, cell,
// submission order) that HR distributed and watched, and the orders in which
// the live database returns the response rows. It does NOT get the token
// pepper. It tries to tie stored answers to respondents:
//   - every value of every column of every table is searched for the tokens,
//     their raw bytes, the respondents' employee numbers and (evaluator-only
//     check) the tokens' peppered HMACs outside invitation.token_hmac;
//   - every non-cell column of `response` is joined against every column of
//     every other table;
//   - the schema of the answer and invitation tables is compared with the
//     reviewed column lists, and linking column names/types are reported;
//   - the logs are searched for tokens, HMACs, employee numbers, response ids,
//     answer contents and peer addresses;
//   - orderings of the response rows (dump order, primary key, physical and
//     index order from the live database, every column's value order) are
//     handed to Evaluate(), which scores them against the true submission
//     order with a within-cell permutation test (Westfall-Young min-p over
//     all orderings and both statistics).
// Pure C++, no database or gRPC: unit-testable with planted leaks.
#ifndef SURVEY_TESTS_ADVERSARY_ADVERSARY_H_
#define SURVEY_TESTS_ADVERSARY_ADVERSARY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace survey::testing::adversary {

// ------------------------------------------------------------------ dump

struct DumpTable {
  std::string name;
  std::vector<std::string> columns;              // CREATE TABLE order
  std::map<std::string, std::string> definition;  // column -> "binary(16) NOT NULL"
  std::vector<std::string> other_lines;          // keys, constraints, options
  // Rows in dump order; binary values (0x... / _binary '...') as lower-case
  // hex, NULL as std::nullopt, everything else as the unescaped text.
  std::vector<std::vector<std::optional<std::string>>> rows;

  int Column(std::string_view column) const;  // index or -1
};

struct Dump {
  std::vector<DumpTable> tables;
  const DumpTable* Find(std::string_view name) const;
};

// Parses mariadb-dump output (CREATE TABLE and INSERT statements, extended
// or not, with or without a column list, --hex-blob or not).
absl::StatusOr<Dump> ParseDump(std::string_view sql);

// ------------------------------------------------------------- adversary

struct Respondent {
  std::string employee_no;
  std::string token;       // plaintext, as handed out
  std::string campaign_id;
  std::string subject_code;  // rated department (cross) or employee
  std::string group_code;    // evaluating department ('' for customers)
  int order = 0;             // position in the recorded submission order
};

struct Input {
  Dump dump;
  std::string logs;
  std::vector<Respondent> respondents;
  // Orders in which the live database returned the response rows, as
  // response ids in hex (e.g. "SELECT HEX(id) FROM response").
  std::vector<std::pair<std::string, std::vector<std::string>>> live_orders;
  // The server's own endpoints ("127.0.0.1:50051", the database's): these
  // may appear in logs; any other loopback address is a peer's.
  std::vector<std::string> own_addresses;
  // Evaluator-only (the adversary has no pepper): hex HMAC-SHA256(pepper,
  // token) of every token, to prove no copy exists outside
  // invitation.token_hmac and the logs.
  std::vector<std::string> token_hmacs_hex;
};

// One way of ordering the response rows: key[i] for row i (dump order).
struct Ordering {
  std::string name;
  std::vector<double> key;
};

struct Report {
  // Each entry: a column, table or log line that links; the test fails
  // listing them. Empty = nothing links.
  std::vector<std::string> links;
  std::vector<std::string> notes;  // informational
  // Positive controls: "table.column <- kind" -> distinct needles found
  // where they are allowed (e.g. the HMACs in invitation.token_hmac), so a
  // test can show the search is not blind.
  std::map<std::string, int> found_where_allowed;
  // Per response row, in dump order.
  std::vector<std::string> row_id;     // hex of response.id
  std::vector<std::string> row_scores;  // response.scores
  std::vector<std::string> row_cell;    // campaign|subject_kind|subject|group
  std::vector<Ordering> orderings;
};

// The reviewed column lists of the tables that hold answers or invitations.
const std::map<std::string, std::vector<std::string>>& ReviewedColumns();

Report Attack(const Input& input);

// --------------------------------------------------- beyond the dump: files

// Orderings an adversary with the InnoDB tablespace file of `response`
// (a datadir backup, a disk snapshot, FLUSH TABLES ... FOR EXPORT) reads
// off the clustered index's leaf records: the hidden DB_TRX_ID of each row
// and its heap number (slot allocation order) within its page. Records are
// recognised by their 16-byte primary key at the record origin;
// `row_ids` (hex, dump order) say which row each key is.
std::vector<Ordering> InnodbFileOrderings(std::string_view ibd, size_t page_size,
                                          const std::vector<std::string>& row_ids);

// ------------------------------------------------------------ statistics

// Average ranks (ties share their mean rank), 0-based.
std::vector<double> Ranks(const std::vector<double>& values);
// Spearman's rho: Pearson correlation of the average ranks.
double Spearman(const std::vector<double>& a, const std::vector<double>& b);

struct OrderingResult {
  std::string name;
  double rho = 0;    // Spearman(key, submission order)
  double p_rho = 1;  // permutation p of |rho|
  int hits = 0;      // rows whose respondent the ordering names (see below)
  double p_hits = 1;
};

struct Evaluation {
  std::vector<OrderingResult> results;
  double expected_hits = 0;  // under chance
  // Westfall-Young min-p over every ordering and both statistics: the
  // probability, with answers exchangeable within their cell, that the best
  // of all these attacks looks at least this good.
  double family_p = 1;
  int permutations = 0;
  std::string best;  // the ordering/statistic with the smallest p
};

// truth[i]: submission position of row i; cell[i]: its cell (the one thing
// the adversary may legitimately know). An ordering's "hits": within each
// cell, the adversary names for the row of rank r (by key) the respondent
// of that cell who submitted r-th (or, reversed, last-but-r); hits = the
// better direction's number of rows named correctly. Null distribution:
// truth permuted within cells `permutations` times.
Evaluation Evaluate(const std::vector<Ordering>& orderings,
                    const std::vector<int>& cell, const std::vector<int>& truth,
                    int permutations, uint64_t seed);

std::string Describe(const Evaluation& e);

}  // namespace survey::testing::adversary

#endif  // SURVEY_TESTS_ADVERSARY_ADVERSARY_H_
