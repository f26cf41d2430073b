// SQL of the answer path (see sql/003_responses.sql). SubmitBatch sends
// them over the text protocol, one round trip each: the lists and rows are
// appended with every value as a hex literal (store/mysql/literal.h), never
// spliced as text.
#ifndef SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_
#define SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_

namespace survey::store::mysql::queries {

// + "X'..', X'..', ..." + ") FOR UPDATE"
inline constexpr char kLockInvitationsPrefix[] =
    "SELECT token_hmac, campaign_id, subject_kind, subject_code, group_code,"
    " expires_at, state FROM invitation WHERE token_hmac IN (";
// Shared locks: batches do not block each other on a campaign, but closing
// it waits for batches in flight, so no answer lands after CloseCampaign.
inline constexpr char kCampaignsPrefix[] =
    "SELECT id, state, period, template_key, template_version FROM campaign"
    " WHERE id IN (";
inline constexpr char kCampaignsSuffix[] = ") LOCK IN SHARE MODE";
inline constexpr char kMarkUsedPrefix[] =
    "UPDATE invitation SET state = 'used' WHERE state = 'unused' AND"
    " token_hmac IN (";
inline constexpr char kInsertResponsesPrefix[] =
    "INSERT INTO response (id, campaign_id, subject_kind, subject_code,"
    " group_code, period, scores, reasons, comment) VALUES ";
}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_
