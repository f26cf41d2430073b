// submit_bench: how fast answers get from the app into the database.
//
// Not a CI test; tests/bench/run.sh builds and runs it against a private
// MariaDB. Everything runs in this one process on the same machine as the
// database: the real server (TestServer, plaintext loopback gRPC), the
// simulator as the load (callback API, Submit only, --concurrency calls
// over --connections TCP connections), and the raw store.
//
// Scenarios, each answer scenario on a fresh database and campaign with the
// same number of answers (--answers tokens over --subjects employees,
// issued through AdminService):
//   group-commit   end to end, the ingest as configured (batches of 100)
//   empty-calls    then, on the same server, Submit with a malformed token,
//                  refused before any database work: the gRPC ceiling
//   one-per-answer end to end, ingest_max_batch = 1 (one transaction each)
//   raw-batched    MysqlResponseStore::SubmitBatch in batches of --raw-batch
//                  from --raw-threads threads, no gRPC (server shut down)
//   raw-insert     only the INSERT of the same response rows, batches of
//                  --raw-batch: the database's own ceiling, for reference
//   half-peak      end to end, starts paced at --rate-fraction of the
//                  group-commit rate, for latency
// After each answer scenario the response count (and the used tokens and
// the aggregates' n) must equal the answers; otherwise the run fails
// (exit 1). Every scenario runs --repeat times, interleaved, and the
// summary shows each one's median. Targets: e2e >= 50 % of raw-batched,
// e2e >= 5x one-per-answer, p99 <= 25 ms at half of peak; missing one
// exits 3 only with --strict.
#include <CLI/CLI.hpp>
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "api/server.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "crypto/token.h"
#include "simulator/simulator.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/response_store.h"
#include "store/mysql/survey_store.h"
#include "store/template_cache.h"
#include "support/test_server.h"
#include "store/mysql/campaign_figures.h"
#include "store/mysql/connection_pool.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  int answers = 20000;
  int subjects = 200;
  int concurrency = 256;
  int connections = 4;
  int ingest_writers = 4;
  int ingest_max_batch = 100;
  double ingest_max_wait_ms = 2;
  int raw_batch = 100;
  int raw_threads = 4;
  int empty_calls = 0;  // 0 = --answers
  double rate_fraction = 0.5;
  uint64_t seed = 1;
  bool strict = false;
  bool json = false;
  bool verbose = false;
  int repeat = 3;
  std::vector<std::string> only;  // scenario names; empty = all
};

struct Result {
  std::string name;
  size_t count = 0;  // answers (or calls, for empty-calls)
  double seconds = 0;
  double per_second = 0;
  sim::LatencyStats latency;
  std::string note;
};

// A fresh database with its server, an opened customer campaign over
// `subjects` employees and `answers` tokens issued through AdminService.
struct Env {
  std::unique_ptr<testing::TestServer> ts;
  std::string pepper;  // the server's HMAC key, for the raw scenario
  std::vector<std::string> tokens;
  double setup_seconds = 0;
};

std::unique_ptr<grpc::ClientContext> StaffContext(int seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
  ctx->AddMetadata("x-survey-dev-principal", "hr");
  return ctx;
}

