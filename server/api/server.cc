#include "api/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/synchronization/notification.h"

#include "absl/strings/str_cat.h"
#include "api/account_service.h"
#include "api/admin_service.h"
#include "api/appraisal_service.h"
#include "api/abuse_limiter.h"
#include "api/audit_log.h"
#include "api/auth.h"
#include "api/call_count.h"
#include "api/call_log.h"
#include "api/connection_gate.h"
#include "api/health_monitor.h"
#include "api/plaintext_warning.h"
#include "api/status_trailers.h"
#include "api/tls_reload.h"
#include "api/report_service.h"
#include "api/respond_service.h"
#include "api/work_pool.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "crypto/sha256.h"
#include "crypto/token.h"
#include "domain/form.h"
#include "ingest/ingest_pipeline.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/response_store.h"
#include "store/mysql/survey_store.h"
#include "store/template_cache.h"
#include "store/mysql/migrations.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/org_store.h"
#include "store/mysql/staff_store.h"
#include "store/mysql/account_store.h"
#include "crypto/password.h"
#include "store/mysql/probe.h"
#include "store/mysql/read_routing.h"
#include "store/mysql/report_store.h"
#include "store/mysql/retention_store.h"
#include "store/mysql/appraisal_store.h"

namespace survey::api {
namespace {

// TLS through api/tls_reload.h, so that SIGHUP can replace the
// certificate; `tls` keeps the reloadable files.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(
    const ServerOptions& o, std::unique_ptr<ReloadableTls>* tls) {
  if (o.insecure) {
    spdlog::warn(
        "--insecure: serving PLAINTEXT without TLS and honouring the "
        "development identity header; never do this outside development");
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
    return absl::FailedPreconditionError(
        "TLS is required: give --tls-cert and --tls-key (see deploy/), or "
        "--insecure for local development");
  }
  absl::StatusOr<std::unique_ptr<ReloadableTls>> created = ReloadableTls::Create(
      {o.tls_cert_file, o.tls_key_file, o.tls_client_ca_file});
  if (!created.ok()) return created.status();
  *tls = *std::move(created);
  return (*tls)->credentials();
}

int64_t NowUnix() { return absl::ToUnixSeconds(absl::Now()); }

}  // namespace

// Members are destroyed in reverse order: the server (and its in-flight
// calls) first, then the pipeline that finishes them, then the stores.
struct SurveyServer::Impl {
  std::unique_ptr<store::mysql::ConnectionPool> pool;
  std::unique_ptr<crypto::TokenHasher> hasher;
  std::unique_ptr<store::mysql::MysqlOrgStore> org_store;
  std::unique_ptr<store::mysql::MysqlAuditStore> audit_store;
  std::unique_ptr<store::mysql::MysqlStaffStore> staff_store;
  std::unique_ptr<AuditLog> audit_log;  // staff actions (api/audit_log.h)
  std::unique_ptr<store::mysql::MysqlTemplateStore> template_store;
  std::unique_ptr<store::mysql::MysqlCampaignStore> campaign_store;
  std::unique_ptr<store::mysql::MysqlRetentionStore> retention_store;
  std::unique_ptr<store::mysql::MysqlInvitationStore> invitation_store;
  std::unique_ptr<store::TemplateCache> templates;
  std::unique_ptr<store::mysql::MysqlResponseStore> response_store;
  std::unique_ptr<ingest::IngestPipeline> pipeline;
  std::unique_ptr<WorkPool> read_pool;
  std::unique_ptr<AbuseLimiter> abuse;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<AdminServiceImpl> admin;
  std::unique_ptr<store::mysql::MysqlAccountStore> account_store;
  std::unique_ptr<crypto::PasswordHasher> passwords;
  std::unique_ptr<AccountServiceImpl> account;
  std::unique_ptr<RespondServiceImpl> respond;
  std::unique_ptr<store::mysql::MysqlReportStore> report_store;
  // --db-read-url: the replica and what decides, per read, whether it may
  // serve it; the report service reads through them.
  std::unique_ptr<store::mysql::ConnectionPool> replica_pool;
  std::unique_ptr<store::mysql::ReadRouting> read_routing;
  std::unique_ptr<store::mysql::MysqlReportStore> replica_report_store;
  std::unique_ptr<ReportServiceImpl> report;
  std::unique_ptr<store::mysql::MysqlAppraisalStore> appraisal_store;
  std::unique_ptr<AppraisalServiceImpl> appraisal;
  CallCount calls;  // outlives the server, whose interceptors count here
  std::unique_ptr<grpc::Server> server;
  // Our own listener (api/connection_gate.h), stopped before the server.
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor;
  std::unique_ptr<ConnectionGate> gate;
  // The certificate files behind the credentials (null with --insecure).
  std::unique_ptr<ReloadableTls> tls;
  std::unique_ptr<HealthMonitor> health;
  int port = 0;
  bool draining = false;
  bool shut_down = false;
  // grpc::Server::Shutdown runs here: it blocks while a staff handler is
  // stuck in SQL, which Shutdown() must not.
  std::thread grpc_stopper;
  absl::Notification grpc_stopping;
  absl::Notification grpc_stopped;
};

