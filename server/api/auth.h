// Staff identities and the role checks of every staff RPC.
//
// Until real credentials land (mTLS certificates and API keys), identity
// comes from the development-only metadata header
//   x-survey-dev-principal: admin | hr | manager:<department> | employee:<no>
// which the server honours only when started with --insecure. The role
// checks themselves are final.
#ifndef SURVEY_API_AUTH_H_
#define SURVEY_API_AUTH_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace grpc {
class ServerContext;
class CallbackServerContext;
}  // namespace grpc

namespace survey::api {

enum class Role { kAdmin, kHr, kManager, kEmployee };

struct Principal {
  Role role;
  std::string department_code;  // kManager: the department managed
  std::string employee_no;      // kEmployee: the employee
  std::string name;             // for audit and logs
};

inline constexpr char kDevPrincipalHeader[] = "x-survey-dev-principal";

// Parses the dev header value. InvalidArgument on anything else.
absl::StatusOr<Principal> ParseDevPrincipal(std::string_view value);

class Authenticator {
 public:
  explicit Authenticator(bool allow_dev_header)
      : allow_dev_header_(allow_dev_header) {}
  // Unauthenticated if no usable identity is present.
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContext& ctx) const;

 private:
  bool allow_dev_header_;
};

// PermissionDenied unless `p` is HR or admin.
absl::Status RequireHrOrAdmin(const Principal& p);
// PermissionDenied unless `p` may see the organisation data of department
// `code` (HR/admin: any; manager: their own).
absl::Status RequireDepartmentScope(const Principal& p, std::string_view code);

}  // namespace survey::api

#endif  // SURVEY_API_AUTH_H_
