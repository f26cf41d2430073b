// Storage of templates, campaigns and invitations, in the domain's words.
// One real implementation: store/mysql/survey_store.h. Every class here is
// thread-safe. Every change is recorded in the audit log (`audit`) in the
// transaction that makes it; a change that changes nothing records
// nothing. Every method may also return Unavailable (database unreachable)
// or Aborted (contention persisted through the retries).
#ifndef SURVEY_STORE_SURVEY_STORE_H_
#define SURVEY_STORE_SURVEY_STORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/campaign.h"
#include "domain/form.h"
#include "store/audit_store.h"

namespace survey::store {

// A template version as stored, with whether an opened (not draft)
// campaign uses it.
struct StoredTemplate {
  domain::Template tmpl;
  bool in_use = false;
};

class TemplateStore {
 public:
  virtual ~TemplateStore() = default;

  // Stores `t` as the next version of t.key: the highest stored version + 1,
  // or 1 for a new key (t.version is ignored). Returns the new version.
  // Concurrent creators of one key get distinct versions. Audited
  // "template.create", target "template:<key>/<version>", after: the
  // definition.
  // REQUIRES: domain::ValidateTemplate passes for `t` with any version >= 1.
  virtual absl::StatusOr<int> Create(const domain::Template& t,
                                     const ChangeAudit& audit) = 0;

  // Returns version `version` of `key`, 0 meaning the latest. NotFound if
  // there is no such key or version; Internal if the stored definition
  // cannot be parsed.
  virtual absl::StatusOr<StoredTemplate> Get(const std::string& key,
                                             int version) = 0;

  // Returns the latest version of every key, ordered by key.
  virtual absl::StatusOr<std::vector<StoredTemplate>> List() = 0;

  // Stores `t` under (t.key, t.version) unless that version exists; an
  // existing one is left untouched. Idempotent and safe against concurrent
  // callers (servers starting together). Used to seed
  // domain::DefaultTemplate() as ("default", 1).
  // REQUIRES: domain::ValidateTemplate(t).ok().
  virtual absl::Status EnsureDefault(const domain::Template& t) = 0;
};

// A campaign with its live counters.
struct CampaignRecord {
  domain::Campaign campaign;
  int64_t invitations_issued = 0;  // invitation rows, whatever their state
  int64_t responses = 0;           // invitation rows in state 'used'
};

struct CampaignFilter {
  std::string period;                          // "YYYY-MM"; empty = all
  std::optional<domain::CampaignState> state;  // absent = all
};

class CampaignStore {
 public:
  virtual ~CampaignStore() = default;

  // Stores a new draft campaign. c.template_version 0 is resolved to the
  // latest version of c.template_key inside the transaction. Returns the
  // stored record (counters 0). NotFound if the template key or version is
  // unknown; AlreadyExists if c.id is taken (a broken random source).
  // Audited "campaign.create", target "campaign:<id>", after: the campaign.
  // REQUIRES: domain::ValidateNewCampaign(c).ok(); c.id is a fresh random
  // 128-bit id in lower-case hex.
  virtual absl::StatusOr<CampaignRecord> Create(const domain::Campaign& c,
                                                const ChangeAudit& audit) = 0;

  // NotFound if unknown.
  virtual absl::StatusOr<CampaignRecord> Get(const std::string& id) = 0;

  // Campaigns matching `filter`, ordered by period, then id.
  virtual absl::StatusOr<std::vector<CampaignRecord>> List(
      const CampaignFilter& filter) = 0;

  // Moves campaign `id` to `to` under a row lock, by domain::Transition.
  // Returns the record afterwards. NotFound if unknown; FailedPrecondition
  // (with the domain's reason) if the move is not allowed. Repeating a
  // move that was made is OK and changes nothing. Audited "campaign.open"
  // or "campaign.close", target "campaign:<id>", the state before and after.
  // Closing builds the campaign's figures from its responses (Submit
  // keeps no running totals; store/mysql/campaign_figures.h), then
  // rebuilds the response and invitation tables: InnoDB keeps
  // in every record the id of the transaction that wrote it and places
  // records in arrival order, so a file-level copy (backup, snapshot) of an
  // unrebuilt table orders the answers by arrival and pairs each response
  // with the invitation marked used in the same transaction. After the
  // rebuild the records carry no transaction ids and sit in primary-key
  // (random) order. Then the redo log, which pairs each answer with its
  // token's HMAC, is replaced by a fresh file (store/mysql/redo_purge.h;
  // 1-2 s). If any step fails the campaign is closed but Unavailable is
  // returned; closing again repeats what is left.
  virtual absl::StatusOr<CampaignRecord> Transition(
      const std::string& id, domain::CampaignState to,
      const ChangeAudit& audit) = 0;
};

// HMAC-SHA256(pepper, token): the only trace of a token that is stored.
// Same type as crypto::Sha256Digest.
using TokenHmac = std::array<uint8_t, 32>;

// One invitation row. Deliberately no person, address or time of issue
// (DESIGN.md §2): the recipient of a cross-evaluation token is not here.
struct NewInvitation {
  TokenHmac token_hmac{};
  domain::SubjectKind subject_kind = domain::SubjectKind::kEmployee;
  std::string subject_code;  // employee number or department code
  std::string group_code;    // evaluating department; "" for customers
  int64_t expires_at = 0;    // unix seconds
};

struct RevokeCounts {
  int revoked = 0;       // now revoked (including already revoked before)
  int already_used = 0;  // answered: left unchanged, answers stay counted
  int unknown = 0;
};

// What a token gives access to, for the respondent's app.
struct InvitationView {
  domain::Campaign campaign;
  domain::SubjectKind subject_kind = domain::SubjectKind::kEmployee;
  std::string subject_code;
  std::string subject_name;  // the employee's or department's name
  // For an employee subject: their department; empty for a department.
  std::string subject_department_code;
  std::string subject_department_name;
  std::string group_code;  // evaluating department, "" for customers
  std::string group_name;  // its name, "" if none
  int64_t expires_at = 0;  // unix seconds
  domain::InvitationState state = domain::InvitationState::kUnused;
};

class InvitationStore {
 public:
  virtual ~InvitationStore() = default;

  // Inserts all of `invitations` for `campaign_id` in one transaction, all
  // or nothing. The caller chunks large issues (a few hundred rows per
  // call keeps transactions short). NotFound if the campaign is unknown;
  // FailedPrecondition if it is closed (checked under a shared row lock, so
  // a concurrent close cannot slip in between); AlreadyExists if a hash
  // is already stored (only with a broken random source). Audited
  // "invitations.issue", target "campaign:<id>", after: how many, their
  // expiry and how many per (subject, evaluating group); never a token or
  // its hash.
  virtual absl::Status Insert(const std::string& campaign_id,
                              const std::vector<NewInvitation>& invitations,
                              const ChangeAudit& audit) = 0;

  // Revokes the unused invitations among `hmacs`, in one transaction.
  // Used ones never change. Each entry of `hmacs` is counted once, so a
  // repeated call returns the same counts. Idempotent. Audited
  // "invitations.revoke" when it revokes any, target "campaign:<id>" (one
  // record per campaign touched), after: the counts; never a token or its
  // hash.
  virtual absl::StatusOr<RevokeCounts> Revoke(const std::vector<TokenHmac>& hmacs,
                                              const ChangeAudit& audit) = 0;

  // Returns the invitation with this hash, whatever its state or expiry
  // (the caller decides what to refuse). NotFound if unknown.
  virtual absl::StatusOr<InvitationView> FindByTokenHmac(
      const TokenHmac& hmac) = 0;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_SURVEY_STORE_H_