SurveyServer::SurveyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SurveyServer::~SurveyServer() {
  if (impl_ == nullptr) return;
  Shutdown(absl::ZeroDuration());
  // Waits for what Shutdown may have left running, before the services and
  // stores it uses are destroyed.
  if (impl_->grpc_stopper.joinable()) impl_->grpc_stopper.join();
  impl_->read_pool.reset();
  impl_->pipeline->Shutdown();
}

int SurveyServer::port() const { return impl_->port; }

AbuseLimiter& SurveyServer::abuse_limiter() { return *impl_->abuse; }

AuditLog& SurveyServer::audit_log() { return *impl_->audit_log; }

absl::Status SurveyServer::ReloadTls() {
  if (impl_->tls == nullptr) {
    return absl::FailedPreconditionError("no TLS to reload (--insecure)");
  }
  return impl_->tls->Reload();
}

absl::StatusOr<std::unique_ptr<SurveyServer>> SurveyServer::Start(
    const ServerOptions& options) {
  absl::StatusOr<store::DbConfig> db = store::ParseDbUrl(options.db_url);
  if (!db.ok()) return db.status();
  std::optional<store::DbConfig> replica;
  if (!options.db_read_url.empty()) {
    absl::StatusOr<store::DbConfig> r = store::ParseDbUrl(options.db_read_url);
    if (!r.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--db-read-url: ", r.status().message()));
    }
    replica = *std::move(r);
  }
  std::unique_ptr<ReloadableTls> tls;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeCredentials(options, &tls);
  if (!credentials.ok()) return credentials.status();

  absl::TimeZone time_zone;
  if (!absl::LoadTimeZone(options.time_zone, &time_zone)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--time-zone: cannot load the time zone \"", options.time_zone,
        "\" (an IANA name such as Asia/Shanghai; is the tzdata package installed?)"));
  }
  if (absl::Status s = domain::ValidateRetentionPolicy(options.retention); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", s.message()));
  }

  absl::StatusOr<store::mysql::MigrationResult> migrated = store::mysql::Migrate(
      *db, store::mysql::EmbeddedMigrations());
  if (!migrated.ok()) return migrated.status();
  if (!migrated->applied.empty()) {
    spdlog::info("schema migrated from version {} to {}",
                 migrated->from_version, migrated->to_version);
  }

  if (options.pepper_file.empty()) {
    return absl::FailedPreconditionError(
        "--pepper-file is required (a file of at least 32 secret bytes, mode "
        "0600; e.g. openssl rand -hex 32)");
  }
  absl::StatusOr<std::string> pepper =
      crypto::ReadSecretFile(options.pepper_file, crypto::kMinPepperBytes);
  if (!pepper.ok()) return pepper.status();
  absl::StatusOr<crypto::TokenHasher> hasher =
      crypto::TokenHasher::Create(std::move(*pepper));
  if (!hasher.ok()) return hasher.status();

  auto impl = std::make_unique<Impl>();
  impl->tls = std::move(tls);
  impl->hasher = std::make_unique<crypto::TokenHasher>(std::move(*hasher));
  // Writers and readers each need connections; the pool serves both.
  impl->pool = std::make_unique<store::mysql::ConnectionPool>(
      *db, options.db_pool_size + options.ingest_writers);
  store::mysql::ConnectionPool* pool = impl->pool.get();
  impl->org_store = std::make_unique<store::mysql::MysqlOrgStore>(pool);
  // The audit chain: SHA-256 links, sealed with the pepper
  // (domain/audit_chain.h).
  const crypto::TokenHasher* audit_key = impl->hasher.get();
  impl->audit_store = std::make_unique<store::mysql::MysqlAuditStore>(
      pool, [](std::string_view data) { return crypto::Sha256(data); },
      [audit_key](std::string_view data) { return audit_key->Hmac(data); },
      [] { return absl::ToUnixMicros(absl::Now()); });
  impl->staff_store = std::make_unique<store::mysql::MysqlStaffStore>(
      pool, impl->audit_store.get());
  impl->audit_log = std::make_unique<AuditLog>(impl->audit_store.get());
  impl->template_store = std::make_unique<store::mysql::MysqlTemplateStore>(pool);
  impl->campaign_store = std::make_unique<store::mysql::MysqlCampaignStore>(pool);
  impl->invitation_store =
      std::make_unique<store::mysql::MysqlInvitationStore>(pool);
  if (absl::Status s = impl->template_store->EnsureDefault(domain::DefaultTemplate());
      !s.ok()) {
    return s;
  }
  store::TemplateStore* template_store = impl->template_store.get();
  impl->templates = std::make_unique<store::TemplateCache>(
      [template_store](const std::string& key,
                       int version) -> absl::StatusOr<domain::Template> {
        absl::StatusOr<store::StoredTemplate> t = template_store->Get(key, version);
        if (!t.ok()) return t.status();
        return std::move(t->tmpl);
      });
  store::TemplateCache* templates = impl->templates.get();
  impl->response_store = std::make_unique<store::mysql::MysqlResponseStore>(
      pool,
      [templates](const std::string& key, int version) {
        return templates->Get(key, version);
      },
      &crypto::SystemRandom());
  ingest::PipelineOptions ingest_options;
  ingest_options.max_batch = options.ingest_max_batch;
  ingest_options.max_wait = options.ingest_max_wait;
  ingest_options.writers = options.ingest_writers;
  ingest_options.capacity = options.ingest_capacity;
  ingest_options.busy_writers = options.ingest_busy_writers;
  impl->pipeline = std::make_unique<ingest::IngestPipeline>(
      impl->response_store.get(), ingest_options, NowUnix);
  impl->read_pool = std::make_unique<WorkPool>(options.read_threads, 10000);
  impl->abuse = std::make_unique<AbuseLimiter>(options.abuse);
  std::function<int64_t()> account_clock =
      options.account_clock ? options.account_clock : NowUnix;
  impl->auth = std::make_unique<Authenticator>(
      options.insecure, impl->staff_store.get(), impl->hasher.get(),
      impl->abuse.get(), account_clock);
  impl->account_store = std::make_unique<store::mysql::MysqlAccountStore>(
      pool, impl->audit_store.get());
  impl->auth->SetSessions(impl->account_store.get(), options.sessions);
  crypto::PasswordHashOptions hash_options;
  hash_options.max_concurrent = options.max_password_hashes;
  impl->passwords = std::make_unique<crypto::PasswordHasher>(hash_options);
  impl->account = std::make_unique<AccountServiceImpl>(
      impl->auth.get(), impl->account_store.get(), impl->hasher.get(),
      &crypto::SystemRandom(), impl->passwords.get(), impl->abuse.get(),
      options.sessions, account_clock);
  impl->admin = std::make_unique<AdminServiceImpl>(
      impl->auth.get(), impl->org_store.get(), impl->template_store.get(),
      impl->campaign_store.get(), impl->invitation_store.get(),
      impl->hasher.get(), &crypto::SystemRandom(), impl->staff_store.get(),
      impl->audit_store.get());
  impl->retention_store =
      std::make_unique<store::mysql::MysqlRetentionStore>(impl->pool.get());
  impl->admin->EnableRetention(impl->retention_store.get(), options.retention, time_zone,
                               NowUnix);
  impl->respond = std::make_unique<RespondServiceImpl>(
      impl->hasher.get(), impl->invitation_store.get(), templates,
      impl->pipeline.get(), impl->read_pool.get(), NowUnix,
      domain::TextLimits{}, impl->abuse.get());
  impl->report_store = std::make_unique<store::mysql::MysqlReportStore>(pool);
  store::ReportStore* report_reads = impl->report_store.get();
  if (replica.has_value()) {
    impl->replica_pool =
        std::make_unique<store::mysql::ConnectionPool>(*replica, options.db_pool_size);
    impl->read_routing =
        std::make_unique<store::mysql::ReadRouting>(pool, impl->replica_pool.get());
    impl->replica_report_store =
        std::make_unique<store::mysql::MysqlReportStore>(impl->read_routing.get());
    report_reads = impl->replica_report_store.get();
  }
  // The appraisal push reads figures from the primary: it writes sheets
  // from them in the same breath.
  impl->report = std::make_unique<ReportServiceImpl>(
      impl->auth.get(), impl->audit_log.get(), impl->org_store.get(), report_reads,
      templates);
  impl->appraisal_store = std::make_unique<store::mysql::MysqlAppraisalStore>(
      pool, impl->audit_store.get());
  impl->appraisal = std::make_unique<AppraisalServiceImpl>(
      impl->auth.get(), impl->audit_log.get(), impl->org_store.get(), impl->appraisal_store.get(),
      impl->report_store.get(), templates,
      options.appraisal_clock ? options.appraisal_clock : NowUnix, time_zone);

  grpc::EnableDefaultHealthCheckService(true);
  if (options.reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  }
  // The server accepts connections itself and hands them to gRPC: a cap
  // on live connections below the descriptor limit, and an accept loop
  // that survives EMFILE, which gRPC 1.51's does not (connection_gate.h).
  // Without SO_REUSEPORT a second server on a taken port fails to bind
  // instead of silently getting half of the connections.
  const int reserved_fds = options.db_pool_size + options.ingest_writers;
  const int64_t fd_limit = DescriptorLimit();
  int max_connections = DefaultMaxConnections(fd_limit, reserved_fds);
  if (options.max_connections > 0) {
    if (options.max_connections > max_connections) {
      spdlog::warn("--max-connections {} lowered to {}: the descriptor limit is {}",
                   options.max_connections, max_connections, fd_limit);
    } else {
      max_connections = options.max_connections;
    }
  }
  absl::StatusOr<std::unique_ptr<ConnectionGate>> gate =
      ConnectionGate::Listen(options.listen, max_connections);
  if (!gate.ok()) return gate.status();
  impl->gate = std::move(*gate);
  impl->port = impl->gate->port();
  spdlog::info("at most {} connections (descriptor limit {}); idle ones closed after {}",
               max_connections, fd_limit, absl::FormatDuration(options.max_connection_idle));
  grpc::ServerBuilder builder;
  impl->acceptor = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      *credentials);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_IDLE_MS,
      static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(options.max_connection_idle), INT32_MAX)));
  // Transport limits, explicit rather than gRPC's defaults (README
  // "Security"): an oversized message is refused with RESOURCE_EXHAUSTED
  // before it is parsed.
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             options.max_metadata_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_concurrent_streams);
  builder.AddChannelArgument(
      GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.handshake_timeout)));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.min_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES,
                             options.max_ping_strikes);
  grpc::ResourceQuota quota("survey-server");
  quota.Resize(static_cast<size_t>(options.memory_quota_bytes));
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  std::vector<std::unique_ptr<
      grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(impl->calls.MakeInterceptorFactory());
  interceptors.push_back(MakeStatusTrailersInterceptorFactory());
  interceptors.push_back(MakeCallLogInterceptorFactory());  // --log-level debug
  if (options.insecure) {
    interceptors.push_back(MakePlaintextWarningInterceptorFactory(
        std::make_shared<PlaintextConnectionWarner>()));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(impl->admin.get());
  builder.RegisterService(impl->respond.get());
  builder.RegisterService(impl->report.get());
  builder.RegisterService(impl->appraisal.get());
  builder.RegisterService(impl->account.get());
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr) {
    return absl::InternalError(absl::StrCat("cannot start gRPC on ", options.listen));
  }
  impl->gate->Start(impl->acceptor.get());
  grpc::HealthCheckServiceInterface* health =
      impl->server->GetHealthCheckService();
  // Answers for each service name too, not only for "" (load balancers and
  // app teams check the service they use); every one follows the database.
  for (const char* name : {"survey.v1.RespondService", "survey.v1.AdminService",
                           "survey.v1.ReportService", "survey.v1.AppraisalService",
                           "survey.v1.AccountService"}) {
    health->SetServingStatus(name, false);
  }
  health->SetServingStatus(false);
  impl->health = std::make_unique<HealthMonitor>(
      std::make_unique<store::mysql::MysqlProbe>(*db), options.health_interval,
      [health](bool serving) { health->SetServingStatus(serving); });
  return std::unique_ptr<SurveyServer>(new SurveyServer(std::move(impl)));
}

