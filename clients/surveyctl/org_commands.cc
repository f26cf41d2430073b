// surveyctl org: import the organisation from CSV, list, deactivate.
#include <algorithm>
#include <fstream>
#include <tuple>
#include <iostream>
#include <set>
#include <sstream>

#include "common/output.h"
#include "domain/org.h"
#include "survey/v1/admin.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {
namespace {

using v1::AdminService;

void ToProto(const domain::Department& d, v1::Department* out) {
  out->set_code(d.code);
  out->set_name(d.name);
  out->set_manager_employee_no(d.manager_employee_no);
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
}

std::string PostTypeWord(v1::PostType p) {
  return p == v1::POST_TYPE_MANAGEMENT ? "management" : "other";
}

std::string PositionWord(v1::Position p) {
  switch (p) {
    case v1::POSITION_AFTER_SALES_ENGINEER: return "after_sales_engineer";
    case v1::POSITION_CUSTOMER_SERVICE_AGENT: return "customer_service_agent";
    case v1::POSITION_TECHNICAL_SUPPORT: return "technical_support";
    default: return "other";
  }
}

// Reads every page of employees (the caller may see).
grpc::Status ListAllEmployees(AdminService::Stub& stub,
                              const GlobalOptions& global,
                              const std::string& department,
                              bool include_inactive,
                              std::vector<v1::Employee>* out) {
  v1::ListEmployeesRequest request;
  request.set_department_code(department);
  request.set_include_inactive(include_inactive);
  request.set_page_size(1000);
  while (true) {
    v1::ListEmployeesResponse response;
    auto ctx = MakeContext(global.connection);
    grpc::Status status = stub.ListEmployees(ctx.get(), request, &response);
    if (!status.ok()) return status;
    for (const v1::Employee& e : response.employees()) out->push_back(e);
    if (response.next_page_token().empty()) return grpc::Status::OK;
    request.set_page_token(response.next_page_token());
  }
}

int Import(const GlobalOptions& global, const std::string& departments_path,
           const std::string& employees_path) {
  std::string departments_text, employees_text;
  if (!ReadWholeFile(departments_path, &departments_text)) {
    std::cerr << "cannot read " << departments_path << "\n";
    return 1;
  }
  if (!ReadWholeFile(employees_path, &employees_text)) {
    std::cerr << "cannot read " << employees_path << "\n";
    return 1;
  }
  domain::OrgParseResult departments = domain::ParseDepartmentsCsv(departments_text);
  domain::OrgParseResult employees = domain::ParseEmployeesCsv(employees_text);
  std::vector<domain::OrgError> errors = departments.errors;
  errors.insert(errors.end(), employees.errors.begin(), employees.errors.end());

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(global.connection);
  if (!channel.ok()) {
    std::cerr << channel.status().message() << "\n";
    return 1;
  }
  auto stub = AdminService::NewStub(*channel);

  // Check references against what the server already holds, so that every
  // problem is reported with its file line before anything is sent (rows
  // that failed to parse are left out of this check). The server checks
  // again inside its transaction.
  std::set<std::string> existing_departments, existing_employees;
  {
    v1::ListDepartmentsRequest list_request;
    list_request.set_include_inactive(true);
    v1::ListDepartmentsResponse list_response;
    auto ctx = MakeContext(global.connection);
    grpc::Status status =
        stub->ListDepartments(ctx.get(), list_request, &list_response);
    if (!status.ok()) {
      std::cerr << "cannot read the organisation: " << Describe(status) << "\n";
      return 1;
    }
    for (const v1::Department& d : list_response.departments()) {
      existing_departments.insert(d.code());
    }
    std::vector<v1::Employee> existing;
    status = ListAllEmployees(*stub, global, "", true, &existing);
    if (!status.ok()) {
      std::cerr << "cannot read the organisation: " << Describe(status) << "\n";
      return 1;
    }
    for (const v1::Employee& e : existing) existing_employees.insert(e.employee_no());
  }
  std::vector<domain::OrgError> reference_errors =
      domain::ValidateOrg(departments.departments, employees.employees,
                          existing_departments, existing_employees);
  errors.insert(errors.end(), reference_errors.begin(), reference_errors.end());
  std::stable_sort(errors.begin(), errors.end(),
                   [](const domain::OrgError& a, const domain::OrgError& b) {
                     return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                   });
  if (!errors.empty()) {
    for (const domain::OrgError& e : errors) {
      std::cerr << domain::FormatOrgError(e) << "\n";
    }
    std::cerr << errors.size()
              << " problem(s) found; nothing was imported.\n";
    return 1;
  }

  v1::ImportOrgRequest request;
  for (const auto& d : departments.departments) ToProto(d, request.add_departments());
  for (const auto& e : employees.employees) ToProto(e, request.add_employees());
  v1::ImportOrgResponse response;
  auto ctx = MakeContext(global.connection);
  grpc::Status status = stub->ImportOrg(ctx.get(), request, &response);
  if (!status.ok()) {
    std::cerr << "import refused, nothing was imported: " << Describe(status)
              << "\n";
    return 1;
  }
  std::cout << "departments: " << response.departments_created()
            << " created, " << response.departments_updated() << " updated; "
            << "employees: " << response.employees_created() << " created, "
            << response.employees_updated() << " updated\n";
  return 0;
}

}  // namespace

