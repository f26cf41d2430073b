// AdminService (proto/survey/v1/admin.proto). Synchronous: its RPCs do
// blocking SQL and are rare; RPCs of later issues answer UNIMPLEMENTED
// through the generated base class.
//
// Organisation RPCs: admin_service.cc. Templates, campaigns and
// invitations: admin_survey.cc.
#ifndef SURVEY_API_ADMIN_SERVICE_H_
#define SURVEY_API_ADMIN_SERVICE_H_

#include <functional>

#include "api/audit_log.h"
#include "api/auth.h"
#include "crypto/random.h"
#include "crypto/token.h"
#include "absl/time/time.h"
#include "domain/retention.h"
#include "store/org_store.h"
#include "store/retention_store.h"
#include "store/staff_store.h"
#include "store/survey_store.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::api {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // Every pointer must outlive the service. `random` supplies campaign ids,
  // invitation tokens and API keys; `hasher` turns tokens and keys into
  // what is stored. Without `staff` and `audit` the staff-access RPCs
  // answer UNIMPLEMENTED; without `audit` the organisation, template,
  // campaign and invitation RPCs do too, as their changes are recorded in it.
  AdminServiceImpl(const Authenticator* auth, store::OrgStore* org,
                   store::TemplateStore* templates,
                   store::CampaignStore* campaigns,
                   store::InvitationStore* invitations,
                   const crypto::TokenHasher* hasher,
                   crypto::RandomSource* random,
                   store::StaffStore* staff = nullptr,
                   store::AuditStore* audit = nullptr)
      : auth_(auth),
        org_(org),
        templates_(templates),
        campaigns_(campaigns),
        invitations_(invitations),
        hasher_(hasher),
        random_(random),
        staff_(staff),
        audit_(audit) {}

  grpc::Status ImportOrg(grpc::ServerContext* ctx,
                         const v1::ImportOrgRequest* req,
                         v1::ImportOrgResponse* resp) override;
  grpc::Status ListDepartments(grpc::ServerContext* ctx,
                               const v1::ListDepartmentsRequest* req,
                               v1::ListDepartmentsResponse* resp) override;
  grpc::Status ListEmployees(grpc::ServerContext* ctx,
                             const v1::ListEmployeesRequest* req,
                             v1::ListEmployeesResponse* resp) override;
  grpc::Status Deactivate(grpc::ServerContext* ctx,
                          const v1::DeactivateRequest* req,
                          v1::DeactivateResponse* resp) override;

  // HR and admin only (PERMISSION_DENIED otherwise); see admin.proto.
  grpc::Status CreateTemplate(grpc::ServerContext* ctx,
                              const v1::CreateTemplateRequest* req,
                              v1::Template* resp) override;
  grpc::Status GetTemplate(grpc::ServerContext* ctx,
                           const v1::GetTemplateRequest* req,
                           v1::Template* resp) override;
  grpc::Status ListTemplates(grpc::ServerContext* ctx,
                             const v1::ListTemplatesRequest* req,
                             v1::ListTemplatesResponse* resp) override;
  grpc::Status CreateCampaign(grpc::ServerContext* ctx,
                              const v1::CreateCampaignRequest* req,
                              v1::Campaign* resp) override;
  grpc::Status GetCampaign(grpc::ServerContext* ctx,
                           const v1::GetCampaignRequest* req,
                           v1::Campaign* resp) override;
  grpc::Status ListCampaigns(grpc::ServerContext* ctx,
                             const v1::ListCampaignsRequest* req,
                             v1::ListCampaignsResponse* resp) override;
  grpc::Status OpenCampaign(grpc::ServerContext* ctx,
                            const v1::CampaignTransitionRequest* req,
                            v1::Campaign* resp) override;
  grpc::Status CloseCampaign(grpc::ServerContext* ctx,
                             const v1::CampaignTransitionRequest* req,
                             v1::Campaign* resp) override;
  grpc::Status IssueInvitations(
      grpc::ServerContext* ctx, const v1::IssueInvitationsRequest* req,
      grpc::ServerWriter<v1::IssuedInvitation>* writer) override;
  grpc::Status RevokeInvitations(grpc::ServerContext* ctx,
                                 const v1::RevokeInvitationsRequest* req,
                                 v1::RevokeInvitationsResponse* resp) override;

  // Staff access and audit, admin only (admin_staff.cc; admin.proto).
  grpc::Status UpsertStaffAccount(grpc::ServerContext* ctx,
                                  const v1::StaffAccount* req,
                                  v1::StaffAccount* resp) override;
  grpc::Status ListStaffAccounts(grpc::ServerContext* ctx,
                                 const v1::ListStaffAccountsRequest* req,
                                 v1::ListStaffAccountsResponse* resp) override;
  grpc::Status CreateApiKey(grpc::ServerContext* ctx,
                            const v1::CreateApiKeyRequest* req,
                            v1::CreateApiKeyResponse* resp) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* ctx,
                            const v1::RevokeApiKeyRequest* req,
                            v1::RevokeApiKeyResponse* resp) override;
  grpc::Status ListApiKeys(grpc::ServerContext* ctx,
                           const v1::ListApiKeysRequest* req,
                           v1::ListApiKeysResponse* resp) override;
  grpc::Status VerifyAudit(grpc::ServerContext* ctx,
                           const v1::VerifyAuditRequest* req,
                           v1::VerifyAuditResponse* resp) override;
  grpc::Status ListAudit(grpc::ServerContext* ctx,
                         const v1::ListAuditRequest* req,
                         v1::ListAuditResponse* resp) override;

  // Retention (admin_retention.cc). Without EnableRetention it answers
  // UNIMPLEMENTED. `zone` is the company's: it says which month "today" is.
  void EnableRetention(store::RetentionStore* store, domain::RetentionPolicy policy,
                       absl::TimeZone zone, std::function<int64_t()> now_unix);
  grpc::Status ApplyRetention(grpc::ServerContext* ctx,
                              const v1::ApplyRetentionRequest* req,
                              v1::ApplyRetentionResponse* resp) override;

 private:
  // The admin calling, if the staff stores are wired.
  absl::StatusOr<Principal> StaffAdmin(const grpc::ServerContext& ctx) const;
  // Who records an organisation change made by `p`, and where.
  absl::StatusOr<store::OrgAudit> OrgAuditOf(const Principal& p) const;
  // Who records the caller's survey changes, if the caller is HR or admin
  // and the survey stores and the audit log are wired.
  absl::StatusOr<store::ChangeAudit> CheckSurveyCaller(
      const grpc::ServerContext& ctx) const;
  grpc::Status Move(grpc::ServerContext* ctx, const std::string& id,
                    domain::CampaignState to, v1::Campaign* resp);

  const Authenticator* auth_;
  store::OrgStore* org_;
  store::TemplateStore* templates_;
  store::CampaignStore* campaigns_;
  store::InvitationStore* invitations_;
  const crypto::TokenHasher* hasher_;
  crypto::RandomSource* random_;
  store::StaffStore* staff_;
  store::AuditStore* audit_;
  store::RetentionStore* retention_ = nullptr;
  domain::RetentionPolicy retention_policy_;
  absl::TimeZone zone_;
  std::function<int64_t()> now_unix_;
};

}  // namespace survey::api

#endif  // SURVEY_API_ADMIN_SERVICE_H_
