// Security item 6: an adversary with the database dump, the server's logs
// and the respondents' (employee, token, submission order) list cannot tie
// a stored answer to its respondent, and staff watching the reports while a
// campaign is open learn no single answer.
//
//   AdversaryStatistics.*  the adversary's statistics and dump parser on
//                          synthetic data: planted links are found, noise
//                          is not (no database).
//   AdversaryTest.DumpLogsAndOrdersTieNoAnswerToItsRespondent
//                          200 cross-evaluation respondents answer in a
//                          recorded random order; the adversary (tests/
//                          adversary/) searches every column, joins, the
//                          schema, the logs and every row ordering. Then
//                          links are planted in the same database and the
//                          adversary must find each of them.
//   AdversaryTest.ReminderThenWatchRevealsNoSingleAnswer
//                          staff read every report view after each single
//                          new answer: only participation changes while
//                          open, nothing at all once closed.
//   AdversaryTest.DISABLED_DatadirFilesRevealNoSubmissionOrder
//                          beyond the dump: the InnoDB tablespace file.
//                          Fails today (DB_TRX_ID orders every answer);
//                          disabled until the storage design answers it.
#include <gtest/gtest.h>
#include <grpc/support/log.h>
#include <google/protobuf/text_format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "adversary/adversary.h"
#include "crypto/secret_file.h"
#include "crypto/token.h"
#include "store/mysql/connection_pool.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/report.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {
namespace {

namespace adv = adversary;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// ------------------------------------------------------------ log capture

// Everything the server logs through spdlog's default logger.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Text() {
    std::lock_guard<std::mutex> lock(this->mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    this->formatter_->format(msg, buf);
    text_.append(buf.data(), buf.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

// Everything gRPC core logs (gpr_log) in this process: the server's
// transport. It goes to stderr as before and into the capture.
std::mutex g_grpc_log_mu;
std::string* g_grpc_log = new std::string;

void CaptureGrpcLog(gpr_log_func_args* args) {
  std::string line = absl::StrCat("[grpc ", gpr_log_severity_string(args->severity), " ",
                                  args->file, ":", args->line, "] ", args->message, "\n");
  std::fputs(line.c_str(), stderr);
  std::lock_guard<std::mutex> lock(g_grpc_log_mu);
  g_grpc_log->append(line);
}

// ---------------------------------------------------------------- helpers

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// The full dump an operator (or a thief of a backup) would have.
absl::StatusOr<std::string> MariadbDump(const store::DbConfig& c) {
  std::vector<std::string> args = {"mariadb-dump", "--no-defaults", "--single-transaction",
                                   "--skip-lock-tables", "--no-tablespaces", "--hex-blob",
                                   "--user=" + c.user};
  if (!c.password.empty()) args.push_back("--password=" + c.password);
  if (!c.socket.empty()) {
    args.push_back("--protocol=SOCKET");
    args.push_back("--socket=" + c.socket);
  } else {
    args.push_back("--protocol=TCP");
    args.push_back("--host=" + c.host);
    args.push_back(absl::StrCat("--port=", c.port));
  }
  args.push_back(c.database);
  char err_path[] = "/tmp/adversary-dump-err-XXXXXX";
  int fd = mkstemp(err_path);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  close(fd);
  std::string command;
  for (const std::string& a : args) absl::StrAppend(&command, ShellQuote(a), " ");
  absl::StrAppend(&command, "2>", err_path);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen(mariadb-dump) failed");
  std::string out;
  char buf[65536];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, got);
  int rc = pclose(pipe);
  std::string err;
  if (FILE* f = std::fopen(err_path, "r")) {
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) err.append(buf, got);
    std::fclose(f);
  }
  std::remove(err_path);
  if (rc != 0) return absl::InternalError(absl::StrCat("mariadb-dump failed (", rc, "): ", err));
  return out;
}

std::string HexOf(const crypto::Sha256Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string ScoresKey(const std::vector<int>& scores) { return absl::StrJoin(scores, ","); }

constexpr int kDepartments = 5;
constexpr int kMembers = 10;

std::string Dept(int d) { return absl::StrCat("D", d); }
std::string Member(int d, int m) { return absl::StrFormat("resp.D%d.%02d", d, m); }

// Min-p over ~15 orderings x 2 statistics: the smallest family p reachable
// is about (1 + number of statistics) / (permutations + 1), so many
// permutations keep a real leak far below 0.01.
constexpr int kPermutations = 50000;

// One recorded cross-evaluation: who got which token, in which order they
// answered, and (test-only truth) which answer is whose.
struct Round {
  std::string campaign;
  std::vector<adv::Respondent> respondents;  // as HR holds them
  std::vector<int> order;                    // order[k]: respondent answering k-th
  std::map<std::string, int> position_of_scores;
  double submit_seconds = 0;
  std::string guess;  // a guessed (unknown) token tried once
};

// ---------------------------------------------------------------- fixture

class AdversaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gpr_set_log_function(CaptureGrpcLog);
    {
      std::lock_guard<std::mutex> lock(g_grpc_log_mu);
      g_grpc_log->clear();
    }
    sink_ = std::make_shared<CaptureSink>();
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [%t] %v");
    saved_level_ = spdlog::default_logger()->level();
    spdlog::default_logger()->sinks().push_back(sink_);
    spdlog::default_logger()->set_level(spdlog::level::trace);
    sink_->set_level(spdlog::level::trace);

    absl::StatusOr<std::string> pepper_path = WriteTestPepper();
    ASSERT_TRUE(pepper_path.ok()) << pepper_path.status();
    pepper_path_ = *pepper_path;
    api::ServerOptions options;
    options.pepper_file = pepper_path_;
    auto ts = TestServer::Start(options);
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    admin_ = v1::AdminService::NewStub(ts_->channel());
    respond_ = v1::RespondService::NewStub(ts_->channel());
    report_ = v1::ReportService::NewStub(ts_->channel());

    v1::ImportOrgRequest org;
    for (int d = 1; d <= kDepartments; ++d) {
      v1::Department* dept = org.add_departments();
      dept->set_code(Dept(d));
      dept->set_name(absl::StrCat("部门", d));
      for (int m = 1; m <= kMembers; ++m) {
        v1::Employee* e = org.add_employees();
        e->set_employee_no(Member(d, m));
        e->set_name(absl::StrCat("成员", d, "-", m));
        e->set_department_code(Dept(d));
        e->set_post_type(v1::POST_TYPE_OTHER);
        e->set_position(v1::POSITION_TECHNICAL_SUPPORT);
      }
    }
    v1::ImportOrgResponse out;
    grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void TearDown() override {
    ts_.reset();  // the server and its threads are gone: no more logging
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    spdlog::default_logger()->set_level(saved_level_);
  }

  std::string Logs() {
    std::lock_guard<std::mutex> lock(g_grpc_log_mu);
    return absl::StrCat(sink_->Text(), *g_grpc_log);
  }

  std::string Campaign(v1::CampaignKind kind, const std::string& period) {
    v1::CreateCampaignRequest req;
    req.mutable_campaign()->set_kind(kind);
    req.mutable_campaign()->set_period(period);
    req.mutable_campaign()->set_template_key("default");
    v1::Campaign out;
    grpc::Status s = admin_->CreateCampaign(TestServer::Context("hr").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(Transition(out.id(), true).ok());
    return out.id();
  }

  grpc::Status Transition(const std::string& campaign, bool open) {
    v1::CampaignTransitionRequest req;
    req.set_id(campaign);
    v1::Campaign out;
    auto ctx = TestServer::Context("hr");
    return open ? admin_->OpenCampaign(ctx.get(), req, &out)
                : admin_->CloseCampaign(ctx.get(), req, &out);
  }

  // Cross-evaluation: every department rates every other.
  std::vector<v1::IssuedInvitation> IssueCross(const std::string& campaign) {
    v1::IssueInvitationsRequest req;
    req.set_campaign_id(campaign);
    auto ctx = TestServer::Context("hr");
    auto reader = admin_->IssueInvitations(ctx.get(), req);
    std::vector<v1::IssuedInvitation> out;
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) out.push_back(inv);
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<v1::IssuedInvitation> IssueCustomer(const std::string& campaign,
                                                  const std::vector<std::string>& subjects) {
    v1::IssueInvitationsRequest req;
    req.set_campaign_id(campaign);
    for (const std::string& s : subjects) req.add_events()->set_subject_employee_no(s);
    auto ctx = TestServer::Context("hr");
    auto reader = admin_->IssueInvitations(ctx.get(), req);
    std::vector<v1::IssuedInvitation> out;
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) out.push_back(inv);
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.size(), subjects.size());
    return out;
  }