absl::Status FromGrpc(const std::string& what, const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

std::string EmployeeNo(int i) { return absl::StrFormat("E%04d", i + 1); }

absl::StatusOr<Env> Prepare(const Config& cfg, api::ServerOptions options) {
  const Clock::time_point t0 = Clock::now();
  Env env;
  absl::StatusOr<std::string> pepper_path = testing::WriteTestPepper();
  if (!pepper_path.ok()) return pepper_path.status();
  absl::StatusOr<std::string> pepper =
      crypto::ReadSecretFile(*pepper_path, crypto::kMinPepperBytes);
  if (!pepper.ok()) return pepper.status();
  env.pepper = *pepper;
  options.pepper_file = *pepper_path;
  absl::StatusOr<std::unique_ptr<testing::TestServer>> ts =
      testing::TestServer::Start(options);
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(*pepper_path).parent_path(),
                              ignored);
  if (!ts.ok()) return ts.status();
  env.ts = std::move(*ts);
  auto admin = v1::AdminService::NewStub(env.ts->channel());

  // ~200 engineers in 5 departments.
  v1::ImportOrgRequest org;
  const int departments = 5;
  for (int d = 0; d < departments; ++d) {
    v1::Department* dept = org.add_departments();
    dept->set_code(absl::StrCat("D", d));
    dept->set_name(absl::StrCat("售后服务", d, "部"));
  }
  for (int i = 0; i < cfg.subjects; ++i) {
    v1::Employee* e = org.add_employees();
    e->set_employee_no(EmployeeNo(i));
    e->set_name(absl::StrCat("工程师", i + 1));
    e->set_department_code(absl::StrCat("D", i % departments));
    e->set_post_type(v1::POST_TYPE_OTHER);
    e->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  }
  v1::ImportOrgResponse imported;
  if (absl::Status s = FromGrpc(
          "ImportOrg", admin->ImportOrg(StaffContext(60).get(), org, &imported));
      !s.ok()) {
    return s;
  }

  v1::CreateCampaignRequest create;
  create.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  create.mutable_campaign()->set_period("2026-11");
  create.mutable_campaign()->set_template_key("default");
  create.mutable_campaign()->mutable_title()->set_zh("基准测试");
  create.mutable_campaign()->mutable_title()->set_en("Benchmark");
  v1::Campaign campaign;
  if (absl::Status s = FromGrpc("CreateCampaign",
                                admin->CreateCampaign(StaffContext(60).get(),
                                                      create, &campaign));
      !s.ok()) {
    return s;
  }
  v1::CampaignTransitionRequest open;
  open.set_id(campaign.id());
  v1::Campaign opened;
  if (absl::Status s = FromGrpc(
          "OpenCampaign",
          admin->OpenCampaign(StaffContext(60).get(), open, &opened));
      !s.ok()) {
    return s;
  }

  // Service events round-robin over the subjects, in calls of 2000 (about
  // 24 KB: under the server's receive limit).
  const int chunk = 2000;
  for (int begin = 0; begin < cfg.answers; begin += chunk) {
    v1::IssueInvitationsRequest req;
    req.set_campaign_id(campaign.id());
    for (int i = begin; i < std::min(cfg.answers, begin + chunk); ++i) {
      req.add_events()->set_subject_employee_no(EmployeeNo(i % cfg.subjects));
    }
    auto ctx = StaffContext(600);
    auto reader = admin->IssueInvitations(ctx.get(), req);
    v1::IssuedInvitation inv;
    while (reader->Read(&inv)) env.tokens.push_back(inv.token());
    if (absl::Status s = FromGrpc("IssueInvitations", reader->Finish());
        !s.ok()) {
      return s;
    }
  }
  if (env.tokens.size() != static_cast<size_t>(cfg.answers)) {
    return absl::InternalError(absl::StrCat("issued ", env.tokens.size(),
                                            " tokens, wanted ", cfg.answers));
  }
  env.setup_seconds =
      std::chrono::duration<double>(Clock::now() - t0).count();
  return env;
}

absl::StatusOr<int64_t> Count(testing::TestDatabase& db,
                              const std::string& query) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db.Query(query);
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1 || (*rows)[0].size() != 1) {
    return absl::InternalError(absl::StrCat(query, ": not one value"));
  }
  return std::stoll((*rows)[0][0]);
}

// The database must hold exactly `expected` answers and used tokens.
absl::Status Verify(const std::string& scenario, Env& env, int64_t expected) {
  absl::StatusOr<int64_t> responses =
      Count(env.ts->db(), "SELECT COUNT(*) FROM response");
  if (!responses.ok()) return responses.status();
  absl::StatusOr<int64_t> used = Count(
      env.ts->db(), "SELECT COUNT(*) FROM invitation WHERE state = 'used'");
  if (!used.ok()) return used.status();
  // The figures are built when the campaign closes: close it if this
  // scenario left it open (the raw scenario runs without the server, so
  // state first, then the close's figure build, timed), then check them.
  auto open = env.ts->db().Query("SELECT id FROM campaign WHERE state = 'open'");
  if (!open.ok()) return open.status();
  for (const auto& row : *open) {
    if (absl::Status s = env.ts->db().Execute(
            absl::StrCat("UPDATE campaign SET state = 'closed' WHERE id = '", row[0], "'"));
        !s.ok()) {
      return s;
    }
    store::mysql::ConnectionPool pool(env.ts->db().config(), 2);
    const Clock::time_point t0 = Clock::now();
    if (absl::Status s = store::mysql::BuildCampaignFigures(pool, row[0]); !s.ok()) return s;
    std::printf("  closing built the figures of %lld answers in %.2f s\n",
                static_cast<long long>(*responses),
                std::chrono::duration<double>(Clock::now() - t0).count());
  }
  absl::StatusOr<int64_t> aggregated =
      Count(env.ts->db(), "SELECT COALESCE(SUM(n), 0) FROM aggregate");
  if (!aggregated.ok()) return aggregated.status();
  if (*responses != expected || *used != expected || *aggregated != expected) {
    return absl::DataLossError(absl::StrCat(
        scenario, ": expected ", expected, " answers, the database has ",
        *responses, " responses, ", *used, " used tokens, aggregate n = ",
        *aggregated));
  }
  std::printf("  verified: %lld responses = %lld used tokens = aggregate n\n",
              static_cast<long long>(*responses),
              static_cast<long long>(*used));
  return absl::OkStatus();
}