void SurveyServer::StartDraining() {
  if (impl_ == nullptr || impl_->draining) return;
  impl_->draining = true;
  // Load balancers see NOT_SERVING and stop sending new calls; the monitor
  // stops so that a database probe never turns it back to SERVING.
  impl_->health->Stop();
  impl_->server->GetHealthCheckService()->SetServingStatus(false);
}

bool SurveyServer::Shutdown(absl::Duration grace) {
  if (impl_ == nullptr || impl_->shut_down) return true;
  impl_->shut_down = true;
  StartDraining();
  const absl::Time end = absl::Now() + grace;
  // Respondent calls still waiting at `answer_by` are told to retry, early
  // enough for that answer to be sent before gRPC cuts what is left.
  const absl::Time answer_by = end - std::min(grace / 4, absl::Milliseconds(250));
  const absl::Time cut = std::max(end, answer_by + absl::Milliseconds(100));
  // New respondent calls hear "retry later" (apps back off for
  // retry-after-ms); gRPC stops accepting once they are quiet (at most 1 s
  // for apps that do not back off). Calls in flight go on meanwhile.
  impl_->respond->Refuse();
  impl_->respond->WaitQuiet(absl::Milliseconds(50),
                            std::min(answer_by, absl::Now() + absl::Seconds(1)));
  impl_->gate->Stop();  // new connections are refused by the kernel now
  grpc::Server* server = impl_->server.get();
  absl::Notification* stopping = &impl_->grpc_stopping;
  absl::Notification* stopped = &impl_->grpc_stopped;
  // Refuses new calls at once; in-flight ones run until `cut`.
  impl_->grpc_stopper = std::thread([server, stopping, stopped, cut] {
    stopping->Notify();
    server->Shutdown(absl::ToChronoTime(cut));
    server->Wait();
    stopped->Notify();
  });
  // A Submit in flight is finished by the pipeline's writers, which keep
  // running meanwhile.
  impl_->respond->WaitAnswered(answer_by);
  size_t told = impl_->respond->Close();
  impl_->pipeline->Abandon();  // answers queued but not yet written
  if (told > 0) {
    spdlog::warn("shutdown: {} respondent calls still waiting for the database "
                 "were told to retry",
                 told);
  }
  // With no call left, idle connections are closed now: gRPC would wait
  // for each client to answer its GOAWAY, until `cut`. A call that slips in
  // between sees its connection close (UNAVAILABLE to the client).
  stopping->WaitForNotification();
  if (impl_->calls.WaitNone(cut)) grpc_server_cancel_all_calls(server->c_server());
  // Batches already in a transaction, and the last health probe, get
  // until `cut`; gRPC a little longer to cancel what is left and return.
  bool work_done = impl_->respond->WaitIdle(cut);
  bool grpc_done = stopped->WaitForNotificationWithDeadline(
      std::max(cut, absl::Now()) + absl::Milliseconds(500));
  bool probe_done = impl_->health->WaitStopped(absl::Now() + absl::Milliseconds(100));
  if (!work_done || !grpc_done || !probe_done) {
    spdlog::warn("shutdown: database work still running after the grace period "
                 "(database paused or unreachable?)");
    return false;
  }
  impl_->grpc_stopper.join();
  impl_->pipeline->Shutdown();
  return true;
}

}  // namespace survey::api
