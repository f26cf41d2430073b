#include "api/admin_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "api/status.h"

namespace survey::api {
namespace {

constexpr int kDefaultPageSize = 200;
constexpr int kMaxPageSize = 1000;

// Enum values the domain cannot represent are refused here, naming the
// field, instead of silently becoming "other".
absl::Status CheckEnums(const v1::ImportOrgRequest& req) {
  for (int i = 0; i < req.employees_size(); ++i) {
    const v1::Employee& e = req.employees(i);
    if (!v1::PostType_IsValid(e.post_type()) ||
        e.post_type() == v1::POST_TYPE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("employees[", i, "].post_type: required"));
    }
    if (!v1::Position_IsValid(e.position()) ||
        e.position() == v1::POSITION_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("employees[", i, "].position: required"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// Org imports and deactivations are recorded with the change (who, when,
// each record before and after): a move and a move back stay visible.
absl::StatusOr<store::OrgAudit> AdminServiceImpl::OrgAuditOf(const Principal& p) const {
  if (audit_ == nullptr) {
    return absl::UnimplementedError(
        "organisation changes are audited, and this server has no audit log");
  }
  return store::OrgAudit{audit_, AuditActorOf(p)};
}

grpc::Status AdminServiceImpl::ImportOrg(grpc::ServerContext* ctx,
                                         const v1::ImportOrgRequest* req,
                                         v1::ImportOrgResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<store::OrgAudit> audit = OrgAuditOf(*p);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (absl::Status s = CheckEnums(*req); !s.ok()) return ToGrpcStatus(s);

  std::vector<domain::Department> departments;
  std::vector<domain::Employee> employees;
  for (const v1::Department& d : req->departments()) {
    departments.push_back(FromProto(d));
  }
  for (const v1::Employee& e : req->employees()) {
    employees.push_back(FromProto(e));
  }
  // Names are stored as given after trimming spaces, so normalise here the
  // way the domain does (and refuse what it refuses).
  for (size_t i = 0; i < departments.size(); ++i) {
    absl::StatusOr<std::string> name = domain::NormalizeName(
        absl::StrCat("departments[", i, "].name"), departments[i].name);
    if (!name.ok()) return ToGrpcStatus(name.status());
    departments[i].name = *name;
  }
  for (size_t i = 0; i < employees.size(); ++i) {
    absl::StatusOr<std::string> name = domain::NormalizeName(
        absl::StrCat("employees[", i, "].name"), employees[i].name);
    if (!name.ok()) return ToGrpcStatus(name.status());
    employees[i].name = *name;
  }
  absl::StatusOr<store::ImportCounts> counts =
      org_->ImportOrg(departments, employees, *audit);
  if (!counts.ok()) return ToGrpcStatus(counts.status());
  resp->set_departments_created(counts->departments_created);
  resp->set_departments_updated(counts->departments_updated);
  resp->set_employees_created(counts->employees_created);
  resp->set_employees_updated(counts->employees_updated);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListDepartments(
    grpc::ServerContext* ctx, const v1::ListDepartmentsRequest* req,
    v1::ListDepartmentsResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (p->role == Role::kEmployee) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "employees may not list the organisation"));
  }
  absl::StatusOr<std::vector<domain::Department>> departments =
      org_->ListDepartments(req->include_inactive());
  if (!departments.ok()) return ToGrpcStatus(departments.status());
  for (const domain::Department& d : *departments) {
    if (!RequireDepartmentScope(*p, d.code).ok()) continue;
    ToProto(d, resp->add_departments());
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListEmployees(
    grpc::ServerContext* ctx, const v1::ListEmployeesRequest* req,
    v1::ListEmployeesResponse* resp) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  store::EmployeeFilter filter;
  filter.department_code = req->department_code();
  if (p->role == Role::kManager && filter.department_code.empty()) {
    filter.department_code = p->department_code;
  }
  if (p->role == Role::kEmployee) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "employees may not list the organisation"));
  }
  if (!filter.department_code.empty()) {
    if (absl::Status s = RequireDepartmentScope(*p, filter.department_code);
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  if (req->page_size() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("page_size: must not be negative"));
  }
  int page_size = req->page_size() == 0
                      ? kDefaultPageSize
                      : std::min(req->page_size(), kMaxPageSize);
  filter.include_inactive = req->include_inactive();
  filter.after_employee_no = req->page_token();
  // One extra row tells whether another page follows.
  filter.limit = page_size + 1;
  absl::StatusOr<std::vector<domain::Employee>> employees =
      org_->ListEmployees(filter);
  if (!employees.ok()) return ToGrpcStatus(employees.status());
  bool more = static_cast<int>(employees->size()) > page_size;
  if (more) employees->resize(page_size);
  for (const domain::Employee& e : *employees) {
    ToProto(e, resp->add_employees());
  }
  if (more) resp->set_next_page_token(employees->back().employee_no);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::Deactivate(grpc::ServerContext* ctx,
                                          const v1::DeactivateRequest* req,
                                          v1::DeactivateResponse*) {
  absl::StatusOr<Principal> p = auth_->Authenticate(*ctx);
  if (!p.ok()) return ToGrpcStatus(p.status());
  if (absl::Status s = RequireHrOrAdmin(*p); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<store::OrgAudit> audit = OrgAuditOf(*p);
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  switch (req->target_case()) {
    case v1::DeactivateRequest::kDepartmentCode:
      return ToGrpcStatus(org_->DeactivateDepartment(req->department_code(), *audit));
    case v1::DeactivateRequest::kEmployeeNo:
      return ToGrpcStatus(org_->DeactivateEmployee(req->employee_no(), *audit));
    default:
      return ToGrpcStatus(absl::InvalidArgumentError(
          "target: set department_code or employee_no"));
  }
}

}  // namespace survey::api