// Server-wide InnoDB counters around a load (the benchmark's database is
// the only busy one): transactions committed and row-lock waits.
struct DbCounters {
  int64_t commits = 0, lock_waits = 0, lock_wait_ms = 0, deadlocks = 0;
};

DbCounters ReadCounters(testing::TestDatabase& db) {
  DbCounters c;
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db.Query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit',"
      " 'Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Innodb_deadlocks')");
  if (!rows.ok()) return c;
  for (const std::vector<std::string>& row : *rows) {
    if (row.size() != 2) continue;
    const int64_t v = std::stoll(row[1]);
    if (row[0] == "Com_commit") c.commits = v;
    if (row[0] == "Innodb_row_lock_waits") c.lock_waits = v;
    if (row[0] == "Innodb_row_lock_time") c.lock_wait_ms = v;
    if (row[0] == "Innodb_deadlocks") c.deadlocks = v;
  }
  return c;
}

// "N txns (M per txn), W lock waits (T ms)" between `before` and now.
std::string CounterNote(testing::TestDatabase& db, const DbCounters& before,
                        size_t answers) {
  const DbCounters after = ReadCounters(db);
  const int64_t commits = after.commits - before.commits;
  std::string note = absl::StrFormat(
      "%d txns (%.1f answers each), %d row-lock waits (%d ms)", commits,
      commits > 0 ? static_cast<double>(answers) / commits : 0.0,
      after.lock_waits - before.lock_waits,
      after.lock_wait_ms - before.lock_wait_ms);
  if (after.deadlocks > before.deadlocks) {
    absl::StrAppend(&note, ", ", after.deadlocks - before.deadlocks,
                    " deadlocks");
  }
  return note;
}

sim::SimOptions LoadOptions(const Config& cfg) {
  sim::SimOptions o;
  o.concurrency = cfg.concurrency;
  o.fraction = 1;
  o.seed = cfg.seed;
  o.skip_get = true;
  o.retry_unavailable = true;
  o.retry_for_seconds = 120;
  o.timeout_seconds = 60;
  return o;
}

// `cfg.connections` channels of the load's own (not the one that issued
// the tokens), each its own TCP connection: distinct channel arguments keep
// gRPC from sharing one subchannel.
std::vector<std::shared_ptr<grpc::Channel>> LoadChannels(const Config& cfg,
                                                         Env& env, int tag) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < cfg.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("survey.bench.channel", tag * 1000 + i);
    channels.push_back(grpc::CreateCustomChannel(
        env.ts->address(), grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

absl::StatusOr<Result> RunEndToEnd(const std::string& name, const Config& cfg,
                                   Env& env, double rate) {
  sim::SimOptions o = LoadOptions(cfg);
  o.rate_per_second = rate;
  const DbCounters before = ReadCounters(env.ts->db());
  sim::SimSummary s =
      sim::RunSimulation(LoadChannels(cfg, env, 1), env.tokens, o);
  const std::string counters = CounterNote(env.ts->db(), before, s.answered);
  if (s.answered != env.tokens.size() || !s.ok()) {
    return absl::InternalError(absl::StrCat(
        name, ": the load did not end cleanly:\n", sim::SummaryText(s)));
  }
  Result r;
  r.name = name;
  r.count = s.answered;
  r.seconds = s.elapsed_seconds;
  r.per_second = s.answers_per_second;
  r.latency = s.submit_latency;
  r.note = counters;
  if (s.retries > 0) {
    absl::StrAppend(&r.note, ", ", s.retries, " retries after UNAVAILABLE");
  }
  if (absl::Status v = Verify(name, env, static_cast<int64_t>(s.answered));
      !v.ok()) {
    return v;
  }
  return r;
}

absl::StatusOr<Result> RunEmptyCalls(const Config& cfg, Env& env,
                                     int64_t answers_already_stored) {
  const size_t n = cfg.empty_calls > 0 ? cfg.empty_calls : cfg.answers;
  // '!' is never part of a token: NormalizeToken refuses it before any
  // hashing or database work.
  std::vector<std::string> malformed(n, "not-a-token!");
  sim::SimOptions o = LoadOptions(cfg);
  o.retry_unavailable = false;
  sim::SimSummary s = sim::RunSimulation(LoadChannels(cfg, env, 2), malformed, o);
  // Refused as malformed, or, once the address has used up its budget of
  // invalid tokens (if the server meters them), as RESOURCE_EXHAUSTED
  // before the token is even looked at.
  const int64_t invalid = s.status_counts[grpc::INVALID_ARGUMENT];
  const int64_t exhausted = s.status_counts[grpc::RESOURCE_EXHAUSTED];
  if (invalid + exhausted != static_cast<int64_t>(n)) {
    return absl::InternalError(absl::StrCat(
        "empty-calls: expected every call refused before any database "
        "work:\n",
        sim::SummaryText(s)));
  }
  Result r;
  r.name = "empty-calls";
  r.count = n;
  r.seconds = s.elapsed_seconds;
  r.per_second = s.elapsed_seconds > 0 ? n / s.elapsed_seconds : 0;
  r.latency = s.submit_latency;
  r.note = absl::StrCat("calls/s; ", invalid, " INVALID_ARGUMENT, ", exhausted,
                        " RESOURCE_EXHAUSTED");
  if (absl::Status v = Verify("empty-calls", env, answers_already_stored);
      !v.ok()) {
    return v;
  }
  return r;
}

// The same answers as the end-to-end runs draw (the simulator's
// generator), one per token.
std::vector<sim::Answer> Answers(const Config& cfg, size_t n) {
  sim::SimOptions o = LoadOptions(cfg);
  std::vector<sim::Answer> answers;
  answers.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ULL + i);
    answers.push_back(sim::GenerateAnswer(sim::FormShape(), o, rng));
  }
  return answers;
}

