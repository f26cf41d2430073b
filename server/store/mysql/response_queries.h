// SQL of the answer path (see sql/003_responses.sql). Statements with a
// variable number of rows are built by repeating the row placeholder
// group; values are always bound, never spliced.
#ifndef SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_
#define SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_

namespace survey::store::mysql::queries {

// + "?, ?, ..." + ") FOR UPDATE"
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
inline constexpr char kResponseRow[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kUpsertAggregatesPrefix[] =
    "INSERT INTO aggregate (campaign_id, subject_kind, subject_code, period,"
    " group_code, n, total_sum, total_sum_sq) VALUES ";
inline constexpr char kAggregateRow[] = "(?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kUpsertAggregatesSuffix[] =
    " ON DUPLICATE KEY UPDATE n = n + VALUES(n),"
    " total_sum = total_sum + VALUES(total_sum),"
    " total_sum_sq = total_sum_sq + VALUES(total_sum_sq)";
inline constexpr char kUpsertAggregateSubsPrefix[] =
    "INSERT INTO aggregate_sub (campaign_id, subject_kind, subject_code,"
    " period, group_code, sub_index, sum, sum_sq,"
    " h1, h2, h3, h4, h5, h6, h7, h8, h9, h10) VALUES ";
inline constexpr char kAggregateSubRow[] =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kUpsertAggregateSubsSuffix[] =
    " ON DUPLICATE KEY UPDATE sum = sum + VALUES(sum),"
    " sum_sq = sum_sq + VALUES(sum_sq),"
    " h1 = h1 + VALUES(h1), h2 = h2 + VALUES(h2), h3 = h3 + VALUES(h3),"
    " h4 = h4 + VALUES(h4), h5 = h5 + VALUES(h5), h6 = h6 + VALUES(h6),"
    " h7 = h7 + VALUES(h7), h8 = h8 + VALUES(h8), h9 = h9 + VALUES(h9),"
    " h10 = h10 + VALUES(h10)";

}  // namespace survey::store::mysql::queries

#endif  // SURVEY_STORE_MYSQL_RESPONSE_QUERIES_H_
