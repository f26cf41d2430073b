// Organisation import and listing over real gRPC against a real MariaDB.
#include <gtest/gtest.h>

#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::testing {
namespace {

using v1::AdminService;

v1::Department Dept(const std::string& code, const std::string& name,
                    const std::string& manager = "") {
  v1::Department d;
  d.set_code(code);
  d.set_name(name);
  d.set_manager_employee_no(manager);
  return d;
}

v1::Employee Emp(const std::string& no, const std::string& name,
                 const std::string& dept,
                 v1::PostType post = v1::POST_TYPE_OTHER,
                 v1::Position pos = v1::POSITION_AFTER_SALES_ENGINEER) {
  v1::Employee e;
  e.set_employee_no(no);
  e.set_name(name);
  e.set_department_code(dept);
  e.set_post_type(post);
  e.set_position(pos);
  return e;
}

class OrgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ts = TestServer::Start();
    ASSERT_TRUE(ts.ok()) << ts.status();
    ts_ = std::move(*ts);
    stub_ = AdminService::NewStub(ts_->channel());
  }

  v1::ImportOrgRequest SmallOrg() {
    v1::ImportOrgRequest req;
    *req.add_departments() = Dept("AS", "售后服务部", "E1");
    *req.add_departments() = Dept("CS", "客户服务部");
    *req.add_employees() = Emp("E1", "王堃", "AS", v1::POST_TYPE_MANAGEMENT,
                               v1::POSITION_OTHER);
    *req.add_employees() = Emp("E2", "李喆", "AS");
    *req.add_employees() = Emp("E3", "Zoë 陈", "CS", v1::POST_TYPE_OTHER,
                               v1::POSITION_CUSTOMER_SERVICE_AGENT);
    return req;
  }

  grpc::Status Import(const v1::ImportOrgRequest& req,
                      v1::ImportOrgResponse* resp,
                      const std::string& who = "hr") {
    return stub_->ImportOrg(TestServer::Context(who).get(), req, resp);
  }

  std::vector<v1::Employee> Employees(const std::string& who = "hr",
                                      const std::string& dept = "") {
    v1::ListEmployeesRequest req;
    req.set_department_code(dept);
    v1::ListEmployeesResponse resp;
    grpc::Status s = stub_->ListEmployees(TestServer::Context(who).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.employees().begin(), resp.employees().end()};
  }

  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<AdminService::Stub> stub_;
};

TEST_F(OrgTest, ImportRoundTripsChineseNamesByteExact) {
  v1::ImportOrgResponse resp;
  ASSERT_TRUE(Import(SmallOrg(), &resp).ok());
  EXPECT_EQ(resp.departments_created(), 2);
  EXPECT_EQ(resp.employees_created(), 3);

  v1::ListDepartmentsResponse depts;
  ASSERT_TRUE(stub_->ListDepartments(TestServer::Context("hr").get(), {}, &depts).ok());
  ASSERT_EQ(depts.departments_size(), 2);
  EXPECT_EQ(depts.departments(0).code(), "AS");
  EXPECT_EQ(depts.departments(0).name(), "\xe5\x94\xae\xe5\x90\x8e\xe6\x9c\x8d\xe5\x8a\xa1\xe9\x83\xa8");
  EXPECT_EQ(depts.departments(0).manager_employee_no(), "E1");

  std::vector<v1::Employee> employees = Employees();
  ASSERT_EQ(employees.size(), 3u);
  EXPECT_EQ(employees[0].name(), "王堃");
  EXPECT_EQ(employees[1].name(), "李喆");
  EXPECT_EQ(employees[2].name(), "Zoë 陈");
  EXPECT_EQ(employees[0].post_type(), v1::POST_TYPE_MANAGEMENT);
  EXPECT_EQ(employees[2].position(), v1::POSITION_CUSTOMER_SERVICE_AGENT);
  // And in the table itself, byte for byte.
  auto rows = ts_->db().Query("SELECT HEX(name) FROM employee WHERE employee_no='E1'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "E78E8BE5A083");  // 王堃
}

TEST_F(OrgTest, ReimportIsIdempotentAndUpdates) {
  v1::ImportOrgResponse first, second, third;
  ASSERT_TRUE(Import(SmallOrg(), &first).ok());
  ASSERT_TRUE(Import(SmallOrg(), &second).ok());
  EXPECT_EQ(second.departments_created() + second.employees_created(), 0);
  EXPECT_EQ(second.employees_updated(), 0);  // unchanged rows are not updates
  v1::ImportOrgRequest change;
  *change.add_employees() = Emp("E2", "李喆二", "CS");
  ASSERT_TRUE(Import(change, &third).ok());
  EXPECT_EQ(third.employees_updated(), 1);
  std::vector<v1::Employee> cs = Employees("hr", "CS");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].name(), "李喆二");
}

