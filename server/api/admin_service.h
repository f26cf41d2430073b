// AdminService (proto/survey/v1/admin.proto). Synchronous: its RPCs do
// blocking SQL and are rare; RPCs of later issues answer UNIMPLEMENTED
// through the generated base class.
#ifndef SURVEY_API_ADMIN_SERVICE_H_
#define SURVEY_API_ADMIN_SERVICE_H_

#include "api/auth.h"
#include "store/org_store.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::api {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // Both pointers must outlive the service.
  AdminServiceImpl(const Authenticator* auth, store::OrgStore* org)
      : auth_(auth), org_(org) {}

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

 private:
  const Authenticator* auth_;
  store::OrgStore* org_;
};

}  // namespace survey::api

#endif  // SURVEY_API_ADMIN_SERVICE_H_
