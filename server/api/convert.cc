#include "api/convert.h"

namespace survey::api {

domain::Department FromProto(const v1::Department& d) {
  domain::Department out;
  out.code = d.code();
  out.name = d.name();
  out.manager_employee_no = d.manager_employee_no();
  return out;
}

domain::Employee FromProto(const v1::Employee& e) {
  domain::Employee out;
  out.employee_no = e.employee_no();
  out.name = e.name();
  out.department_code = e.department_code();
  out.post_type = e.post_type() == v1::POST_TYPE_MANAGEMENT
                      ? domain::PostType::kManagement
                      : domain::PostType::kOther;
  switch (e.position()) {
    case v1::POSITION_AFTER_SALES_ENGINEER:
      out.position = domain::Position::kAfterSalesEngineer;
      break;
    case v1::POSITION_CUSTOMER_SERVICE_AGENT:
      out.position = domain::Position::kCustomerServiceAgent;
      break;
    case v1::POSITION_TECHNICAL_SUPPORT:
      out.position = domain::Position::kTechnicalSupport;
      break;
    default:
      out.position = domain::Position::kOther;
  }
  return out;
}

void ToProto(const domain::Department& d, v1::Department* out) {
  out->set_code(d.code);
  out->set_name(d.name);
  out->set_manager_employee_no(d.manager_employee_no);
  out->set_active(d.active);
}

void ToProto(const domain::Employee& e, v1::Employee* out) {
  out->set_employee_no(e.employee_no);
  out->set_name(e.name);
  out->set_department_code(e.department_code);
  out->set_post_type(e.post_type == domain::PostType::kManagement
                         ? v1::POST_TYPE_MANAGEMENT
                         : v1::POST_TYPE_OTHER);
  switch (e.position) {
    case domain::Position::kAfterSalesEngineer:
      out->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
      break;
    case domain::Position::kCustomerServiceAgent:
      out->set_position(v1::POSITION_CUSTOMER_SERVICE_AGENT);
      break;
    case domain::Position::kTechnicalSupport:
      out->set_position(v1::POSITION_TECHNICAL_SUPPORT);
      break;
    case domain::Position::kOther:
      out->set_position(v1::POSITION_OTHER);
      break;
  }
  out->set_active(e.active);
}

}  // namespace survey::api
