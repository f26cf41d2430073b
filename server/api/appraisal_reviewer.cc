// AppraisalService: who may review a sheet (issue 18, item 4).
//
// Nobody reviews their own sheet: on it they give self scores, confirm it
// and appeal, nothing else (no reviewer, subordinate or superior scores, no
// lines, no submit, return, release or finalize, no deciding their own
// appeal). "Their own" is the staff account's employee link
// (staff_account.employee_no, set for managers from the organisation when
// their account is made, sql/011_*.sql for older accounts).
//
// A department manager's sheet is reviewed by HR. The organisation names
// no superior of a manager (departments.csv has no parent department), so
// no manager account reviews it: not the manager's own (even unlinked, as
// a development identity "manager:AS" is), not a deputy's with the same
// department.
#include "absl/strings/str_cat.h"
#include "api/appraisal_service.h"

namespace survey::api {

bool AppraisalServiceImpl::IsOwnSheet(const Principal& p, const domain::Employee& e) const {
  return !p.employee_no.empty() && p.employee_no == e.employee_no;
}

absl::Status AppraisalServiceImpl::CheckReviewer(const Principal& p,
                                                 const domain::Employee& e) const {
  if (IsOwnSheet(p, e)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the sheet of ", e.employee_no,
        " is your own: you give self scores, confirm and appeal; HR reviews it"));
  }
  if (p.role != Role::kManager) return absl::OkStatus();
  absl::StatusOr<domain::Department> d = org_->GetDepartment(e.department_code);
  if (!d.ok()) return d.status();
  if (!d->manager_employee_no.empty() && d->manager_employee_no == e.employee_no) {
    return absl::PermissionDeniedError(absl::StrCat(
        e.employee_no, " manages ", e.department_code,
        ": a department manager's sheet is reviewed by HR, not by a manager"));
  }
  return absl::OkStatus();
}

}  // namespace survey::api
