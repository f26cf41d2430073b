// A closed campaign's figures, built once from its responses (issue 13).
//
// Submit writes only the rows of its own tokens and answers; the shared
// per-(subject, period, group) aggregates that reports and the appraisal
// read are built here, after the close has committed (no answer can land
// any more: Submit holds a shared lock on the campaign row and refuses a
// campaign that is not open). Until `campaign.figures_built` is set the
// campaign's figures are withheld as for an open campaign, so a close
// interrupted between its two transactions shows counts only, and closing
// again finishes it.
#ifndef SURVEY_STORE_MYSQL_CAMPAIGN_FIGURES_H_
#define SURVEY_STORE_MYSQL_CAMPAIGN_FIGURES_H_

#include <string>

#include "absl/status/status.h"
#include "store/mysql/connection_pool.h"

namespace survey::store::mysql {

// In one transaction: replaces the campaign's aggregate rows by a
// recomputation from its responses and sets figures_built. Does nothing if
// they are built already. FailedPrecondition unless the campaign is
// closed; Unavailable/Aborted as RunInTransaction.
absl::Status BuildCampaignFigures(ConnectionPool& pool, const std::string& campaign_id);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_CAMPAIGN_FIGURES_H_