// Runs `batch(begin, n)` over [0, total) in slices of `slice` from
// `threads` threads; returns the seconds taken and each slice's latency.
// The first error stops nothing but is returned instead.
absl::StatusOr<std::pair<double, std::vector<double>>> RunSlices(
    size_t total, size_t slice, int threads,
    const std::function<absl::Status(size_t, size_t)>& batch) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  absl::Status first_error;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        const size_t begin = next.fetch_add(slice);
        if (begin >= total) return;
        const Clock::time_point sent = Clock::now();
        absl::Status s = batch(begin, std::min(slice, total - begin));
        const double ms =
            std::chrono::duration<double, std::milli>(Clock::now() - sent)
                .count();
        std::lock_guard<std::mutex> lock(mu);
        latencies_ms.push_back(ms);
        if (!s.ok() && first_error.ok()) first_error = s;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (!first_error.ok()) return first_error;
  return std::make_pair(seconds, std::move(latencies_ms));
}

absl::StatusOr<Result> RunRaw(const Config& cfg, Env& env) {
  // No gRPC: stop the server (it is idle), then only the store is left.
  env.ts->server().Shutdown(absl::ZeroDuration());
  absl::StatusOr<crypto::TokenHasher> hasher =
      crypto::TokenHasher::Create(env.pepper);
  if (!hasher.ok()) return hasher.status();

  // The same rows as the end-to-end runs, hashed the way Submit hashes.
  std::vector<sim::Answer> answers = Answers(cfg, env.tokens.size());
  std::vector<store::SubmitItem> items;
  items.reserve(env.tokens.size());
  for (size_t i = 0; i < env.tokens.size(); ++i) {
    sim::Answer& a = answers[i];
    items.push_back({hasher->Hmac(env.tokens[i]), std::move(a.scores),
                     std::move(a.reasons), std::move(a.comment)});
  }

  // One connection per thread, plus spares for the template load.
  store::mysql::ConnectionPool pool(env.ts->db().config(), cfg.raw_threads + 2);
  store::mysql::MysqlTemplateStore template_store(&pool);
  store::TemplateCache templates(
      [&template_store](const std::string& key,
                        int version) -> absl::StatusOr<domain::Template> {
        absl::StatusOr<store::StoredTemplate> t = template_store.Get(key, version);
        if (!t.ok()) return t.status();
        return std::move(t->tmpl);
      });
  store::mysql::MysqlResponseStore responses(
      &pool,
      [&templates](const std::string& key, int version) {
        return templates.Get(key, version);
      },
      &crypto::SystemRandom());
  {
    // Open the connections before the clock starts.
    std::vector<store::mysql::Lease> leases;
    for (int i = 0; i < cfg.raw_threads; ++i) {
      absl::StatusOr<store::mysql::Lease> lease = pool.Acquire();
      if (!lease.ok()) return lease.status();
      leases.push_back(std::move(*lease));
    }
  }

  std::atomic<int64_t> accepted{0};
  const size_t batch = static_cast<size_t>(cfg.raw_batch);
  const DbCounters before = ReadCounters(env.ts->db());
  absl::StatusOr<std::pair<double, std::vector<double>>> run = RunSlices(
      items.size(), batch, cfg.raw_threads,
      [&](size_t begin, size_t n) -> absl::Status {
        absl::StatusOr<std::vector<absl::Status>> results =
            responses.SubmitBatch(std::span(items).subspan(begin, n),
                                  absl::ToUnixSeconds(absl::Now()));
        if (!results.ok()) return results.status();
        for (const absl::Status& s : *results) {
          if (!s.ok()) return s;
          ++accepted;
        }
        return absl::OkStatus();
      });
  if (!run.ok()) {
    return absl::InternalError(absl::StrCat(
        "raw-batched: an answer was refused: ", run.status().ToString()));
  }
  const double seconds = run->first;
  Result r;
  r.name = "raw-batched";
  r.count = static_cast<size_t>(accepted.load());
  r.seconds = seconds;
  r.per_second = seconds > 0 ? r.count / seconds : 0;
  r.latency = sim::ComputeLatency(std::move(run->second));
  r.note = absl::StrCat("SubmitBatch x", batch, ", ", cfg.raw_threads,
                        " threads, latency per batch; ",
                        CounterNote(env.ts->db(), before, r.count));
  if (absl::Status v = Verify("raw-batched", env, accepted.load()); !v.ok()) {
    return v;
  }
  return r;
}

