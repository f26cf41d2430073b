// What the benchmarks set up alike: a generated organisation (employees
// E000000.. spread over departments D000..) and closed monthly customer
// campaigns, both through AdminService as HR.
#ifndef SURVEY_TESTS_BENCH_BENCH_ORG_H_
#define SURVEY_TESTS_BENCH_BENCH_ORG_H_

#include <chrono>
#include <string>

#include "absl/strings/str_format.h"
#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::bench {

// HR's context with a deadline long enough for the big calls.
inline std::unique_ptr<grpc::ClientContext> Hr() {
  auto ctx = testing::TestServer::Context("hr");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  return ctx;
}

// `employees` "other"-post engineers in `departments` departments, round
// robin; one all-or-nothing import (the server needs a big receive limit).
inline grpc::Status ImportOrg(v1::AdminService::Stub& admin, int employees, int departments) {
  v1::ImportOrgRequest org;
  for (int d = 0; d < departments; ++d) {
    v1::Department* dep = org.add_departments();
    dep->set_code(absl::StrFormat("D%03d", d));
    dep->set_name(absl::StrFormat("部门%03d", d));
  }
  for (int e = 0; e < employees; ++e) {
    v1::Employee* emp = org.add_employees();
    emp->set_employee_no(absl::StrFormat("E%06d", e));
    emp->set_name(absl::StrFormat("员工%06d", e));
    emp->set_department_code(absl::StrFormat("D%03d", e % departments));
    emp->set_post_type(v1::POST_TYPE_OTHER);
    emp->set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  }
  v1::ImportOrgResponse out;
  return admin.ImportOrg(Hr().get(), org, &out);
}

// A customer campaign of `period` (default template), opened and closed;
// its id in *id.
inline grpc::Status ClosedCampaign(v1::AdminService::Stub& admin, const std::string& period,
                                   std::string* id) {
  v1::CreateCampaignRequest req;
  req.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  req.mutable_campaign()->set_period(period);
  req.mutable_campaign()->set_template_key("default");
  v1::Campaign c;
  grpc::Status s = admin.CreateCampaign(Hr().get(), req, &c);
  if (!s.ok()) return s;
  v1::CampaignTransitionRequest t;
  t.set_id(c.id());
  if (!(s = admin.OpenCampaign(Hr().get(), t, &c)).ok()) return s;
  if (!(s = admin.CloseCampaign(Hr().get(), t, &c)).ok()) return s;
  *id = c.id();
  return grpc::Status::OK;
}

}  // namespace survey::bench

#endif  // SURVEY_TESTS_BENCH_BENCH_ORG_H_
