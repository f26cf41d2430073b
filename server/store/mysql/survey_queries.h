// Every SQL statement of the template, campaign and invitation stores, as
// named constants. The schema lives in sql/002_surveys.sql.
#ifndef SURVEY_STORE_MYSQL_SURVEY_QUERIES_H_
#define SURVEY_STORE_MYSQL_SURVEY_QUERIES_H_

namespace survey::store::mysql::queries {

// ---- templates ----
// Locks the key's versions (and, for a new key, the gap where it would go),
// so concurrent creators serialise; a deadlock between two creators of a
// new key is retried by RunInTransaction.
inline constexpr char kLockMaxTemplateVersion[] =
    "SELECT COALESCE(MAX(version), 0) FROM survey_template"
    " WHERE template_key = ? FOR UPDATE";
inline constexpr char kInsertTemplate[] =
    "INSERT INTO survey_template (template_key, version, definition)"
    " VALUES (?, ?, ?)";
// A no-op on an existing row. Unlike INSERT IGNORE it does not turn other
// errors (truncation, bad data) into warnings.
inline constexpr char kInsertTemplateIfAbsent[] =
    "INSERT INTO survey_template (template_key, version, definition)"
    " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE template_key = template_key";
// Columns: key, version, definition, in_use.
#define SURVEY_TEMPLATE_COLUMNS                                          \
  "SELECT t.template_key, t.version, t.definition, EXISTS(SELECT 1"      \
  " FROM campaign c WHERE c.template_key = t.template_key"               \
  " AND c.template_version = t.version AND c.state <> 'draft')"          \
  " FROM survey_template t"
inline constexpr char kGetTemplateVersion[] =
    SURVEY_TEMPLATE_COLUMNS " WHERE t.template_key = ? AND t.version = ?";
inline constexpr char kGetTemplateLatest[] =
    SURVEY_TEMPLATE_COLUMNS
    " WHERE t.template_key = ? ORDER BY t.version DESC LIMIT 1";
inline constexpr char kListLatestTemplates[] =
    SURVEY_TEMPLATE_COLUMNS
    " JOIN (SELECT template_key, MAX(version) AS latest FROM survey_template"
    " GROUP BY template_key) m"
    " ON m.template_key = t.template_key AND m.latest = t.version"
    " ORDER BY t.template_key";
#undef SURVEY_TEMPLATE_COLUMNS

// ---- campaigns ----
// Shared locks: the template version cannot vanish before the campaign
// row referencing it commits (rows are never deleted anyway).
inline constexpr char kLatestTemplateVersion[] =
    "SELECT MAX(version) FROM survey_template WHERE template_key = ?"
    " LOCK IN SHARE MODE";
inline constexpr char kTemplateVersionExists[] =
    "SELECT 1 FROM survey_template WHERE template_key = ? AND version = ?"
    " LOCK IN SHARE MODE";
inline constexpr char kInsertCampaign[] =
    "INSERT INTO campaign (id, kind, period, template_key, template_version,"
    " title_zh, title_en, anonymity_k, comment_k, state)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft')";
// Columns 1..10: the campaign; 11, 12: invitations issued, responses
// (answered invitations: the response table is not read, by design).
#define SURVEY_CAMPAIGN_COLUMNS                                              \
  "SELECT c.id, c.kind, c.period, c.template_key, c.template_version,"       \
  " c.title_zh, c.title_en, c.anonymity_k, c.comment_k, c.state,"            \
  " (SELECT COUNT(*) FROM invitation i WHERE i.campaign_id = c.id),"         \
  " (SELECT COUNT(*) FROM invitation i WHERE i.campaign_id = c.id"           \
  " AND i.state = 'used') FROM campaign c"
inline constexpr char kGetCampaign[] = SURVEY_CAMPAIGN_COLUMNS
    " WHERE c.id = ?";
// Parameters: period twice, state word twice ('' = any).
inline constexpr char kListCampaigns[] = SURVEY_CAMPAIGN_COLUMNS
    " WHERE (? = '' OR c.period = ?) AND (? = '' OR c.state = ?)"
    " ORDER BY c.period, c.id";
#undef SURVEY_CAMPAIGN_COLUMNS
inline constexpr char kLockCampaignState[] =
    "SELECT state FROM campaign WHERE id = ? FOR UPDATE";
inline constexpr char kUpdateCampaignState[] =
    "UPDATE campaign SET state = ? WHERE id = ?";
// Held while inserting invitations: a concurrent close waits for it.
inline constexpr char kShareLockCampaignState[] =
    "SELECT state FROM campaign WHERE id = ? LOCK IN SHARE MODE";

// ---- invitations ----
// Multi-row statements: the head, then kInvitationRow or "?" repeated
// (joined by ", "), then the tail. At most kMaxRowsPerStatement rows each.
inline constexpr int kMaxRowsPerStatement = 500;
inline constexpr char kInsertInvitationsHead[] =
    "INSERT INTO invitation (token_hmac, campaign_id, subject_kind,"
    " subject_code, group_code, expires_at) VALUES ";
inline constexpr char kInvitationRow[] = "(?, ?, ?, ?, ?, ?)";
inline constexpr char kLockInvitationsHead[] =
    "SELECT HEX(token_hmac), state, campaign_id, subject_kind, subject_code,"
    " group_code FROM invitation WHERE token_hmac IN (";
// Per-cell counts for response rates (sql/005_invitation_tally.sql).
inline constexpr char kTallyIssuedHead[] =
    "INSERT INTO invitation_tally (campaign_id, subject_kind, subject_code,"
    " group_code, issued, revoked) VALUES ";
inline constexpr char kTallyIssuedRow[] = "(?, ?, ?, ?, ?, 0)";
inline constexpr char kTallyIssuedTail[] =
    " ON DUPLICATE KEY UPDATE issued = issued + VALUES(issued)";
inline constexpr char kTallyRevoked[] =
    "UPDATE invitation_tally SET revoked = revoked + ? WHERE campaign_id = ?"
    " AND subject_kind = ? AND subject_code = ? AND group_code = ?";
inline constexpr char kLockInvitationsTail[] = ") FOR UPDATE";
inline constexpr char kRevokeInvitationsHead[] =
    "UPDATE invitation SET state = 'revoked'"
    " WHERE state = 'unused' AND token_hmac IN (";
inline constexpr char kRevokeInvitationsTail[] = ")";
// Columns 1..10: the campaign; then subject kind, code, name, subject's
// department code and name, group code and name, expires_at, state.
inline constexpr char kFindInvitation[] =
    "SELECT c.id, c.kind, c.period, c.template_key, c.template_version,"
    " c.title_zh, c.title_en, c.anonymity_k, c.comment_k, c.state,"
    " i.subject_kind, i.subject_code, COALESCE(e.name, sd.name, ''),"
    " COALESCE(e.department_code, ''), COALESCE(ed.name, ''),"
    " i.group_code, COALESCE(g.name, ''), i.expires_at, i.state"
    " FROM invitation i JOIN campaign c ON c.id = i.campaign_id"
    " LEFT JOIN employee e"
    "   ON i.subject_kind = 'employee' AND e.employee_no = i.subject_code"
    " LEFT JOIN department ed ON ed.code = e.department_code"
    " LEFT JOIN department sd"
    "   ON i.subject_kind = 'department' AND sd.code = i.subject_code"
    " LEFT JOIN department g ON i.group_code <> '' AND g.code = i.group_code"
    " WHERE i.token_hmac = ?";

}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_SURVEY_QUERIES_H_