void AddOrgCommands(CLI::App& app, const GlobalOptions& global,
                    int* exit_code) {
  CLI::App* org = app.add_subcommand("org", "the organisation");
  org->require_subcommand(1);

  struct ImportArgs {
    std::string departments, employees;
  };
  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import = org->add_subcommand(
      "import",
      "import departments.csv and employees.csv (UTF-8, header row), all or "
      "nothing");
  import->add_option("departments", import_args->departments,
                     "departments CSV: code,name[,manager_employee_no]")
      ->required();
  import->add_option("employees", import_args->employees,
                     "employees CSV: employee_no,name,department_code,"
                     "post_type,position")
      ->required();
  import->callback([&global, exit_code, import_args] {
    *exit_code = Import(global, import_args->departments, import_args->employees);
  });

  auto include_inactive = std::make_shared<bool>(false);
  CLI::App* departments = org->add_subcommand("departments", "list departments");
  departments->add_flag("--all", *include_inactive, "include inactive");
  departments->callback([&global, exit_code, include_inactive] {
    auto channel = MakeChannel(global.connection);
    if (!channel.ok()) {
      std::cerr << channel.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto stub = AdminService::NewStub(*channel);
    v1::ListDepartmentsRequest request;
    request.set_include_inactive(*include_inactive);
    v1::ListDepartmentsResponse response;
    auto ctx = MakeContext(global.connection);
    grpc::Status status = stub->ListDepartments(ctx.get(), request, &response);
    if (!status.ok()) {
      std::cerr << Describe(status) << "\n";
      *exit_code = 1;
      return;
    }
    Table table{{"code", "name", "manager_employee_no", "active"}, {}};
    for (const auto& d : response.departments()) {
      table.rows.push_back({d.code(), d.name(), d.manager_employee_no(),
                            d.active() ? "yes" : "no"});
    }
    Print(table, ParseFormat(global.format), std::cout);
  });

  struct EmployeesArgs {
    std::string department;
    bool include_inactive = false;
  };
  auto employees_args = std::make_shared<EmployeesArgs>();
  CLI::App* employees = org->add_subcommand("employees", "list employees");
  employees->add_option("--department", employees_args->department,
                        "only this department");
  employees->add_flag("--all", employees_args->include_inactive,
                      "include inactive");
  employees->callback([&global, exit_code, employees_args] {
    auto channel = MakeChannel(global.connection);
    if (!channel.ok()) {
      std::cerr << channel.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto stub = AdminService::NewStub(*channel);
    std::vector<v1::Employee> list;
    grpc::Status status =
        ListAllEmployees(*stub, global, employees_args->department,
                         employees_args->include_inactive, &list);
    if (!status.ok()) {
      std::cerr << Describe(status) << "\n";
      *exit_code = 1;
      return;
    }
    Table table{{"employee_no", "name", "department_code", "post_type",
                 "position", "active"},
                {}};
    for (const auto& e : list) {
      table.rows.push_back({e.employee_no(), e.name(), e.department_code(),
                            PostTypeWord(e.post_type()),
                            PositionWord(e.position()),
                            e.active() ? "yes" : "no"});
    }
    Print(table, ParseFormat(global.format), std::cout);
  });

  struct DeactivateArgs {
    std::string department, employee;
  };
  auto deactivate_args = std::make_shared<DeactivateArgs>();
  CLI::App* deactivate =
      org->add_subcommand("deactivate", "deactivate a department or employee");
  auto* dept_opt = deactivate->add_option("--department", deactivate_args->department);
  auto* emp_opt = deactivate->add_option("--employee", deactivate_args->employee);
  dept_opt->excludes(emp_opt);
  deactivate->require_option(1);
  deactivate->callback([&global, exit_code, deactivate_args] {
    auto channel = MakeChannel(global.connection);
    if (!channel.ok()) {
      std::cerr << channel.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto stub = AdminService::NewStub(*channel);
    v1::DeactivateRequest request;
    if (!deactivate_args->department.empty()) {
      request.set_department_code(deactivate_args->department);
    } else {
      request.set_employee_no(deactivate_args->employee);
    }
    v1::DeactivateResponse response;
    auto ctx = MakeContext(global.connection);
    grpc::Status status = stub->Deactivate(ctx.get(), request, &response);
    if (!status.ok()) {
      std::cerr << Describe(status) << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "deactivated\n";
  });
}

}  // namespace survey::client