  grpc::Status Submit(const std::string& token, const std::vector<int>& scores,
                      const std::vector<std::string>& reasons = {},
                      const std::string& comment = "") {
    v1::SubmitRequest req;
    req.set_token(token);
    req.set_submission_id(absl::StrCat("app-", token.substr(0, 4)));
    for (int s : scores) req.add_scores(s);
    for (const auto& r : reasons) req.add_reasons(r);
    req.set_comment(comment);
    v1::SubmitResponse resp;
    return respond_->Submit(TestServer::Context("").get(), req, &resp);
  }

  grpc::Status GetSurvey(const std::string& token) {
    v1::GetSurveyRequest req;
    req.set_token(token);
    req.set_locale("zh-CN");
    v1::Survey out;
    return respond_->GetSurvey(TestServer::Context("").get(), req, &out);
  }

  void RunRound(const std::string& period, std::mt19937_64& rng, std::set<std::string>* used,
                Round* round);

  std::string pepper_path_;
  std::shared_ptr<CaptureSink> sink_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::RespondService::Stub> respond_;
  std::unique_ptr<v1::ReportService::Stub> report_;
};

// Scores unique per answer: lets the test (not the adversary) know which
// stored row is which submission.
std::vector<int> UniqueScores(std::mt19937_64& rng, std::set<std::string>* used) {
  while (true) {
    std::vector<int> s(9);
    for (int& v : s) v = 1 + static_cast<int>(rng() % 10);
    if (used->insert(ScoresKey(s)).second) return s;
  }
}

// 200 respondents answer one at a time in a recorded random order (the
// hardest case: every answer its own batch), with the app's usual slips
// and retries, then the campaign closes.
void AdversaryTest::RunRound(const std::string& period, std::mt19937_64& rng,
                             std::set<std::string>* used, Round* round) {
  round->campaign = Campaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, period);
  std::vector<v1::IssuedInvitation> invitations = IssueCross(round->campaign);
  ASSERT_EQ(invitations.size(), size_t{kDepartments * (kDepartments - 1) * kMembers});
  const int n = static_cast<int>(invitations.size());
  for (const v1::IssuedInvitation& inv : invitations) {
    ASSERT_FALSE(inv.recipient_employee_no().empty());
    round->respondents.push_back({inv.recipient_employee_no(), inv.token(), round->campaign,
                                  inv.subject().department_code(),
                                  inv.evaluating_department_code(), -1});
  }
  round->order.resize(n);
  std::iota(round->order.begin(), round->order.end(), 0);
  std::shuffle(round->order.begin(), round->order.end(), rng);
  static const std::vector<std::string> kComments = {
      "", "", "很好", "响应及时，态度好", "it's \"fine\" \\ mostly", "需改进：回复慢", "OK"};
  const auto submit_start = Clock::now();
  for (int k = 0; k < n; ++k) {
    adv::Respondent& r = round->respondents[round->order[k]];
    ASSERT_TRUE(GetSurvey(r.token).ok());
    std::vector<int> scores = UniqueScores(rng, used);
    std::vector<std::string> reasons;
    if (rng() % 4 == 0) reasons.push_back(absl::StrCat("理由 ", rng() % 3));
    const std::string& comment = kComments[rng() % kComments.size()];
    if (k % 17 == 0) {  // a slip first: refused, the token stays usable
      std::vector<int> bad = scores;
      bad[4] = 11;
      EXPECT_EQ(Submit(r.token, bad).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    }
    grpc::Status s = Submit(r.token, scores, reasons, comment);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (k % 13 == 0) {  // the app retries: delivered already
      EXPECT_EQ(Submit(r.token, scores).error_code(), grpc::StatusCode::ALREADY_EXISTS);
    }
    r.order = k;
    round->position_of_scores[ScoresKey(scores)] = k;
  }
  round->submit_seconds = Seconds(submit_start);
  // A guessed token (the error paths must not log it either).
  std::string guess = round->respondents[0].token;
  std::reverse(guess.begin(), guess.end() - 1);
  EXPECT_NE(Submit(guess, std::vector<int>(9, 5)).error_code(), grpc::StatusCode::OK);
  round->guess = guess;
  ASSERT_TRUE(Transition(round->campaign, false).ok());
}

// ====================================================== statistics (unit)

