// Issue 12, "database files": what the files of the datadir give someone
// who copies them (a backup, a disk snapshot, the DBA's tarball).
//
//   IssueOrderTest.StorageOrderIsNotTheDistributionList
//       IssueInvitations stores the rows in a random order, unrelated to
//       the request (the distribution list), across transactions; tokens
//       still stream back in request order.
//   DatadirTest.ClosedCampaignLeavesNothingReadableInTheDatadir
//       answers written through the API, the campaign closed: the redo log
//       is a new file that starts after the last answer (no record of any
//       answer or token use is left in it), and no file of the datadir
//       holds any response id, token HMAC or answer text in plaintext (the
//       instance is encrypted at rest: deploy/mariadb/survey-encryption.cnf).
//
// The second test reads the fixture server's datadir directly (`SELECT
// @@datadir`), so it needs the database on this machine and read access to
// its files (ctest runs as root next to the private MariaDB); otherwise it
// is skipped, saying why.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crypto/random.h"
#include "integration/campaign_fixture.h"
#include "integration/survey_fixture.h"

namespace survey::testing {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------ storage order

// Passes every Insert to the real store and records the HMACs in the order
// they reach the database.
class RecordingInvitations final : public store::InvitationStore {
 public:
  explicit RecordingInvitations(store::InvitationStore* inner) : inner_(inner) {}
  absl::Status Insert(const std::string& campaign_id,
                      const std::vector<store::NewInvitation>& rows,
                      const store::ChangeAudit& audit) override {
    std::vector<store::TokenHmac> batch;
    for (const store::NewInvitation& r : rows) batch.push_back(r.token_hmac);
    batches.push_back(std::move(batch));
    return inner_->Insert(campaign_id, rows, audit);
  }
  absl::StatusOr<store::RevokeCounts> Revoke(
      const std::vector<store::TokenHmac>& hmacs,
      const store::ChangeAudit& audit) override {
    return inner_->Revoke(hmacs, audit);
  }
  absl::StatusOr<store::InvitationView> FindByTokenHmac(
      const store::TokenHmac& hmac) override {
    return inner_->FindByTokenHmac(hmac);
  }
  std::vector<std::vector<store::TokenHmac>> batches;  // one per transaction

