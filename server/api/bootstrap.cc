#include "api/bootstrap.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/auth.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "crypto/sha256.h"
#include "crypto/token.h"
#include "store/mysql/audit_store.h"
#include "store/mysql/connection_pool.h"
#include "store/mysql/migrations.h"
#include "store/mysql/staff_store.h"

namespace survey::api {

absl::StatusOr<BootstrapResult> BootstrapAdmin(const ServerOptions& options,
                                               const std::string& name,
                                               int key_days) {
  if (absl::Status s = ValidateAccountName("--bootstrap-admin", name);
      !s.ok()) {
    return s;
  }
  if (key_days < 0 || key_days > 730) {
    return absl::InvalidArgumentError("--bootstrap-key-days: 0..730");
  }
  absl::StatusOr<store::DbConfig> db = store::ParseDbUrl(options.db_url);
  if (!db.ok()) return db.status();
  if (options.pepper_file.empty()) {
    return absl::FailedPreconditionError("--pepper-file is required");
  }
  absl::StatusOr<std::string> pepper =
      crypto::ReadSecretFile(options.pepper_file, crypto::kMinPepperBytes);
  if (!pepper.ok()) return pepper.status();
  absl::StatusOr<crypto::TokenHasher> hasher =
      crypto::TokenHasher::Create(std::move(*pepper));
  if (!hasher.ok()) return hasher.status();
  absl::StatusOr<store::mysql::MigrationResult> migrated =
      store::mysql::Migrate(*db, store::mysql::EmbeddedMigrations());
  if (!migrated.ok()) return migrated.status();

  store::mysql::ConnectionPool pool(*db, 1);
  const crypto::TokenHasher* h = &*hasher;
  store::mysql::MysqlAuditStore audit(
      &pool, [](std::string_view data) { return crypto::Sha256(data); },
      [h](std::string_view data) { return h->Hmac(data); },
      [] { return absl::ToUnixMicros(absl::Now()); });
  store::mysql::MysqlStaffStore staff(&pool, &audit);
  store::AuditActor actor{"system:bootstrap", "system"};

  store::StaffAccount account;
  account.name = name;
  account.role = store::StaffRole::kAdmin;
  account.active = true;
  absl::StatusOr<store::UpsertOutcome> upserted =
      staff.UpsertAccount(account, actor);
  if (!upserted.ok()) return upserted.status();
  BootstrapResult result;
  result.created = upserted->created;
  if (key_days == 0) return result;

  absl::StatusOr<GeneratedApiKey> key =
      GenerateApiKey(crypto::SystemRandom(), *hasher);
  if (!key.ok()) return key.status();
  int64_t now = absl::ToUnixSeconds(absl::Now());
  store::NewApiKey record;
  record.info.key_id = key->key_id;
  record.info.account_name = name;
  record.info.created_at = now;
  record.info.expires_at = now + int64_t{key_days} * 24 * 3600;
  record.info.created_by = actor.name;
  record.key_hmac = key->hmac;
  if (absl::Status s = staff.CreateApiKey(record, actor); !s.ok()) return s;
  result.key_id = key->key_id;
  result.key = key->key;
  result.expires_at = record.info.expires_at;
  return result;
}

}  // namespace survey::api
