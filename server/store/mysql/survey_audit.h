// The audit records of template, campaign and invitation changes
// (store/survey_store.h says which change records what). Never a token, its
// hash or an answer: an issue records how many tokens went to which
// subject, a revocation how many were revoked.
#ifndef SURVEY_STORE_MYSQL_SURVEY_AUDIT_H_
#define SURVEY_STORE_MYSQL_SURVEY_AUDIT_H_

#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/form.h"
#include "store/audit_store.h"
#include "store/survey_store.h"

namespace survey::store::mysql {

AuditEntry TemplateCreated(const AuditActor& actor, const domain::Template& stored);
AuditEntry CampaignCreated(const AuditActor& actor, const domain::Campaign& c);
// "campaign.open" / "campaign.close" (by `to`), state before and after.
AuditEntry CampaignMoved(const AuditActor& actor, const std::string& id,
                         domain::CampaignState from, domain::CampaignState to);
AuditEntry InvitationsIssued(const AuditActor& actor, const std::string& campaign_id,
                             const std::vector<NewInvitation>& invitations);
AuditEntry InvitationsRevoked(const AuditActor& actor, const std::string& campaign_id,
                              int64_t revoked, const RevokeCounts& call_counts);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_SURVEY_AUDIT_H_