 private:
  store::InvitationStore* inner_;
};

class IssueOrderTest : public CampaignTest {
 protected:
  void SetUp() override {
    CampaignTest::SetUp();
    if (HasFatalFailure()) return;
    recording_ = std::make_unique<RecordingInvitations>(invitations_.get());
    recorded_service_ = std::make_unique<api::AdminServiceImpl>(
        auth_.get(), org_.get(), templates_.get(), campaigns_.get(),
        recording_.get(), hasher_.get(), &random_, nullptr, audit_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(recorded_service_.get());
    recorded_server_ = builder.BuildAndStart();
    ASSERT_TRUE(recorded_server_ != nullptr && port != 0);
    recorded_port_ = port;
  }
  // From now on the fixture's calls go to the recording service (which
  // serves only the survey RPCs: organisation changes go to the fixture's).
  void UseRecordingService() {
    stub_ = v1::AdminService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", recorded_port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (recorded_server_) recorded_server_->Shutdown();
    CampaignTest::TearDown();
  }

  std::unique_ptr<RecordingInvitations> recording_;
  std::unique_ptr<api::AdminServiceImpl> recorded_service_;
  std::unique_ptr<grpc::Server> recorded_server_;
  int recorded_port_ = 0;
};

TEST_F(IssueOrderTest, StorageOrderIsNotTheDistributionList) {
  ImportOrg({"AS"}, {3});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  UseRecordingService();
  constexpr int kEvents = 1200;  // three transactions of at most 500
  std::vector<std::string> nos;
  for (int i = 0; i < kEvents; ++i) nos.push_back(absl::StrCat("AS-M", 1 + i % 3));
  std::vector<v1::IssuedInvitation> issued;
  ASSERT_TRUE(Issue(Events(c.id(), nos), &issued).ok());
  ASSERT_EQ(issued.size(), nos.size());

  // The caller still gets them in request order.
  std::map<store::TokenHmac, int> request_index;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(issued[i].event_index(), i);
    request_index[hasher_->Hmac(issued[i].token())] = i;
  }
  // Storage position -> request index.
  std::vector<double> stored;
  std::vector<int> first_batch;
  for (size_t b = 0; b < recording_->batches.size(); ++b) {
    for (const store::TokenHmac& h : recording_->batches[b]) {
      auto it = request_index.find(h);
      ASSERT_NE(it, request_index.end());
      stored.push_back(it->second);
      if (b == 0) first_batch.push_back(it->second);
    }
  }
  ASSERT_EQ(stored.size(), static_cast<size_t>(kEvents));
  ASSERT_GE(recording_->batches.size(), 3u);
  // Pearson correlation of storage position and request index (both are
  // permutations of 0..n-1, so this is Spearman's rho). Random order: sd
  // 1/sqrt(n) = 0.029; request order: 1. The bound is five sd.
  const double n = kEvents, mean = (n - 1) / 2;
  double cov = 0, var = 0;
  for (int pos = 0; pos < kEvents; ++pos) {
    cov += (pos - mean) * (stored[pos] - mean);
    var += (pos - mean) * (pos - mean);
  }
  const double rho = cov / var;
  EXPECT_LT(std::abs(rho), 0.15) << "rows are stored in (or against) request order";
  // Not even the first transaction is a slice of the list: its 500 rows
  // come from all over it (expected 5/12 of them beyond index 700).
  const auto beyond = std::count_if(first_batch.begin(), first_batch.end(),
                                    [](int i) { return i >= 700; });
  EXPECT_GT(beyond, 100) << "the first transaction holds the head of the list";
}

// ------------------------------------------------------------ datadir

// Finds raw byte strings (all at least 8 bytes) in a buffer, by their first
// two bytes: one pass over each file whatever the number of needles.
class NeedleSet {
 public:
  void Add(std::string needle, std::string label) {
    const uint16_t key = Key(needle.data());
    by_prefix_[key].push_back(needles_.size());
    needles_.push_back({std::move(needle), std::move(label)});
  }
  // Labels of the needles found in `data` (each once).
  std::vector<std::string> FindIn(std::string_view data) const {
    std::vector<bool> seen(needles_.size());
    std::vector<std::string> found;
    for (size_t at = 0; at + 8 <= data.size(); ++at) {
      auto it = by_prefix_.find(Key(data.data() + at));
      if (it == by_prefix_.end()) continue;
      for (size_t k : it->second) {
        const std::string& n = needles_[k].bytes;
        if (!seen[k] && data.compare(at, n.size(), n) == 0) {
          seen[k] = true;
          found.push_back(needles_[k].label);
        }
      }
    }
    return found;
  }
  size_t size() const { return needles_.size(); }

 private:
  static uint16_t Key(const char* p) {
    return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) << 8 | static_cast<uint8_t>(p[1]));
  }
  struct Needle {
    std::string bytes, label;
  };
  std::vector<Needle> needles_;
  std::map<uint16_t, std::vector<size_t>> by_prefix_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The first LSN of an InnoDB redo log in the 10.8+ format: header block,
// bytes 8..15, big-endian (plaintext even when the log is encrypted).
uint64_t FirstLsn(const std::string& header) {
  uint64_t lsn = 0;
  for (int i = 8; i < 16; ++i) lsn = lsn << 8 | static_cast<uint8_t>(header[i]);
  return lsn;
}

class DatadirTest : public SurveyFixture {
 protected:
  uint64_t LsnNow() {
    auto rows = ts_->db().Query("SHOW GLOBAL STATUS LIKE 'Innodb_lsn_current'");
    EXPECT_TRUE(rows.ok() && rows->size() == 1) << rows.status();
    return rows.ok() && rows->size() == 1 ? std::stoull((*rows)[0][1]) : 0;
  }
  // Hex column values of `query`, decoded.
  std::vector<std::string> Binary(const std::string& query) {
    std::vector<std::string> out;
    auto rows = ts_->db().Query(query);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const auto& row : *rows) out.push_back(absl::HexStringToBytes(row[0]));
    }
    return out;
  }
};