TEST(AdversaryStatistics, PlantedOrderIsFoundAndNoiseIsNot) {
  constexpr int kCells = 20, kPerCell = 10, kN = kCells * kPerCell;
  std::mt19937_64 rng(20261101);
  std::vector<int> truth(kN), cell(kN);
  std::iota(truth.begin(), truth.end(), 0);
  std::shuffle(truth.begin(), truth.end(), rng);
  for (int i = 0; i < kN; ++i) cell[i] = i / kPerCell;
  std::normal_distribution<double> noise(0, 1);

  // Nothing but noise: ten unrelated orderings.
  std::vector<adv::Ordering> unrelated;
  for (int j = 0; j < 10; ++j) {
    adv::Ordering o{absl::StrCat("noise ", j), {}};
    for (int i = 0; i < kN; ++i) o.key.push_back(noise(rng));
    unrelated.push_back(o);
  }
  adv::Evaluation none = adv::Evaluate(unrelated, cell, truth, 2000, 1);
  EXPECT_GT(none.family_p, 0.01) << adv::Describe(none);

  // A weak global leak (rho about 0.25, e.g. a coarse timestamp) among the
  // noise: found.
  std::vector<adv::Ordering> weak = unrelated;
  adv::Ordering leak{"planted: truth + noise", {}};
  for (int i = 0; i < kN; ++i) leak.key.push_back(truth[i] / 57.7 + noise(rng));
  weak.push_back(leak);
  adv::Evaluation found = adv::Evaluate(weak, cell, truth, 2000, 2);
  EXPECT_LE(found.family_p, 0.01) << adv::Describe(found);
  EXPECT_GT(adv::Spearman(leak.key, std::vector<double>(truth.begin(), truth.end())), 0.15);

  // A leak only within cells (a per-cell counter): no global correlation
  // to speak of, but it names every respondent.
  std::vector<adv::Ordering> within = unrelated;
  adv::Ordering counter{"planted: per-cell counter", std::vector<double>(kN)};
  for (int c = 0; c < kCells; ++c) {
    std::vector<int> rows;
    for (int i = 0; i < kN; ++i) {
      if (cell[i] == c) rows.push_back(i);
    }
    std::sort(rows.begin(), rows.end(), [&](int a, int b) { return truth[a] < truth[b]; });
    // Reversed, and the cells' ranges shuffled, to hide it from rho.
    for (size_t k = 0; k < rows.size(); ++k) {
      counter.key[rows[k]] = ((c * 7) % kCells) * 100.0 + (rows.size() - 1 - k);
    }
  }
  within.push_back(counter);
  adv::Evaluation named = adv::Evaluate(within, cell, truth, 2000, 3);
  EXPECT_LE(named.family_p, 0.01) << adv::Describe(named);
  EXPECT_EQ(named.results.back().hits, kN) << adv::Describe(named);

  // Calibration: under the null, p <= 0.05 about 5 % of the time (the
  // test is neither blind nor trigger-happy).
  int small = 0;
  constexpr int kReplicates = 300;
  for (int r = 0; r < kReplicates; ++r) {
    adv::Ordering o{"noise", {}};
    for (int i = 0; i < kN; ++i) o.key.push_back(noise(rng));
    if (adv::Evaluate({o}, cell, truth, 199, 100 + r).family_p <= 0.05) ++small;
  }
  EXPECT_GE(small, 3) << "p-values too large under the null";
  EXPECT_LE(small, 35) << "p-values too small under the null";
}

TEST(AdversaryStatistics, DumpParserReadsWhatMariadbDumpWrites) {
  const std::string sql =
      "-- MariaDB dump\n"
      "/*!40101 SET NAMES utf8mb4 */;\n"
      "CREATE TABLE `response` (\n"
      "  `id` binary(16) NOT NULL,\n"
      "  `scores` varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n"
      "  `comment` text NOT NULL,\n"
      "  `n` bigint(20) DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`)\n"
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n"
      "LOCK TABLES `response` WRITE;\n"
      "INSERT INTO `response` VALUES (0xA1B2,'1,2,3','it\\'s \\\"ok\\\" \\\\ 很好',NULL),"
      "(_binary 'ab','4,5','x''y, (z)',-12);\n"
      "INSERT INTO `response` (`scores`, `id`, `comment`, `n`) VALUES ('6',0x00FF,'',7);\n"
      "UNLOCK TABLES;\n";
  absl::StatusOr<adv::Dump> dump = adv::ParseDump(sql);
  ASSERT_TRUE(dump.ok()) << dump.status();
  const adv::DumpTable* t = dump->Find("response");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->columns, (std::vector<std::string>{"id", "scores", "comment", "n"}));
  EXPECT_EQ(t->definition.at("id"), "binary(16) NOT NULL");
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(*t->rows[0][0], "a1b2");
  EXPECT_EQ(*t->rows[0][2], "it's \"ok\" \\ 很好");
  EXPECT_FALSE(t->rows[0][3].has_value());
  EXPECT_EQ(*t->rows[1][0], "6162");
  EXPECT_EQ(*t->rows[1][2], "x'y, (z)");
  EXPECT_EQ(*t->rows[1][3], "-12");
  EXPECT_EQ(*t->rows[2][0], "00ff");
  EXPECT_EQ(*t->rows[2][1], "6");

  // The schema review fires on a linking column, naming it.
  adv::Input in;
  in.dump = *dump;
  adv::Report r = adv::Attack(in);
  std::string all = absl::StrJoin(r.links, "\n");
  EXPECT_NE(all.find("response.n: column not in the reviewed list"), std::string::npos) << all;
}

// ========================================= the adversary against the server

// The rows of one campaign, scored against its true submission order.
adv::Evaluation EvaluateRound(const adv::Report& rep, const Round& round, uint64_t seed) {
  std::vector<size_t> rows;
  for (size_t i = 0; i < rep.row_cell.size(); ++i) {
    if (rep.row_cell[i].rfind(round.campaign + "|", 0) == 0) rows.push_back(i);
  }
  std::vector<int> truth, cells;
  std::map<std::string, int> cell_ids;
  for (size_t i : rows) {
    auto it = round.position_of_scores.find(rep.row_scores[i]);
    EXPECT_NE(it, round.position_of_scores.end()) << "row with unknown scores " << rep.row_scores[i];
    truth.push_back(it == round.position_of_scores.end() ? -1 : it->second);
    cells.push_back(cell_ids.emplace(rep.row_cell[i], cell_ids.size()).first->second);
  }
  EXPECT_EQ(rows.size(), round.order.size());
  EXPECT_EQ(cell_ids.size(), size_t{kDepartments * (kDepartments - 1)});
  std::vector<adv::Ordering> orderings;
  for (const adv::Ordering& o : rep.orderings) {
    adv::Ordering sub{o.name, {}};
    for (size_t i : rows) sub.key.push_back(o.key[i]);
    orderings.push_back(std::move(sub));
  }
  return adv::Evaluate(orderings, cells, truth, kPermutations, seed);
}

