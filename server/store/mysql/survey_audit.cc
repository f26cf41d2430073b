#include "store/mysql/survey_audit.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/form_json.h"

namespace survey::store::mysql {
namespace {

std::string CampaignTarget(const std::string& id) { return absl::StrCat("campaign:", id); }

}  // namespace

AuditEntry TemplateCreated(const AuditActor& actor, const domain::Template& stored) {
  return AuditEntry{actor, "template.create",
                    absl::StrCat("template:", stored.key, "/", stored.version), "",
                    domain::TemplateToJson(stored)};
}

AuditEntry CampaignCreated(const AuditActor& actor, const domain::Campaign& c) {
  nlohmann::json after = {
      {"kind", std::string(domain::CampaignKindName(c.kind))},
      {"period", c.period},
      {"template", absl::StrCat(c.template_key, "/", c.template_version)},
      {"title_zh", c.title.zh},
      {"title_en", c.title.en},
      {"anonymity_k", c.anonymity_k},
      {"comment_k", c.comment_k},
      {"state", std::string(domain::CampaignStateName(c.state))}};
  return AuditEntry{actor, "campaign.create", CampaignTarget(c.id), "", after.dump()};
}

AuditEntry CampaignMoved(const AuditActor& actor, const std::string& id,
                         domain::CampaignState from, domain::CampaignState to) {
  std::string action = to == domain::CampaignState::kOpen     ? "campaign.open"
                       : to == domain::CampaignState::kClosed ? "campaign.close"
                                                              : "campaign.state";
  nlohmann::json before = {{"state", std::string(domain::CampaignStateName(from))}};
  nlohmann::json after = {{"state", std::string(domain::CampaignStateName(to))}};
  return AuditEntry{actor, std::move(action), CampaignTarget(id), before.dump(),
                    after.dump()};
}

AuditEntry InvitationsIssued(const AuditActor& actor, const std::string& campaign_id,
                             const std::vector<NewInvitation>& invitations) {
  // Counts per cell, in key order: what HR issued for whom, not to whom.
  std::map<std::pair<std::string, std::string>, int64_t> cells;
  int64_t expires_at = 0;
  for (const NewInvitation& inv : invitations) {
    ++cells[{std::string(domain::SubjectKindName(inv.subject_kind)) + ":" + inv.subject_code,
             inv.group_code}];
    expires_at = std::max(expires_at, inv.expires_at);
  }
  nlohmann::json per_cell = nlohmann::json::array();
  for (const auto& [cell, n] : cells) {
    nlohmann::json j = {{"subject", cell.first}, {"invitations", n}};
    if (!cell.second.empty()) j["evaluating_department"] = cell.second;
    per_cell.push_back(std::move(j));
  }
  nlohmann::json after = {{"invitations", invitations.size()},
                          {"expires_at_unix", expires_at},
                          {"subjects", std::move(per_cell)}};
  return AuditEntry{actor, "invitations.issue", CampaignTarget(campaign_id), "",
                    after.dump()};
}

AuditEntry InvitationsRevoked(const AuditActor& actor, const std::string& campaign_id,
                              int64_t revoked, const RevokeCounts& call_counts) {
  nlohmann::json after = {{"revoked_in_campaign", revoked},
                          {"request",
                           {{"revoked", call_counts.revoked},
                            {"already_used", call_counts.already_used},
                            {"unknown", call_counts.unknown}}}};
  return AuditEntry{actor, "invitations.revoke", CampaignTarget(campaign_id), "",
                    after.dump()};
}

}  // namespace survey::store::mysql
