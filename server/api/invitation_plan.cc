#include "api/invitation_plan.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/text.h"

namespace survey::api {
namespace {

constexpr int64_t kDefaultValiditySeconds = 30 * 86400;
constexpr int64_t kMaxValiditySeconds = 180 * 86400;
constexpr size_t kMaxLinkBaseBytes = 1000;
constexpr char kDefaultLinkBase[] = "survey://answer?t=";
constexpr int kMaxListedErrors = 20;

}  // namespace

absl::StatusOr<Org> LoadOrg(store::OrgStore& org) {
  Org out;
  absl::StatusOr<std::vector<domain::Department>> d = org.ListDepartments(true);
  if (!d.ok()) return d.status();
  out.departments = *std::move(d);
  store::EmployeeFilter filter;
  filter.include_inactive = true;
  filter.limit = 1000;
  while (true) {
    absl::StatusOr<std::vector<domain::Employee>> page =
        org.ListEmployees(filter);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    filter.after_employee_no = page->back().employee_no;
    for (domain::Employee& e : *page) out.employees.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<Planned>> PlanCustomer(
    const v1::IssueInvitationsRequest& req, const Org& org) {
  if (req.pairs_size() > 0) {
    return absl::InvalidArgumentError(
        "pairs: must be empty for a customer-satisfaction campaign");
  }
  if (req.events_size() == 0 || req.events_size() > kMaxInvitationsPerCall) {
    return absl::InvalidArgumentError(absl::StrCat(
        "events: give 1..", kMaxInvitationsPerCall, " service events"));
  }
  std::map<std::string, const domain::Employee*> employees;
  for (const domain::Employee& e : org.employees) employees[e.employee_no] = &e;
  std::vector<Planned> plan;
  std::vector<std::string> errors;
  int bad = 0;
  for (int i = 0; i < req.events_size(); ++i) {
    const std::string& no = req.events(i).subject_employee_no();
    auto it = employees.find(no);
    std::string why;
    if (no.empty()) {
      why = "required";
    } else if (it == employees.end()) {
      why = absl::StrCat("unknown employee \"", no, "\"");
    } else if (!it->second->active) {
      why = absl::StrCat("employee \"", no, "\" is inactive");
    }
    if (!why.empty()) {
      if (++bad <= kMaxListedErrors) {
        errors.push_back(
            absl::StrCat("events[", i, "].subject_employee_no: ", why));
      }
      continue;
    }
    plan.push_back({domain::SubjectKind::kEmployee, no, it->second->name,
                    it->second->department_code, "", "", i});
  }
  if (bad > kMaxListedErrors) {
    errors.push_back(absl::StrCat("... and ", bad - kMaxListedErrors, " more"));
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  return plan;
}

absl::StatusOr<std::vector<Planned>> PlanCrossEvaluation(
    const v1::IssueInvitationsRequest& req, const Org& org) {
  if (req.events_size() > 0) {
    return absl::InvalidArgumentError(
        "events: must be empty for a cross-evaluation campaign");
  }
  std::vector<domain::DepartmentPair> pairs;
  for (const v1::DepartmentPair& p : req.pairs()) {
    pairs.emplace_back(p.evaluating_department_code(),
                       p.rated_department_code());
  }
  if (absl::Status s = domain::ValidatePairs(org.departments, pairs); !s.ok()) {
    return s;
  }
  std::vector<domain::MatrixEntry> matrix =
      domain::CrossEvaluationMatrix(org.departments, org.employees, pairs);
  if (matrix.empty()) {
    return absl::FailedPreconditionError(
        "no invitations to issue: the evaluating departments have no active "
        "members, or there are fewer than two active departments");
  }
  if (matrix.size() > static_cast<size_t>(kMaxInvitationsPerCall)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pairs: the matrix has ", matrix.size(), " invitations, at most ",
        kMaxInvitationsPerCall, " per call; issue fewer pairs at a time"));
  }
  std::map<std::string, std::string> names;
  for (const domain::Department& d : org.departments) names[d.code] = d.name;
  std::vector<Planned> plan;
  plan.reserve(matrix.size());
  for (domain::MatrixEntry& m : matrix) {
    plan.push_back({domain::SubjectKind::kDepartment, m.rated_department,
                    names[m.rated_department], "", m.evaluating_department,
                    std::move(m.recipient_employee_no), 0});
  }
  return plan;
}

absl::StatusOr<int64_t> ResolveExpiry(int64_t requested, int64_t now) {
  if (requested == 0) return now + kDefaultValiditySeconds;
  if (requested <= now) {
    return absl::InvalidArgumentError(
        "expires_at_unix: must be in the future");
  }
  if (requested > now + kMaxValiditySeconds) {
    return absl::InvalidArgumentError(
        "expires_at_unix: at most 180 days after issue");
  }
  return requested;
}

absl::StatusOr<std::string> ResolveLinkBase(const std::string& link_base) {
  if (link_base.empty()) return std::string(kDefaultLinkBase);
  if (link_base.size() > kMaxLinkBaseBytes || !domain::IsValidUtf8(link_base) ||
      domain::HasControlChars(link_base, false)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link_base: at most ", kMaxLinkBaseBytes,
        " bytes of valid UTF-8 without control characters"));
  }
  // A web link ("https://HOST/a/") carries the token in its fragment
  // ("https://HOST/a/#TOKEN"): browsers never send a fragment to a server,
  // a proxy or a Referer, so the token stays out of every log.
  const bool web = link_base.rfind("https://", 0) == 0 || link_base.rfind("http://", 0) == 0;
  if (web && link_base.find('#') == std::string::npos) return link_base + "#";
  return link_base;
}

void FillIssued(const Planned& p, const std::string& token,
                const std::string& link_base, int64_t expires_at,
                v1::IssuedInvitation* out) {
  out->set_token(token);
  out->set_deep_link(link_base + token);
  out->set_event_index(p.event_index);
  v1::Subject* subject = out->mutable_subject();
  if (p.kind == domain::SubjectKind::kEmployee) {
    subject->set_employee_no(p.subject_code);
    subject->set_department_code_of_employee(p.subject_department);
  } else {
    subject->set_department_code(p.subject_code);
  }
  subject->set_display_name(p.subject_name);
  out->set_evaluating_department_code(p.group_code);
  out->set_recipient_employee_no(p.recipient);
  out->set_expires_at_unix(expires_at);
}

}  // namespace survey::api