TEST_F(AdversaryTest, DumpLogsAndOrdersTieNoAnswerToItsRespondent) {
  const auto start = Clock::now();
  const uint64_t seed = std::random_device{}() * 0x9E3779B97F4A7C15ull ^ std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  std::set<std::string> used;
  std::vector<adv::Respondent> everyone;  // the adversary's list, all rounds


  // ---- what the adversary gets: the dump, the logs, the list, and the
  // orders in which the live database returns the rows.
  auto gather = [&](adv::Input* in) {
    absl::StatusOr<std::string> sql = MariadbDump(ts_->db().config());
    ASSERT_TRUE(sql.ok()) << sql.status();
    absl::StatusOr<adv::Dump> dump = adv::ParseDump(*sql);
    ASSERT_TRUE(dump.ok()) << dump.status();
    in->dump = std::move(*dump);
    in->logs = Logs();
    in->respondents = everyone;
    in->own_addresses = {ts_->address(),
                         absl::StrCat(ts_->db().config().host, ":", ts_->db().config().port)};
    in->live_orders.clear();
    std::vector<std::pair<std::string, std::string>> queries = {
        {"SELECT * (physical order)", "SELECT HEX(id), scores, reasons, comment FROM response"},
        {"SELECT id (optimizer's choice)", "SELECT HEX(id) FROM response"},
        {"ORDER BY id", "SELECT HEX(id) FROM response ORDER BY id"}};
    auto indexes = ts_->db().Query(
        "SELECT DISTINCT index_name FROM information_schema.statistics"
        " WHERE table_schema = DATABASE() AND table_name = 'response'");
    ASSERT_TRUE(indexes.ok()) << indexes.status();
    for (const auto& row : *indexes) {
      queries.push_back({absl::StrCat("index scan ", row[0]),
                         absl::StrCat("SELECT HEX(id) FROM response FORCE INDEX (`", row[0],
                                      "`) WHERE campaign_id <> ''")});
    }
    for (const auto& [name, query] : queries) {
      auto rows = ts_->db().Query(query);
      ASSERT_TRUE(rows.ok()) << rows.status();
      std::vector<std::string> ids;
      for (const auto& row : *rows) ids.push_back(row[0]);
      in->live_orders.push_back({name, ids});
    }
    // Evaluator-only: the tokens' HMACs, to prove no copy leaves
    // invitation.token_hmac (the adversary, without the pepper, cannot
    // compute them).
    absl::StatusOr<std::string> pepper = crypto::ReadSecretFile(pepper_path_, 32);
    ASSERT_TRUE(pepper.ok()) << pepper.status();
    absl::StatusOr<crypto::TokenHasher> hasher = crypto::TokenHasher::Create(*pepper);
    ASSERT_TRUE(hasher.ok());
    in->token_hmacs_hex.clear();
    for (const adv::Respondent& r : everyone) {
      if (absl::StatusOr<std::string> t = crypto::NormalizeToken(r.token); t.ok()) {
        in->token_hmacs_hex.push_back(HexOf(hasher->Hmac(*t)));
      }
    }
  };

  // Two independent rounds (two campaigns, the second added to the same
  // database). Under "no link" each round's family p is uniform, so one
  // round alone would fail 1 run in 100 by chance. The verdict: a link if
  // any round has p <= 0.001, or every round has p <= 0.01 (false alarm
  // about 1 in 500); every real link planted below gives p ~ 0.0001 in any
  // round.
  std::vector<Round> rounds(2);
  std::vector<double> p_values;
  adv::Input input;
  adv::Report report;
  for (size_t i = 0; i < rounds.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("round ", i + 1));
    RunRound(i == 0 ? "2026-11" : "2026-12", rng, &used, &rounds[i]);
    if (HasFatalFailure()) return;
    everyone.insert(everyone.end(), rounds[i].respondents.begin(), rounds[i].respondents.end());
    everyone.push_back({"", rounds[i].guess, rounds[i].campaign, "", "", -1});
    gather(&input);
    if (HasFatalFailure()) return;
    const auto attack_start = Clock::now();
    report = adv::Attack(input);
    EXPECT_TRUE(report.links.empty())
        << "LINKS FOUND (each ties answers or invitations to respondents):\n  "
        << absl::StrJoin(report.links, "\n  ");
    // Positive controls: the search finds each kind of needle where it is
    // allowed to be, so finding none elsewhere means something.
    const int issued = static_cast<int>(rounds[0].order.size() * (i + 1));
    EXPECT_EQ(report.found_where_allowed["invitation.token_hmac <- token HMAC (evaluator check)"],
              issued);
    EXPECT_EQ(report.found_where_allowed["employee.employee_no <- respondent employee number"],
              kDepartments * kMembers);
    EXPECT_EQ(report.found_where_allowed["response.scores <- value of response.scores"], issued);
    EXPECT_GE(report.orderings.size(), 12u);
    adv::Evaluation eval = EvaluateRound(report, rounds[i], seed + i);
    std::printf("[ adversary ] round %zu: %zu answers submitted in %.2f s; attack + %d "
                "permutations in %.2f s\n[ adversary ] %s",
                i + 1, rounds[i].order.size(), rounds[i].submit_seconds, kPermutations,
                Seconds(attack_start), adv::Describe(eval).c_str());
    EXPECT_GT(eval.family_p, 0.001) << "an ordering of the stored answers predicts who answered "
                                       "when:\n" << adv::Describe(eval);
    p_values.push_back(eval.family_p);
  }
  EXPECT_TRUE(std::any_of(p_values.begin(), p_values.end(), [](double p) { return p > 0.01; }))
      << "every round: p <= 0.01 (" << absl::StrJoin(p_values, ", ") << ")";
  std::printf("[ adversary ] %s\n[ adversary ] the server log it read (%zu bytes):\n%s",
              absl::StrJoin(report.notes, "\n[ adversary ] ").c_str(), input.logs.size(),
              input.logs.c_str());
  {  // the checks had something to bite on
    const adv::DumpTable* inv = input.dump.Find("invitation");
    ASSERT_NE(inv, nullptr);
    EXPECT_EQ(inv->rows.size(), rounds[0].order.size() * rounds.size());
    EXPECT_FALSE(input.logs.empty()) << "no server log captured";
  }

  // ---- the adversary is not blind: plant links in this very database
  // and these logs, and every check must fire.
  {
    SCOPED_TRACE("planted links");
    const Round& r1 = rounds[0];
    std::string cases;
    for (const Round& r : rounds) {
      for (const auto& [scores, k] : r.position_of_scores) {
        absl::StrAppend(&cases, " WHEN '", scores, "' THEN ", k + 1000 * (&r - &rounds[0]));
      }
    }
    ASSERT_TRUE(ts_->db().Execute(
        "ALTER TABLE response ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0").ok());
    ASSERT_TRUE(ts_->db().Execute(absl::StrCat(
        "UPDATE response SET created_at = 1790000000 + 3 * CASE scores", cases, " END")).ok());
    // Primary keys that follow arrival (as AUTO_INCREMENT or UUIDv1 would).
    ASSERT_TRUE(ts_->db().Execute(
        "UPDATE response SET id = UNHEX(LPAD(HEX(created_at), 32, '0'))").ok());
    // One comment quotes its respondent's token.
    ASSERT_TRUE(ts_->db().Execute(absl::StrCat(
        "UPDATE response SET comment = 'my code ", r1.respondents[r1.order[7]].token,
        "' WHERE created_at = 1790000021")).ok());
    adv::Input planted;
    gather(&planted);
    if (HasFatalFailure()) return;
    planted.logs += absl::StrCat("[info] submit from ipv4:127.0.0.1:54321 for ",
                                 r1.respondents[r1.order[3]].employee_no, "\n");
    adv::Report caught = adv::Attack(planted);
    std::string all = absl::StrJoin(caught.links, "\n  ");
    EXPECT_NE(all.find("response.created_at: column not in the reviewed list"), std::string::npos)
        << all;
    EXPECT_NE(all.find("response.comment holds respondent token"), std::string::npos) << all;
    EXPECT_NE(all.find("server log contains respondent employee number"), std::string::npos)
        << all;
    EXPECT_NE(all.find("server log contains peer addresses"), std::string::npos) << all;
    adv::Evaluation leak = EvaluateRound(caught, r1, seed + 7);
    std::printf("[ adversary ] planted links found:\n  %s\n[ adversary ] planted orderings: %s",
                all.c_str(), adv::Describe(leak).c_str());
    EXPECT_LE(leak.family_p, 0.001) << adv::Describe(leak);
    for (const adv::OrderingResult& r : leak.results) {
      if (r.name == "ORDER BY response.created_at" ||
          r.name == "ORDER BY response.id (primary key)") {
        EXPECT_EQ(r.hits, static_cast<int>(r1.order.size())) << r.name;
        EXPECT_GT(r.rho, 0.99) << r.name;
      }
    }
  }
  std::printf("[ adversary ] whole test %.2f s\n", Seconds(start));
}