TEST_F(OrgTest, BadRecordImportsNothingAndNamesEveryField) {
  v1::ImportOrgRequest req = SmallOrg();
  *req.add_employees() = Emp("E4", "赵六", "NOPE");
  *req.add_employees() = Emp("bad no!", "钱七", "AS");
  v1::ImportOrgResponse resp;
  grpc::Status s = Import(req, &resp);
  ASSERT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("employees[3]"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("department_code"), std::string::npos);
  EXPECT_NE(s.error_message().find("employees[4]"), std::string::npos);
  EXPECT_TRUE(Employees().empty());
  auto rows = ts_->db().Query("SELECT COUNT(*) FROM department");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "0");
}

TEST_F(OrgTest, MissingEnumsAndBadNamesAreInvalidArgument) {
  v1::ImportOrgRequest req = SmallOrg();
  req.mutable_employees(1)->set_post_type(v1::POST_TYPE_UNSPECIFIED);
  v1::ImportOrgResponse resp;
  grpc::Status s = Import(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("employees[1].post_type"), std::string::npos);

  req = SmallOrg();
  req.mutable_employees(2)->set_name("bad\x01name");
  s = Import(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("employees[2].name"), std::string::npos);
  EXPECT_TRUE(Employees().empty());
}

TEST_F(OrgTest, RolesAreEnforced) {
  v1::ImportOrgResponse resp;
  EXPECT_EQ(Import(SmallOrg(), &resp, "").error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Import(SmallOrg(), &resp, "manager:AS").error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Import(SmallOrg(), &resp, "employee:E1").error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Import(SmallOrg(), &resp, "admin").ok());

  // A manager sees their own department only.
  std::vector<v1::Employee> mine = Employees("manager:AS");
  ASSERT_EQ(mine.size(), 2u);
  for (const auto& e : mine) EXPECT_EQ(e.department_code(), "AS");
  v1::ListEmployeesRequest other;
  other.set_department_code("CS");
  v1::ListEmployeesResponse out;
  EXPECT_EQ(stub_->ListEmployees(TestServer::Context("manager:AS").get(), other, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  v1::ListDepartmentsResponse depts;
  ASSERT_TRUE(stub_->ListDepartments(TestServer::Context("manager:AS").get(), {}, &depts).ok());
  ASSERT_EQ(depts.departments_size(), 1);
  EXPECT_EQ(depts.departments(0).code(), "AS");
  EXPECT_EQ(stub_->ListEmployees(TestServer::Context("employee:E2").get(), {}, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(OrgTest, PagingVisitsEveryEmployeeOnce) {
  v1::ImportOrgRequest req;
  *req.add_departments() = Dept("AS", "售后服务部");
  for (int i = 0; i < 25; ++i) {
    char no[8];
    snprintf(no, sizeof no, "E%03d", i);
    *req.add_employees() = Emp(no, "员工", "AS");
  }
  v1::ImportOrgResponse resp;
  ASSERT_TRUE(Import(req, &resp).ok());
  v1::ListEmployeesRequest list;
  list.set_page_size(10);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    v1::ListEmployeesResponse page;
    ASSERT_TRUE(stub_->ListEmployees(TestServer::Context("hr").get(), list, &page).ok());
    for (const auto& e : page.employees()) seen.push_back(e.employee_no());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "E000");
  EXPECT_EQ(seen.back(), "E024");
}

TEST_F(OrgTest, DeactivateRules) {
  v1::ImportOrgResponse resp;
  ASSERT_TRUE(Import(SmallOrg(), &resp).ok());
  v1::DeactivateRequest req;
  v1::DeactivateResponse out;
  req.set_department_code("CS");
  EXPECT_EQ(stub_->Deactivate(TestServer::Context("hr").get(), req, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  req.set_employee_no("E3");
  ASSERT_TRUE(stub_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());
  req.set_department_code("CS");
  ASSERT_TRUE(stub_->Deactivate(TestServer::Context("hr").get(), req, &out).ok());
  req.set_employee_no("E999");
  EXPECT_EQ(stub_->Deactivate(TestServer::Context("hr").get(), req, &out).error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(Employees().size(), 2u);  // inactive are hidden by default
}

}  // namespace
}  // namespace survey::testing
