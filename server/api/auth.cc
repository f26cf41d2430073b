#include "api/auth.h"

#include <grpcpp/server_context.h>

#include "absl/strings/str_cat.h"

namespace survey::api {

absl::StatusOr<Principal> ParseDevPrincipal(std::string_view value) {
  size_t colon = value.find(':');
  std::string_view role = value.substr(0, colon);
  std::string_view scope =
      colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
  std::pair<std::string_view, std::string_view> parts{role, scope};
  Principal p;
  p.name = absl::StrCat("dev:", std::string(value));
  if (parts.first == "admin" && parts.second.empty()) {
    p.role = Role::kAdmin;
  } else if (parts.first == "hr" && parts.second.empty()) {
    p.role = Role::kHr;
  } else if (parts.first == "manager" && !parts.second.empty()) {
    p.role = Role::kManager;
    p.department_code = std::string(parts.second);
  } else if (parts.first == "employee" && !parts.second.empty()) {
    p.role = Role::kEmployee;
    p.employee_no = std::string(parts.second);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        kDevPrincipalHeader,
        ": expected admin, hr, manager:<department> or employee:<number>"));
  }
  return p;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContext& ctx) const {
  if (allow_dev_header_) {
    auto it = ctx.client_metadata().find(kDevPrincipalHeader);
    if (it != ctx.client_metadata().end()) {
      absl::StatusOr<Principal> p = ParseDevPrincipal(
          std::string_view(it->second.data(), it->second.size()));
      if (!p.ok()) return absl::UnauthenticatedError(p.status().message());
      return p;
    }
  }
  return absl::UnauthenticatedError("staff identity required");
}

absl::Status RequireHrOrAdmin(const Principal& p) {
  if (p.role == Role::kAdmin || p.role == Role::kHr) return absl::OkStatus();
  return absl::PermissionDeniedError("only HR and admins may do this");
}

absl::Status RequireDepartmentScope(const Principal& p, std::string_view code) {
  if (p.role == Role::kAdmin || p.role == Role::kHr) return absl::OkStatus();
  if (p.role == Role::kManager && p.department_code == code) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("no access to department \"", std::string(code), "\""));
}

}  // namespace survey::api