// What the issue's "raw batched insert" reference most likely measured:
// only the INSERT of the same response rows, `raw_batch` rows per
// statement (autocommit: one transaction each), without the token locks,
// the token update and the aggregates that SubmitBatch adds.
absl::StatusOr<Result> RunRawInsert(const Config& cfg, Env& env) {
  env.ts->server().Shutdown(absl::ZeroDuration());
  absl::StatusOr<std::vector<std::vector<std::string>>> cells = env.ts->db().Query(
      "SELECT i.campaign_id, i.subject_kind, i.subject_code, i.group_code,"
      " c.period FROM invitation i JOIN campaign c ON c.id = i.campaign_id");
  if (!cells.ok()) return cells.status();
  if (cells->size() != env.tokens.size()) {
    return absl::InternalError("raw-insert: invitations do not match tokens");
  }
  std::vector<sim::Answer> answers = Answers(cfg, env.tokens.size());
  std::vector<std::string> scores, reasons;
  for (const sim::Answer& a : answers) {
    scores.push_back(absl::StrJoin(a.scores, ","));
    reasons.push_back(nlohmann::json(a.reasons).dump());
  }
  store::mysql::ConnectionPool pool(env.ts->db().config(), cfg.raw_threads);
  {
    std::vector<store::mysql::Lease> leases;
    for (int i = 0; i < cfg.raw_threads; ++i) {
      absl::StatusOr<store::mysql::Lease> lease = pool.Acquire();
      if (!lease.ok()) return lease.status();
      leases.push_back(std::move(*lease));
    }
  }
  absl::StatusOr<std::pair<double, std::vector<double>>> run = RunSlices(
      answers.size(), static_cast<size_t>(cfg.raw_batch), cfg.raw_threads,
      [&](size_t begin, size_t n) -> absl::Status {
        absl::StatusOr<store::mysql::Lease> lease = pool.Acquire();
        if (!lease.ok()) return lease.status();
        std::string sql =
            "INSERT INTO response (id, campaign_id, subject_kind, subject_code,"
            " group_code, period, scores, reasons, comment) VALUES ";
        for (size_t k = 0; k < n; ++k) {
          absl::StrAppend(&sql, k ? ", " : "", "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        try {
          std::unique_ptr<sql::PreparedStatement> st(
              (*lease)->prepareStatement(sql));
          int p = 1;
          for (size_t i = begin; i < begin + n; ++i) {
            absl::StatusOr<crypto::Id128> id =
                crypto::RandomId128(crypto::SystemRandom());
            if (!id.ok()) return id.status();
            const std::vector<std::string>& cell = (*cells)[i];
            st->setString(p++, std::string(reinterpret_cast<const char*>(id->data()),
                                           id->size()));
            st->setString(p++, cell[0]);
            st->setString(p++, cell[1]);
            st->setString(p++, cell[2]);
            st->setString(p++, cell[3]);
            st->setString(p++, cell[4]);
            st->setString(p++, scores[i]);
            st->setString(p++, reasons[i]);
            st->setString(p++, answers[i].comment);
          }
          st->executeUpdate();
        } catch (const sql::SQLException& e) {
          lease->MarkBroken();
          return absl::InternalError(absl::StrCat("raw-insert: ", e.what()));
        }
        return absl::OkStatus();
      });
  if (!run.ok()) return run.status();
  Result r;
  r.name = "raw-insert";
  r.count = answers.size();
  r.seconds = run->first;
  r.per_second = r.seconds > 0 ? r.count / r.seconds : 0;
  r.latency = sim::ComputeLatency(std::move(run->second));
  r.note = absl::StrCat("INSERT x", cfg.raw_batch, " only, ", cfg.raw_threads,
                        " threads; latency per batch");
  absl::StatusOr<int64_t> stored =
      Count(env.ts->db(), "SELECT COUNT(*) FROM response");
  if (!stored.ok()) return stored.status();
  if (*stored != static_cast<int64_t>(r.count)) {
    return absl::DataLossError(absl::StrCat("raw-insert: expected ", r.count,
                                            " responses, the database has ",
                                            *stored));
  }
  std::printf("  verified: %lld responses\n", static_cast<long long>(*stored));
  return r;
}

void PrintResult(const Result& r) {
  std::printf(
      "  %-15s %7zu in %6.2f s  %9.0f /s   p50 %7.2f  p99 %7.2f  max %8.2f ms"
      "%s%s\n",
      r.name.c_str(), r.count, r.seconds, r.per_second, r.latency.p50_ms,
      r.latency.p99_ms, r.latency.max_ms, r.note.empty() ? "" : "  # ",
      r.note.c_str());
  std::fflush(stdout);
}

std::string JsonResult(const Result& r) {
  return absl::StrFormat(
      "\"%s\":{\"count\":%d,\"seconds\":%.3f,\"per_second\":%.1f,"
      "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}",
      r.name, r.count, r.seconds, r.per_second, r.latency.p50_ms,
      r.latency.p90_ms, r.latency.p99_ms, r.latency.max_ms);
}

api::ServerOptions ServerFor(const Config& cfg, int max_batch) {
  api::ServerOptions o;
  o.ingest_max_batch = max_batch;
  o.ingest_max_wait = absl::Microseconds(
      static_cast<int64_t>(cfg.ingest_max_wait_ms * 1000));
  o.ingest_writers = cfg.ingest_writers;
  return o;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "\nBENCHMARK FAILED: %s\n", s.ToString().c_str());
  return 1;
}