// Beyond the brief's adversary (dump + logs): someone with the datadir
// (a file-level backup, a disk snapshot, a copied tablespace). InnoDB keeps
// in every clustered-index record the id of the transaction that wrote it
// (DB_TRX_ID, increasing) and allocates record slots in insertion order, so
// with one answer per transaction the file holds the submission order
// (rho = 1 before this was answered). Closing a campaign rebuilds the
// response and invitation tables (MysqlCampaignStore::Transition), which
// drops the transaction ids and reorders records by their random keys; this
// test reads the tablespace after the close. While a campaign is open a
// file-level copy still holds the order: README "Threats" says so.
TEST_F(AdversaryTest, DatadirFilesRevealNoSubmissionOrderAfterClose) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  std::set<std::string> used;
  Round round;
  RunRound("2026-11", rng, &used, &round);
  if (HasFatalFailure()) return;
  auto ids = ts_->db().Query("SELECT HEX(id), scores FROM response");
  ASSERT_TRUE(ids.ok()) << ids.status();
  auto dirs = ts_->db().Query("SELECT @@datadir, @@innodb_page_size, DATABASE()");
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  const std::string path = absl::StrCat((*dirs)[0][0], "/", (*dirs)[0][2], "/response.ibd");
  // FLUSH TABLES ... FOR EXPORT writes every page and holds the table
  // still while the file is copied: exactly what a backup does.
  absl::StatusOr<std::unique_ptr<sql::Connection>> c = store::mysql::Connect(ts_->db().config());
  ASSERT_TRUE(c.ok()) << c.status();
  std::string ibd;
  try {
    std::unique_ptr<sql::Statement> st((*c)->createStatement());
    st->execute("FLUSH TABLES response FOR EXPORT");
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      char buf[65536];
      size_t got;
      while ((got = fread(buf, 1, sizeof buf, f)) > 0) ibd.append(buf, got);
      std::fclose(f);
    }
    st->execute("UNLOCK TABLES");
  } catch (const sql::SQLException& e) {
    FAIL() << "FLUSH TABLES ... FOR EXPORT: " << e.what();
  }
  ASSERT_FALSE(ibd.empty()) << "cannot read " << path;
  // Encrypted at rest (deploy/mariadb/survey-encryption.cnf, issue 12): the
  // file shows no record at all, so there is nothing to order; the orderings
  // below need an unencrypted server (SURVEY_TEST_DB_URL) to say something.
  auto encrypted = ts_->db().Query(absl::StrCat(
      "SELECT ENCRYPTION_SCHEME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"
      " WHERE NAME = '", (*dirs)[0][2], "/response'"));
  ASSERT_TRUE(encrypted.ok()) << encrypted.status();
  if (!encrypted->empty() && (*encrypted)[0][0] != "0") {
    for (const auto& row : *ids) {
      EXPECT_EQ(ibd.find(absl::HexStringToBytes(row[0])), std::string::npos)
          << "response id " << row[0] << " in plaintext in an encrypted tablespace";
    }
    std::printf("[ adversary ] %zu-byte tablespace is encrypted: no record to order\n",
                ibd.size());
    return;
  }
  adv::Report rows;
  for (const auto& row : *ids) {
    rows.row_id.push_back(absl::AsciiStrToLower(row[0]));
    rows.row_scores.push_back(row[1]);
  }
  rows.orderings = adv::InnodbFileOrderings(ibd, std::stoul((*dirs)[0][1]), rows.row_id);
  // Cells as the dump gives them.
  auto cells = ts_->db().Query(
      "SELECT HEX(id), CONCAT_WS('|', campaign_id, subject_kind, subject_code, group_code)"
      " FROM response");
  ASSERT_TRUE(cells.ok());
  std::map<std::string, std::string> cell_of;
  for (const auto& row : *cells) cell_of[absl::AsciiStrToLower(row[0])] = row[1];
  for (const std::string& id : rows.row_id) rows.row_cell.push_back(cell_of[id]);
  for (const adv::Ordering& o : rows.orderings) {
    EXPECT_EQ(std::count(o.key.begin(), o.key.end(), -1.0), 0) << o.name << ": rows not found";
  }
  adv::Evaluation eval = EvaluateRound(rows, round, seed);
  std::printf("[ adversary ] %zu-byte tablespace: %s", ibd.size(), adv::Describe(eval).c_str());
  EXPECT_GT(eval.family_p, 0.01) << "the tablespace file orders the answers by arrival:\n"
                                 << adv::Describe(eval);
}