TEST_F(DatadirTest, ClosedCampaignLeavesNothingReadableInTheDatadir) {
  const fs::path datadir = Scalar("SELECT @@datadir");
  const fs::path redo = datadir / "ib_logfile0";
  std::error_code ec;
  if (!fs::is_regular_file(redo, ec) || ReadFile(redo).size() < 4096) {
    GTEST_SKIP() << "the fixture's datadir " << datadir
                 << " is not readable here (remote server, or not root)";
  }
  const auto t0 = std::chrono::steady_clock::now();

  const std::string campaign = CustomerCampaign();
  const std::vector<std::string> subjects = {"E1", "E2", "E3", "E4", "E5"};
  std::vector<std::string> wanted;
  for (int i = 0; i < 40; ++i) wanted.push_back(subjects[i % subjects.size()]);
  const std::vector<std::string> tokens = Issue(campaign, wanted);
  ASSERT_EQ(tokens.size(), wanted.size());
  // Each answer carries a text found nowhere else, so plaintext answers
  // show up too, not only keys.
  const std::string marker =
      absl::StrCat("datadir-probe-", crypto::ToHex(*crypto::RandomId128(crypto::SystemRandom())));
  for (size_t i = 0; i < tokens.size(); ++i) {
    grpc::Status s = Submit(tokens[i], Scores(1 + i % 10), {},
                            absl::StrCat(marker, "-", i));
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const uint64_t lsn_after_answers = LsnNow();

  // What the API wrote, as the database stores it.
  const std::string db = ts_->db().config().database;
  const std::vector<std::string> ids = Binary(absl::StrCat(
      "SELECT HEX(id) FROM response WHERE campaign_id = '", campaign, "'"));
  const std::vector<std::string> hmacs = Binary(absl::StrCat(
      "SELECT HEX(token_hmac) FROM invitation WHERE campaign_id = '", campaign,
      "' AND state = 'used'"));
  ASSERT_EQ(ids.size(), tokens.size());
  ASSERT_EQ(hmacs.size(), tokens.size());

  const auto t_close = std::chrono::steady_clock::now();
  ASSERT_TRUE(Transition(campaign, false).ok());
  const double close_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_close).count();
  // The pages of both tables on disk now, not only in the buffer pool.
  ASSERT_TRUE(ts_->db().Execute("FLUSH TABLES response, invitation FOR EXPORT").ok());

  // 1. The redo log was replaced: it starts after the last answer, so none
  // of the Submit transactions (token marked used + response inserted) is
  // in it, encrypted or not.
  const std::string redo_bytes = ReadFile(redo);
  ASSERT_GE(redo_bytes.size(), 4096u);
  ASSERT_EQ(redo_bytes.compare(16, 7, "MariaDB"), 0) << "not a 10.8+ redo log header";
  EXPECT_GE(FirstLsn(redo_bytes), lsn_after_answers)
      << "ib_logfile0 still holds the records of the answers (log not replaced at close)";

  // 2. No file of the datadir shows a response id, a token HMAC (raw, or
  // in hex as a logged statement would) or an answer's text.
  NeedleSet needles;
  for (const std::string& id : ids) {
    needles.Add(id, "response id " + absl::BytesToHexString(id));
    needles.Add(absl::BytesToHexString(id), "response id (hex)");
    needles.Add(absl::AsciiStrToUpper(absl::BytesToHexString(id)), "response id (HEX)");
  }
  for (const std::string& h : hmacs) {
    needles.Add(h, "token hmac " + absl::BytesToHexString(h));
    needles.Add(absl::BytesToHexString(h), "token hmac (hex)");
    needles.Add(absl::AsciiStrToUpper(absl::BytesToHexString(h)), "token hmac (HEX)");
  }
  needles.Add(marker, "answer text");
  // The search is not blind: the same buffer with one id planted.
  ASSERT_EQ(needles.FindIn(absl::StrCat("xx", ids[3], "yy")).size(), 1u);

  std::vector<std::string> leaks;
  size_t files = 0, bytes = 0;
  bool saw_response_table = false;
  for (auto it = fs::recursive_directory_iterator(
           datadir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;  // sockets, vanished files
    const std::string data = ReadFile(it->path());
    ++files;
    bytes += data.size();
    if (it->path() == datadir / db / "response.ibd" && !data.empty()) {
      saw_response_table = true;
    }
    std::vector<std::string> found = needles.FindIn(data);
    if (!found.empty()) {
      leaks.push_back(absl::StrCat(it->path().string(), ": ", found.size(), " (",
                                   absl::StrJoin(found.begin(),
                                                 found.begin() + std::min<size_t>(3, found.size()),
                                                 ", "),
                                   found.size() > 3 ? ", ..." : "", ")"));
    }
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(saw_response_table) << "did not read " << (datadir / db / "response.ibd");
  EXPECT_TRUE(leaks.empty()) << "plaintext in the datadir after close:\n  "
                             << absl::StrJoin(leaks, "\n  ");
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("datadir: %zu files, %.1f MB, %zu needles; close (rebuild + new redo log) "
              "%.2f s; whole test %.2f s\n",
              files, bytes / 1e6, needles.size(), close_s, total_s);
}

}  // namespace
}  // namespace survey::testing