// Runs one scenario on a fresh environment; the environment (server and
// database) is gone when this returns.
template <typename F>
absl::StatusOr<Result> OnFreshEnv(const std::string& name, const Config& cfg,
                                  api::ServerOptions options, F run) {
  std::printf("%s: preparing %d tokens...\n", name.c_str(), cfg.answers);
  std::fflush(stdout);
  absl::StatusOr<Env> env = Prepare(cfg, std::move(options));
  if (!env.ok()) return env.status();
  std::printf("  setup (org, campaign, tokens) %.2f s\n", env->setup_seconds);
  std::fflush(stdout);
  return run(*env);
}

struct Round {
  std::optional<Result> group, one, raw, insert, empty, half;
};

bool Wanted(const Config& cfg, const std::string& name) {
  return cfg.only.empty() ||
         std::find(cfg.only.begin(), cfg.only.end(), name) != cfg.only.end();
}

// Every wanted scenario once, each (but empty-calls) on a fresh database.
absl::StatusOr<Round> RunRound(const Config& cfg) {
  Round round;
  // (a) group commit at full load, then (d) empty calls on the same server
  // (last: a server's abuse limiter may then refuse this address a while).
  if (Wanted(cfg, "group-commit") || Wanted(cfg, "empty-calls") ||
      Wanted(cfg, "half-peak")) {
    absl::StatusOr<Result> r = OnFreshEnv(
        "group-commit", cfg, ServerFor(cfg, cfg.ingest_max_batch),
        [&](Env& env) -> absl::StatusOr<Result> {
          absl::StatusOr<Result> g = RunEndToEnd("group-commit", cfg, env, 0);
          if (!g.ok()) return g;
          PrintResult(*g);
          if (Wanted(cfg, "empty-calls")) {
            std::printf("empty-calls: same server\n");
            absl::StatusOr<Result> e =
                RunEmptyCalls(cfg, env, static_cast<int64_t>(g->count));
            if (!e.ok()) return e.status();
            round.empty = *e;
            PrintResult(*round.empty);
          }
          return g;
        });
    if (!r.ok()) return r.status();
    round.group = *r;
  }

  // (b) one transaction per answer.
  if (Wanted(cfg, "one-per-answer")) {
    absl::StatusOr<Result> r =
        OnFreshEnv("one-per-answer", cfg, ServerFor(cfg, 1), [&](Env& env) {
          return RunEndToEnd("one-per-answer", cfg, env, 0);
        });
    if (!r.ok()) return r.status();
    round.one = *r;
    PrintResult(*round.one);
  }

  // (c) raw batches, no gRPC.
  if (Wanted(cfg, "raw-batched")) {
    absl::StatusOr<Result> r =
        OnFreshEnv("raw-batched", cfg, ServerFor(cfg, cfg.ingest_max_batch),
                   [&](Env& env) { return RunRaw(cfg, env); });
    if (!r.ok()) return r.status();
    round.raw = *r;
    PrintResult(*round.raw);
  }

  // (c') only the INSERT of the rows: the issue's reference, probably.
  if (Wanted(cfg, "raw-insert")) {
    absl::StatusOr<Result> r =
        OnFreshEnv("raw-insert", cfg, ServerFor(cfg, cfg.ingest_max_batch),
                   [&](Env& env) { return RunRawInsert(cfg, env); });
    if (!r.ok()) return r.status();
    round.insert = *r;
    PrintResult(*round.insert);
  }

  // (e) end to end at a fraction of this round's group-commit rate.
  if (Wanted(cfg, "half-peak")) {
    const double rate = cfg.rate_fraction * round.group->per_second;
    absl::StatusOr<Result> r = OnFreshEnv(
        "half-peak", cfg, ServerFor(cfg, cfg.ingest_max_batch),
        [&](Env& env) { return RunEndToEnd("half-peak", cfg, env, rate); });
    if (!r.ok()) return r.status();
    round.half = *r;
    round.half->note = absl::StrCat(
        absl::StrFormat("paced at %.0f/s = %.0f %% of group-commit; ", rate,
                        cfg.rate_fraction * 100),
        round.half->note);
    PrintResult(*round.half);
  }
  return round;
}