// =================================================== reminder, then watch

// One report view: its text, and the same with participation (responses,
// response rates) cleared and every withheld figure reduced to "withheld".
struct View {
  std::string full;
  std::string normalized;
  std::vector<std::string> released;  // score figures released (paths)
  int withheld_open = 0;              // figures withheld as CAMPAIGN_OPEN
  // Cells with answers whose total is withheld for another reason than
  // CAMPAIGN_OPEN, or released.
  std::vector<std::string> not_open;
};
using Snapshot = std::map<std::string, View>;

bool Participation(const std::string& field) {
  return field == "responses" || field == "invitations" || field == "response_rate";
}

// Walks a report message: records released score figures, and (when
// `normalize`) clears participation and the values of withheld figures.
void Walk(google::protobuf::Message* m, const std::string& path, bool normalize, View* view) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor* d = m->GetDescriptor();
  const google::protobuf::Reflection* refl = m->GetReflection();
  if (d == v1::Figure::descriptor()) {
    auto* f = static_cast<v1::Figure*>(m);
    const std::string field = path.substr(path.rfind('.') + 1);
    if (Participation(field)) {
      if (normalize && field != "invitations") f->Clear();
      return;
    }
    if (f->suppression() == v1::SUPPRESSION_NONE) {
      view->released.push_back(path);
    } else {
      if (f->value() != 0) view->released.push_back(absl::StrCat(path, " (value under suppression)"));
      if (f->suppression() == v1::SUPPRESSION_CAMPAIGN_OPEN) ++view->withheld_open;
      if (normalize) f->set_suppression(v1::SUPPRESSION_CAMPAIGN_OPEN);  // "withheld"
    }
    return;
  }
  if (d == v1::SubIndicatorFigures::descriptor()) {
    auto* s = static_cast<v1::SubIndicatorFigures*>(m);
    if (s->distribution_size() > 0) view->released.push_back(absl::StrCat(path, ".distribution"));
  }
  if (d == v1::Figures::descriptor()) {
    auto* f = static_cast<v1::Figures*>(m);
    if (f->responses().value() > 0 &&
        f->total().suppression() != v1::SUPPRESSION_CAMPAIGN_OPEN) {
      view->not_open.push_back(absl::StrCat(path, " (", f->responses().value(), " answers, ",
                                            v1::Suppression_Name(f->total().suppression()), ")"));
    }
    if (f->has_ci95() && (f->ci95().low() != 0 || f->ci95().high() != 0) &&
        f->total().suppression() != v1::SUPPRESSION_NONE) {
      view->released.push_back(absl::StrCat(path, ".ci95 (under suppression)"));
    }
    if (f->has_ci95() && f->total().suppression() == v1::SUPPRESSION_NONE) {
      view->released.push_back(absl::StrCat(path, ".ci95"));
    }
  }
  if (normalize && d == v1::Campaign::descriptor()) static_cast<v1::Campaign*>(m)->clear_responses();
  if (normalize && d == v1::VerifyResponse::descriptor()) {
    auto* v = static_cast<v1::VerifyResponse*>(m);
    v->clear_responses_checked();
    v->clear_aggregates_checked();  // cells with answers: participation
  }
  if (normalize && d == v1::CommentsResponse::descriptor()) {
    auto* c = static_cast<v1::CommentsResponse*>(m);
    if (c->suppression() != v1::SUPPRESSION_NONE) c->set_suppression(v1::SUPPRESSION_CAMPAIGN_OPEN);
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* fd = d->field(i);
    if (fd->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string sub = absl::StrCat(path, ".", fd->name());
    if (fd->is_repeated()) {
      for (int k = 0; k < refl->FieldSize(*m, fd); ++k) {
        Walk(refl->MutableRepeatedMessage(m, fd, k), absl::StrCat(sub, "[", k, "]"), normalize,
             view);
      }
    } else if (refl->HasField(*m, fd)) {
      Walk(refl->MutableMessage(m, fd), sub, normalize, view);
    }
  }
}

View ViewOf(const google::protobuf::Message& message) {
  View v;
  google::protobuf::TextFormat::PrintToString(message, &v.full);
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  copy->CopyFrom(message);
  Walk(copy.get(), "", true, &v);
  google::protobuf::TextFormat::PrintToString(*copy, &v.normalized);
  return v;
}

View StatusView(const grpc::Status& s) {
  View v;
  v.full = v.normalized = absl::StrCat("status ", s.error_code(), ": ", s.error_message());
  return v;
}

// A CSV export: participation columns blanked, withheld reasons unified.
View CsvView(const std::string& csv) {
  View v;
  v.full = csv;
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n", absl::SkipEmpty());
  if (lines.empty()) return v;
  std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  std::vector<std::string> out = {lines[0]};
  for (size_t l = 1; l < lines.size(); ++l) {
    std::vector<std::string> cells = absl::StrSplit(lines[l], ',');
    for (size_t c = 0; c < cells.size() && c < header.size(); ++c) {
      const std::string& h = header[c];
      if (h == "responses" || h == "response_rate") cells[c] = "";
      if (h == "suppression" && !cells[c].empty()) cells[c] = "withheld";
      for (const char* score : {"total", "stddev", "ci_low", "ci_high", "share_9_10",
                                "share_1_5", "change_vs_previous"}) {
        if (h == score && !cells[c].empty()) {
          v.released.push_back(absl::StrCat("line ", l, " ", h));
        }
      }
    }
    out.push_back(absl::StrJoin(cells, ","));
  }
  v.normalized = absl::StrJoin(out, "\n");
  return v;
}

std::string ReadStream(grpc::ClientReader<v1::ExportChunk>* reader, grpc::Status* status) {
  std::string out;
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) out += chunk.data();
  *status = reader->Finish();
  return out;
}

TEST_F(AdversaryTest, ReminderThenWatchRevealsNoSingleAnswer) {
  const auto start = Clock::now();
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  std::set<std::string> used;

  // A cross-evaluation and two customer campaigns, October and November
  // (one quarter), about three members of D1.
  const std::string cross = Campaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, "2026-11");
  const std::string nov = Campaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION, "2026-11");
  const std::string oct = Campaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION, "2026-10");
  std::vector<v1::IssuedInvitation> cross_inv = IssueCross(cross);
  ASSERT_EQ(cross_inv.size(), size_t{kDepartments * (kDepartments - 1) * kMembers});
  std::shuffle(cross_inv.begin(), cross_inv.end(), rng);
  std::vector<std::string> served;
  for (int m = 1; m <= 3; ++m) {
    for (int i = 0; i < 10; ++i) served.push_back(Member(1, m));
  }
  std::vector<v1::IssuedInvitation> nov_inv = IssueCustomer(nov, served);
  std::vector<v1::IssuedInvitation> oct_inv = IssueCustomer(oct, served);
  std::shuffle(nov_inv.begin(), nov_inv.end(), rng);
  std::shuffle(oct_inv.begin(), oct_inv.end(), rng);
  size_t next_cross = 0, next_nov = 0, next_oct = 0;
  auto answer = [&](const v1::IssuedInvitation& inv) {
    static const std::vector<std::string> kComments = {"很好", "一般", "回复太慢", "专业"};
    grpc::Status s = Submit(inv.token(), UniqueScores(rng, &used), {},
                            kComments[rng() % kComments.size()]);
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  // Earlier answers: enough that every customer cell and most cross cells
  // reach k, so figures would show if anything released them.
  for (; next_cross < 100; ++next_cross) answer(cross_inv[next_cross]);
  for (; next_nov < 18; ++next_nov) answer(nov_inv[next_nov]);
  for (; next_oct < 18; ++next_oct) answer(oct_inv[next_oct]);
  if (HasFatalFailure()) return;

  // Every view staff can read, over every range touching the campaigns.
  const std::vector<std::pair<std::string, std::function<void(v1::PeriodRange*)>>> ranges = {
      {"2026-11", [](v1::PeriodRange* r) { r->set_month("2026-11"); }},
      {"2026-10", [](v1::PeriodRange* r) { r->set_month("2026-10"); }},
      {"2026-Q4", [](v1::PeriodRange* r) { r->set_quarter("2026-Q4"); }},
      {"2026", [](v1::PeriodRange* r) { r->set_year("2026"); }}};
  int rpcs = 0;
  auto read = [&]() {
    Snapshot snap;
    auto ctx = [&] {
      ++rpcs;
      return TestServer::Context("hr");
    };
    for (const auto& [range_name, set_range] : ranges) {
      {
        v1::CrossEvaluationReportRequest req;
        set_range(req.mutable_range());
        v1::CrossEvaluationReport out;
        grpc::Status s = report_->GetCrossEvaluationReport(ctx().get(), req, &out);
        snap["cross all " + range_name] = s.ok() ? ViewOf(out) : StatusView(s);
        req.set_rated_department_code("D1");
        out.Clear();
        s = report_->GetCrossEvaluationReport(ctx().get(), req, &out);
        snap["cross D1 " + range_name] = s.ok() ? ViewOf(out) : StatusView(s);
      }
      std::vector<std::pair<std::string, v1::Subject>> subjects;
      v1::Subject dept;
      dept.set_department_code("D1");
      subjects.push_back({"D1", dept});
      for (int m = 1; m <= 3; ++m) {
        v1::Subject e;
        e.set_employee_no(Member(1, m));
        subjects.push_back({Member(1, m), e});
      }
      for (const auto& [name, subject] : subjects) {
        v1::SubjectReportRequest req;
        *req.mutable_subject() = subject;
        set_range(req.mutable_range());
        v1::SubjectReport out;
        grpc::Status s = report_->GetSubjectReport(ctx().get(), req, &out);
        snap["subject " + name + " " + range_name] = s.ok() ? ViewOf(out) : StatusView(s);
        v1::CommentsRequest creq;
        *creq.mutable_subject() = subject;
        set_range(creq.mutable_range());
        v1::CommentsResponse cout;
        s = report_->GetComments(ctx().get(), creq, &cout);
        // Comments come shuffled: compare them as a set.
        std::vector<std::string> texts(cout.comments().begin(), cout.comments().end());
        std::sort(texts.begin(), texts.end());
        cout.clear_comments();
        for (const std::string& t : texts) cout.add_comments(t);
        View cv = s.ok() ? ViewOf(cout) : StatusView(s);
        if (!texts.empty()) cv.released.push_back(absl::StrCat(texts.size(), " comments"));
        snap["comments " + name + " " + range_name] = cv;
      }
      for (int d = 1; d <= 2; ++d) {
        v1::DepartmentReportRequest req;
        req.set_department_code(Dept(d));
        set_range(req.mutable_range());
        v1::DepartmentReport out;
        grpc::Status s = report_->GetDepartmentReport(ctx().get(), req, &out);
        snap["department " + Dept(d) + " " + range_name] = s.ok() ? ViewOf(out) : StatusView(s);
      }
      {
        v1::OrganisationReportRequest req;
        set_range(req.mutable_range());
        v1::OrganisationReport out;
        grpc::Status s = report_->GetOrganisationReport(ctx().get(), req, &out);
        snap["organisation " + range_name] = s.ok() ? ViewOf(out) : StatusView(s);
      }
      for (const char* kind : {"cross", "department"}) {
        v1::ExportReportRequest req;
        if (std::string(kind) == "cross") {
          set_range(req.mutable_cross_evaluation()->mutable_range());
        } else {
          req.mutable_department()->set_department_code("D1");
          set_range(req.mutable_department()->mutable_range());
        }
        auto c = ctx();
        auto reader = report_->ExportReport(c.get(), req);
        grpc::Status s;
        std::string csv = ReadStream(reader.get(), &s);
        snap[absl::StrCat("export ", kind, " ", range_name)] = s.ok() ? CsvView(csv) : StatusView(s);
      }
    }
    for (const auto& [name, id] : {std::pair{"cross", cross}, {"nov", nov}, {"oct", oct}}) {
      v1::ExportResponsesRequest req;
      req.set_campaign_id(id);
      auto c = ctx();
      auto reader = report_->ExportResponses(c.get(), req);
      grpc::Status s;
      std::string rows = ReadStream(reader.get(), &s);
      View v;
      if (s.ok()) {  // shuffled rows: compare as a multiset
        std::vector<std::string> lines = absl::StrSplit(rows, '\n', absl::SkipEmpty());
        if (lines.size() > 1) std::sort(lines.begin() + 1, lines.end());
        v.full = v.normalized = absl::StrJoin(lines, "\n");
        if (lines.size() > 1) v.released.push_back(absl::StrCat(lines.size() - 1, " rows"));
      } else {
        v = StatusView(s);
      }
      snap[absl::StrCat("export responses ", name)] = v;
      v1::GetCampaignRequest greq;
      greq.set_id(id);
      v1::Campaign gout;
      s = admin_->GetCampaign(ctx().get(), greq, &gout);
      snap[absl::StrCat("campaign ", name)] = s.ok() ? ViewOf(gout) : StatusView(s);
    }
    {
      v1::VerifyRequest req;
      v1::VerifyResponse out;
      grpc::Status s = report_->Verify(ctx().get(), req, &out);
      snap["verify"] = s.ok() ? ViewOf(out) : StatusView(s);
    }
    return snap;
  };
  // `open_months`: ranges still fed by an open campaign.
  auto expect_withheld = [&](const Snapshot& snap, const std::set<std::string>& closed_views,
                             const std::string& when) {
    int withheld_open = 0;
    for (const auto& [name, view] : snap) {
      withheld_open += view.withheld_open;
      if (closed_views.count(name)) continue;
      EXPECT_TRUE(view.released.empty())
          << when << ": " << name << " releases scores of an open campaign: "
          << absl::StrJoin(view.released, ", ") << "\n" << view.full;
      EXPECT_TRUE(view.not_open.empty())
          << when << ": " << name << " has cells not withheld as CAMPAIGN_OPEN: "
          << absl::StrJoin(view.not_open, ", ") << "\n" << view.full;
    }
    EXPECT_GT(withheld_open, 0) << when << ": nothing withheld as CAMPAIGN_OPEN?";
  };
  auto expect_only_participation_changed = [&](const Snapshot& before, const Snapshot& after,
                                               const std::string& what) {
    ASSERT_EQ(before.size(), after.size());
    bool counted = false;
    for (const auto& [name, view] : before) {
      const View& now = after.at(name);
      EXPECT_EQ(view.normalized, now.normalized)
          << what << ": \"" << name << "\" changed beyond participation\nBEFORE\n"
          << view.full << "\nAFTER\n" << now.full;
      if (view.full != now.full) counted = true;
    }
    EXPECT_TRUE(counted) << what << ": no view even counted the answer (are reads live?)";
  };

  // ---- phase 1: everything open. Staff remind one respondent at a time
  // and read everything before and after each answer.
  const auto watch_start = Clock::now();
  Snapshot before = read();
  expect_withheld(before, {}, "all open");
  for (int step = 0; step < 6; ++step) {
    const v1::IssuedInvitation& inv = step % 3 == 0   ? cross_inv[next_cross++]
                                      : step % 3 == 1 ? nov_inv[next_nov++]
                                                      : oct_inv[next_oct++];
    std::string what = absl::StrCat("all open, reminded ",
                                    inv.recipient_employee_no().empty() ? "a customer of "
                                                                        : inv.recipient_employee_no(),
                                    inv.recipient_employee_no().empty()
                                        ? inv.subject().employee_no() : "",
                                    " (step ", step, ")");
    answer(inv);
    if (HasFatalFailure()) return;
    Snapshot after = read();
    expect_only_participation_changed(before, after, what);
    expect_withheld(after, {}, what);
    before = std::move(after);
  }

  // ---- phase 2: November's customer campaign closes (its figures are
  // released: the close is not an answer), October's and the
  // cross-evaluation stay open. A November figure must not move when
  // October answers arrive (e.g. through change_vs_previous or a quarter).
  ASSERT_TRUE(Transition(nov, false).ok());
  {
    // Control: closing is seen by the very comparison that saw nothing
    // move after each answer (it is not blind to released scores).
    Snapshot closed_nov = read();
    std::vector<std::string> moved;
    for (const auto& [name, view] : before) {
      if (view.normalized != closed_nov.at(name).normalized) moved.push_back(name);
    }
    EXPECT_FALSE(moved.empty()) << "closing November changed no view";
    std::printf("[ adversary ] closing November changed %zu views: %s\n", moved.size(),
                absl::StrJoin(moved, "; ").c_str());
    before = std::move(closed_nov);
  }
  std::set<std::string> nov_views;
  for (const auto& [name, view] : before) {
    bool november_customer = name.find("2026-11") != std::string::npos &&
                             name.find("cross") == std::string::npos;
    if (november_customer || name == "export responses nov") nov_views.insert(name);
  }
  {
    bool released = false;
    for (const std::string& name : nov_views) released |= !before.at(name).released.empty();
    EXPECT_TRUE(released) << "closing November released nothing: the watch proves little";
  }
  expect_withheld(before, nov_views, "November closed");
  for (int step = 0; step < 6; ++step) {
    const v1::IssuedInvitation& inv = step % 2 == 0 ? cross_inv[next_cross++] : oct_inv[next_oct++];
    std::string what = absl::StrCat("November closed, step ", step);
    answer(inv);
    if (HasFatalFailure()) return;
    Snapshot after = read();
    expect_only_participation_changed(before, after, what);
    for (const std::string& name : nov_views) {
      EXPECT_EQ(before.at(name).full, after.at(name).full)
          << what << ": closed November's \"" << name << "\" moved";
    }
    expect_withheld(after, nov_views, what);
    before = std::move(after);
  }

  // ---- phase 3: everything closed. No answer can change anything.
  ASSERT_TRUE(Transition(cross, false).ok());
  ASSERT_TRUE(Transition(oct, false).ok());
  Snapshot closed = read();
  {
    bool released = false;
    for (const auto& [name, view] : closed) released |= !view.released.empty();
    EXPECT_TRUE(released);
  }
  for (const auto* inv : {&cross_inv[next_cross], &nov_inv[next_nov], &oct_inv[next_oct]}) {
    grpc::Status s = Submit(inv->token(), UniqueScores(rng, &used));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  }
  EXPECT_NE(Submit(cross_inv[0].token(), UniqueScores(rng, &used)).error_code(),
            grpc::StatusCode::OK);
  Snapshot again = read();
  for (const auto& [name, view] : closed) {
    EXPECT_EQ(view.full, again.at(name).full) << "closed: \"" << name << "\" changed";
  }
  std::printf("[ adversary ] watch: %d report reads (%zu views per snapshot) in %.2f s; "
              "test %.2f s\n", rpcs, before.size(), Seconds(watch_start), Seconds(start));
}

}  // namespace
}  // namespace survey::testing