// The ratios and targets of `r`, one per line; with `all_met` non-null
// also whether every target that could be judged was met, else one line.
std::string Ratios(const Round& r, bool* all_met) {
  std::vector<std::string> lines;
  auto target = [&](const char* label, double value, const char* unit,
                    const char* goal, bool met) {
    if (all_met != nullptr) *all_met = *all_met && met;
    lines.push_back(absl::StrFormat("%-20s %7.2f%-3s target %-8s %s", label,
                                    value, unit, goal, met ? "met" : "NOT MET"));
  };
  if (r.group && r.raw) {
    const double v = r.group->per_second / r.raw->per_second;
    target("e2e / raw-batched", v, "", ">= 0.50", v >= 0.5);
  }
  if (r.group && r.one) {
    const double v = r.group->per_second / r.one->per_second;
    target("e2e / one-per-answer", v, "", ">= 5.00", v >= 5.0);
  }
  if (r.half) {
    target("p99 at half peak", r.half->latency.p99_ms, " ms", "<= 25 ms",
           r.half->latency.p99_ms <= 25.0);
  }
  if (r.group && r.insert) {
    lines.push_back(absl::StrFormat("%-20s %7.2f    (the INSERT alone, for reference)",
                                    "e2e / raw-insert",
                                    r.group->per_second / r.insert->per_second));
  }
  if (r.group && r.empty) {
    lines.push_back(absl::StrFormat("%-20s %7.2f    (share of the gRPC ceiling)",
                                    "e2e / empty calls",
                                    r.group->per_second / r.empty->per_second));
  }
  if (all_met == nullptr) {
    std::string compact;
    for (const std::string& line : lines) {
      // "e2e / raw-batched  0.73  target >= 0.50  met" -> "e2e / raw-batched 0.73 met"
      std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
      absl::StrAppend(&compact, compact.empty() ? "" : "; ", absl::StrJoin(words, " "));
    }
    return compact;
  }
  std::string out;
  for (const std::string& line : lines) absl::StrAppend(&out, "  ", line, "\n");
  return out;
}

int Main(int argc, char** argv) {
  Config cfg;
  CLI::App app{"submit_bench: Submit end to end vs one-per-answer vs raw"};
  app.add_option("--answers", cfg.answers, "answers per scenario")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--subjects", cfg.subjects, "employees the answers are about")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--concurrency", cfg.concurrency, "calls in flight")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--connections", cfg.connections,
                 "TCP connections the load is spread over")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--ingest-writers", cfg.ingest_writers,
                 "server: concurrent writer transactions")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--ingest-max-batch", cfg.ingest_max_batch,
                 "server: answers per transaction (group-commit scenarios)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--ingest-max-wait-ms", cfg.ingest_max_wait_ms,
                 "server: how long a batch's first answer may wait")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--raw-batch", cfg.raw_batch, "raw: answers per SubmitBatch")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--raw-threads", cfg.raw_threads, "raw: concurrent batches")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--empty-calls", cfg.empty_calls,
                 "empty-calls: calls (0 = --answers)")
      ->check(CLI::Range(0, 10000000))
      ->capture_default_str();
  app.add_option("--rate-fraction", cfg.rate_fraction,
                 "half-peak: share of the group-commit rate")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  app.add_option("--seed", cfg.seed, "answers' random seed")
      ->capture_default_str();
  app.add_flag("--strict", cfg.strict, "exit 3 when a target is missed");
  app.add_flag("--json", cfg.json, "also print one JSON line of the results");
  app.add_flag("--verbose", cfg.verbose, "the server's warnings too");
  app.add_option("--repeat", cfg.repeat,
                 "rounds of every scenario; the summary shows each one's "
                 "median round (by rate; half-peak by p99)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--only", cfg.only,
                 "scenarios to run (half-peak needs group-commit's rate, so "
                 "it runs that too)")
      ->check(CLI::IsMember({"group-commit", "empty-calls", "one-per-answer",
                             "raw-batched", "raw-insert", "half-peak"}))
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  // The server's warnings (e.g. about plaintext) are noise here; errors
  // are not.
  spdlog::set_level(cfg.verbose ? spdlog::level::warn : spdlog::level::err);
  if (testing::FixtureDbUrl().empty()) {
    return Fail(absl::FailedPreconditionError(
        "no database: set SURVEY_TEST_DB_URL or SURVEY_TEST_DB_URL_FILE "
        "(tests/bench/run.sh does)"));
  }
  std::printf(
      "submit_bench: %d answers/scenario over %d subjects, concurrency %d "
      "over %d connections, ingest writers %d, max wait %.1f ms, %u hardware "
      "threads\n\n",
      cfg.answers, cfg.subjects, cfg.concurrency, cfg.connections,
      cfg.ingest_writers,
      cfg.ingest_max_wait_ms, std::thread::hardware_concurrency());

  std::vector<Round> rounds;
  for (int i = 1; i <= cfg.repeat; ++i) {
    if (cfg.repeat > 1) std::printf("--- round %d of %d\n", i, cfg.repeat);
    absl::StatusOr<Round> round = RunRound(cfg);
    if (!round.ok()) return Fail(round.status());
    rounds.push_back(*round);
    if (cfg.repeat > 1) {
      std::printf("  round %d: %s\n", i, Ratios(*round, nullptr).c_str());
    }
  }
  // Per scenario the median round: by rate, and for the paced run by p99.
  Round median;
  for (std::optional<Result> Round::*field :
       {&Round::group, &Round::one, &Round::raw, &Round::insert, &Round::empty,
        &Round::half}) {
    std::vector<Result> runs;
    for (const Round& r : rounds) {
      if ((r.*field).has_value()) runs.push_back(*(r.*field));
    }
    if (runs.empty()) continue;
    const bool by_p99 = field == &Round::half;
    std::sort(runs.begin(), runs.end(), [by_p99](const Result& a, const Result& b) {
      return by_p99 ? a.latency.p99_ms < b.latency.p99_ms
                    : a.per_second < b.per_second;
    });
    median.*field = runs[runs.size() / 2];
  }

  std::printf("\nsummary%s (per second; latency in ms, Submit send to "
              "completion)\n",
              cfg.repeat > 1 ? absl::StrCat(", median of ", cfg.repeat,
                                            " rounds").c_str()
                             : "");
  for (const auto* r : {&median.group, &median.one, &median.raw,
                        &median.insert, &median.empty, &median.half}) {
    if (r->has_value()) PrintResult(**r);
  }
  std::printf("\n");
  bool all_met = true;
  std::printf("%s", Ratios(median, &all_met).c_str());
  if (cfg.json) {
    std::string json = "{";
    for (const auto* r : {&median.group, &median.one, &median.raw,
                          &median.insert, &median.empty, &median.half}) {
      if (!r->has_value()) continue;
      absl::StrAppend(&json, json.size() > 1 ? "," : "", JsonResult(**r));
    }
    absl::StrAppend(&json, ",\"rounds\":", cfg.repeat);
    if (median.group && median.raw) {
      absl::StrAppend(&json, absl::StrFormat(",\"e2e_over_raw\":%.3f",
                                             median.group->per_second /
                                                 median.raw->per_second));
    }
    if (median.group && median.one) {
      absl::StrAppend(&json, absl::StrFormat(",\"e2e_over_one\":%.3f",
                                             median.group->per_second /
                                                 median.one->per_second));
    }
    absl::StrAppend(&json, ",\"targets_met\":", all_met ? "true" : "false",
                    "}");
    std::printf("%s\n", json.c_str());
  }
  if (cfg.strict && !all_met) return 3;
  return 0;
}

}  // namespace
}  // namespace survey::bench

int main(int argc, char** argv) { return survey::bench::Main(argc, argv); }
