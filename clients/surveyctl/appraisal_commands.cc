// surveyctl appraisal: monthly appraisal sheets fed by satisfaction, their
// configuration, pay profiles, department appraisals, annual grading and
// appeals (AppraisalService).
//
// The server decides who may do what and checks every value; this client
// only turns flags and files into requests and prints the answers. Changes
// of a few fields (config set, department set) read the stored object first
// and send it back changed, so fields not given keep their value.
//
// Output: --format table prints for people; csv prints the main table (one
// row per line, sheet, profile, employee...); json prints lists as JSON
// lines and single objects (a sheet, a config, a grading) as one JSON
// object in the protobuf JSON mapping, so scripts get every field.
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/output.h"
#include "domain/csv.h"
#include "domain/period.h"
#include "survey/v1/appraisal.grpc.pb.h"
#include "surveyctl/commands.h"

namespace survey::client {
namespace {

using v1::AppraisalService;
using Stub = AppraisalService::Stub;

// ---- Calls ----------------------------------------------------------------

// Runs one unary call `rpc(stub, ctx)`; prints "what: CODE: message" and
// returns 1 if it fails, else 0.
template <typename Rpc>
int Call(const GlobalOptions& g, const std::string& what, Rpc rpc) {
  return WithStub<AppraisalService>(g, [&](Stub& stub) {
    auto ctx = MakeContext(g.connection);
    grpc::Status s = rpc(stub, ctx.get());
    return s.ok() ? 0 : Fail(what, s);
  });
}

// Usage errors found before any call: exit code 2, as CLI11 gives.
int Usage(const std::string& message) {
  std::cerr << message << "\n";
  return 2;
}

// ---- Words and numbers ------------------------------------------------------

std::string Num(double v, int precision = 2) { return absl::StrFormat("%.*f", precision, v); }

// Scores as people write them: 80, 72.5, 80.58 (no trailing zeros).
std::string Short(double v) {
  std::string s = absl::StrFormat("%.2f", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string StateWord(v1::SheetState s) {
  switch (s) {
    case v1::SHEET_STATE_DRAFT: return "draft";
    case v1::SHEET_STATE_SUBMITTED: return "submitted";
    case v1::SHEET_STATE_CONFIRMED: return "confirmed";
    case v1::SHEET_STATE_APPEAL_WINDOW: return "appeal_window";
    case v1::SHEET_STATE_FINAL: return "final";
    default: return "?";
  }
}

std::string SectionWord(v1::SheetSection s) {
  switch (s) {
    case v1::SHEET_SECTION_KPI: return "kpi";
    case v1::SHEET_SECTION_WORK_GOALS: return "work_goals";
    case v1::SHEET_SECTION_BEHAVIOUR: return "behaviour";
    case v1::SHEET_SECTION_MANAGEMENT: return "management";
    case v1::SHEET_SECTION_INCIDENTS: return "incidents";
    case v1::SHEET_SECTION_BONUS: return "bonus";
    case v1::SHEET_SECTION_MORALITY: return "morality";
    case v1::SHEET_SECTION_DILIGENCE: return "diligence";
    case v1::SHEET_SECTION_ABILITY: return "ability";
    case v1::SHEET_SECTION_PERFORMANCE: return "performance";
    default: return "?";
  }
}

const std::vector<std::string> kSectionWords = {
    "kpi",       "work_goals", "behaviour", "management", "incidents",
    "bonus",     "morality",   "diligence", "ability",    "performance"};

v1::SheetSection ParseSection(const std::string& word) {
  for (size_t i = 0; i < kSectionWords.size(); ++i) {
    if (kSectionWords[i] == word) return static_cast<v1::SheetSection>(i + 1);
  }
  return v1::SHEET_SECTION_UNSPECIFIED;
}

std::string TemplateWord(v1::SheetTemplate t) {
  switch (t) {
    case v1::SHEET_TEMPLATE_STANDARD: return "standard";
    case v1::SHEET_TEMPLATE_CUSTOMER_SERVICE: return "customer_service";
    default: return "standard (default)";
  }
}

std::string AppealStateWord(v1::AppealState s) {
  switch (s) {
    case v1::APPEAL_STATE_OPEN: return "open";
    case v1::APPEAL_STATE_ACCEPTED: return "accepted";
    case v1::APPEAL_STATE_REJECTED: return "rejected";
    default: return "?";
  }
}

// Local time, as the working-day deadlines are local days; "" for 0.
std::string LocalTime(int64_t unix_seconds, const char* format = "%Y-%m-%d %H:%M") {
  if (unix_seconds == 0) return "";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

template <typename Repeated>
std::string JoinAll(const Repeated& items, const char* sep = " ") {
  return absl::StrJoin(items.begin(), items.end(), sep);
}

std::string ReadWholeFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Prints one protobuf message as a JSON object (field names as in the
// .proto, defaults included, so scripts see zeros and false too).
void PrintJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  std::cout << out << "\n";
}

bool CheckPeriod(const std::string& flag, const std::string& text, int* exit_code) {
  absl::StatusOr<domain::Period> p = domain::Period::Parse(text);
  if (p.ok()) return true;
  *exit_code = Usage(absl::StrCat(flag, ": ", p.status().message()));
  return false;
}

// "a,b,c" -> ints; false if a part is not an integer or the count differs.
bool ParseInts(const std::string& text, size_t count, std::vector<int>* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v)) return false;
    out->push_back(v);
  }
  return out->size() == count;
}

// ---- Shared flags -----------------------------------------------------------

// Flags the subcommands share; each subcommand registers what it uses.
struct Args {
  std::string period, employee, department, year, quarter, file, out, reason;
  std::string grade, pooling, id, state;
  bool late = false, json = false, dry_run = false, accept = false, reject = false;
  double score = 0, completion_rate = 0, bonus_factor = 0;
};

CLI::Option* PeriodFlag(CLI::App* c, Args* a, bool required = true) {
  CLI::Option* o = c->add_option("--period", a->period, "month, YYYY-MM");
  if (required) o->required();
  return o;
}

void EmployeeAndPeriod(CLI::App* c, Args* a) {
  c->add_option("--employee", a->employee, "employee number")->required();
  PeriodFlag(c, a);
}

// ---- config -----------------------------------------------------------------

void PrintConfig(const v1::PeriodConfig& c, Format format) {
  if (format == Format::kJson) return PrintJson(c);
  auto opt = [](bool has, int32_t v) { return has ? absl::StrCat(v) : "default"; };
  Table t{{"setting", "value"}, {}};
  t.rows = {
      {"period", c.period()},
      {"template", TemplateWord(c.sheet_template())},
      {"post_weights management (kpi_goals,behaviour,ability)",
       absl::StrCat(c.management_kpi_goals_percent(), ",", c.management_behaviour_percent(),
                    ",", c.management_ability_percent())},
      {"post_weights other (kpi_goals,behaviour)",
       absl::StrCat(c.other_kpi_goals_percent(), ",", c.other_behaviour_percent())},
      {"satisfaction_weight (% of KPI)", absl::StrCat(c.satisfaction_weight_percent())},
      {"k (anonymity threshold)", absl::StrCat(c.anonymity_k())},
      {"window (months)", absl::StrCat(c.max_window_periods())},
      {"dept_weights (duties,plan,customer)",
       absl::StrCat(c.dept_duties_percent(), ",", c.dept_plan_percent(), ",",
                    c.dept_customer_percent())},
      {"behaviour_split (self,subordinates,superior)",
       absl::StrCat(opt(c.has_management_self_percent(), c.management_self_percent()), ",",
                    opt(c.has_management_subordinates_percent(),
                        c.management_subordinates_percent()),
                    ",",
                    opt(c.has_management_superior_percent(), c.management_superior_percent()))},
      {"cs_parts (morality,diligence,ability,performance)",
       absl::StrCat(opt(c.has_morality_percent(), c.morality_percent()), ",",
                    opt(c.has_diligence_percent(), c.diligence_percent()), ",",
                    opt(c.has_ability_percent(), c.ability_percent()), ",",
                    opt(c.has_performance_percent(), c.performance_percent()))},
      {"year_end (checks,monthly,appraisal)",
       absl::StrCat(opt(c.has_year_end_checks_percent(), c.year_end_checks_percent()), ",",
                    opt(c.has_year_end_monthly_percent(), c.year_end_monthly_percent()), ",",
                    opt(c.has_year_end_appraisal_percent(), c.year_end_appraisal_percent()))},
      {"quarter_split (manager,member)",
       absl::StrCat(opt(c.has_quarter_manager_percent(), c.quarter_manager_percent()), ",",
                    opt(c.has_quarter_member_percent(), c.quarter_member_percent()))},
      {"min_grading_unit", opt(c.has_min_grading_unit(), c.min_grading_unit())},
      // The server's setting: dates and deadlines are days in this zone.
      {"time_zone (dates and deadlines)", c.time_zone()},
  };
  // std::map: caps in a stable order.
  std::map<std::string, double> caps(c.performance_caps().begin(), c.performance_caps().end());
  for (const auto& [key, yuan] : caps) t.rows.push_back({"cap " + key, Num(yuan)});
  Print(t, format, std::cout);
}

// What `config set` was given; unset options leave the stored value.
struct ConfigChanges {
  std::optional<int> satisfaction_weight, k, window, min_grading_unit;
  std::string sheet_template;
  std::vector<std::string> caps, remove_caps, post_weights;
  std::string dept_weights, behaviour_split, cs_parts, year_end, quarter_split;
};

// Applies `ch` to `c`; "" if fine, else the usage error.
std::string ApplyConfig(const ConfigChanges& ch, v1::PeriodConfig* c) {
  if (ch.satisfaction_weight) c->set_satisfaction_weight_percent(*ch.satisfaction_weight);
  if (ch.k) c->set_anonymity_k(*ch.k);
  if (ch.window) c->set_max_window_periods(*ch.window);
  if (ch.min_grading_unit) c->set_min_grading_unit(*ch.min_grading_unit);
  if (!ch.sheet_template.empty()) {
    c->set_sheet_template(ch.sheet_template == "customer_service"
                              ? v1::SHEET_TEMPLATE_CUSTOMER_SERVICE
                              : v1::SHEET_TEMPLATE_STANDARD);
  }
  for (const std::string& cap : ch.caps) {
    std::vector<std::string> kv = absl::StrSplit(cap, absl::MaxSplits('=', 1));
    double yuan = 0;
    if (kv.size() != 2 || kv[0].find(':') == std::string::npos ||
        !absl::SimpleAtod(kv[1], &yuan)) {
      return absl::StrCat("--cap: expected post:grade=yuan, got \"", cap, "\"");
    }
    (*c->mutable_performance_caps())[kv[0]] = yuan;
  }
  for (const std::string& key : ch.remove_caps) c->mutable_performance_caps()->erase(key);
  std::vector<int> v;
  for (const std::string& pw : ch.post_weights) {
    std::vector<std::string> kv = absl::StrSplit(pw, absl::MaxSplits('=', 1));
    if (kv.size() == 2 && kv[0] == "management" && ParseInts(kv[1], 3, &v)) {
      c->set_management_kpi_goals_percent(v[0]);
      c->set_management_behaviour_percent(v[1]);
      c->set_management_ability_percent(v[2]);
    } else if (kv.size() == 2 && kv[0] == "other" && ParseInts(kv[1], 2, &v)) {
      c->set_other_kpi_goals_percent(v[0]);
      c->set_other_behaviour_percent(v[1]);
    } else {
      return absl::StrCat("--post-weights: expected management=K,B,A or other=K,B, got \"", pw,
                          "\"");
    }
  }
  struct Triple {
    const std::string& text;
    const char* flag;
    size_t n;
    std::function<void(const std::vector<int>&)> set;
  };
  std::vector<Triple> lists = {
      {ch.dept_weights, "--dept-weights", 3,
       [c](const std::vector<int>& x) {
         c->set_dept_duties_percent(x[0]);
         c->set_dept_plan_percent(x[1]);
         c->set_dept_customer_percent(x[2]);
       }},
      {ch.behaviour_split, "--behaviour-split", 3,
       [c](const std::vector<int>& x) {
         c->set_management_self_percent(x[0]);
         c->set_management_subordinates_percent(x[1]);
         c->set_management_superior_percent(x[2]);
       }},
      {ch.cs_parts, "--cs-parts", 4,
       [c](const std::vector<int>& x) {
         c->set_morality_percent(x[0]);
         c->set_diligence_percent(x[1]);
         c->set_ability_percent(x[2]);
         c->set_performance_percent(x[3]);
       }},
      {ch.year_end, "--year-end", 3,
       [c](const std::vector<int>& x) {
         c->set_year_end_checks_percent(x[0]);
         c->set_year_end_monthly_percent(x[1]);
         c->set_year_end_appraisal_percent(x[2]);
       }},
      {ch.quarter_split, "--quarter-split", 2,
       [c](const std::vector<int>& x) {
         c->set_quarter_manager_percent(x[0]);
         c->set_quarter_member_percent(x[1]);
       }},
  };
  for (const Triple& l : lists) {
    if (l.text.empty()) continue;
    if (!ParseInts(l.text, l.n, &v)) {
      return absl::StrCat(l.flag, ": expected ", l.n, " comma-separated integers, got \"",
                          l.text, "\"");
    }
    l.set(v);
  }
  return "";
}

void AddConfigCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* config = group->add_subcommand("config", "HR: a period's appraisal settings");
  config->require_subcommand(1);
  auto a = std::make_shared<Args>();

  CLI::App* get = config->add_subcommand("get", "show the settings in force for a period");
  PeriodFlag(get, a.get());
  get->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::GetPeriodConfigRequest req;
    req.set_period(a->period);
    v1::PeriodConfig c;
    *exit_code = Call(g, "cannot read the configuration", [&](Stub& s, grpc::ClientContext* x) {
      return s.GetPeriodConfig(x, req, &c);
    });
    if (*exit_code == 0) PrintConfig(c, ParseFormat(g.format));
  });

  auto ch = std::make_shared<ConfigChanges>();
  CLI::App* set = config->add_subcommand(
      "set", "change the given settings of a period; the others keep their value");
  PeriodFlag(set, a.get());
  set->add_option("--satisfaction-weight", ch->satisfaction_weight,
                  "percent of the KPI section given to the satisfaction line");
  set->add_option("--k", ch->k, "anonymity threshold of the satisfaction window (>= 3)");
  set->add_option("--window", ch->window, "months the satisfaction window may widen over");
  set->add_option("--template", ch->sheet_template, "standard | customer_service")
      ->check(CLI::IsMember({"standard", "customer_service"}));
  set->add_option("--cap", ch->caps, "performance pay cap, post:grade=yuan (repeatable)");
  set->add_option("--remove-cap", ch->remove_caps, "drop the cap post:grade (repeatable)");
  set->add_option("--post-weights", ch->post_weights,
                  "section weights: management=KPI,BEHAVIOUR,ABILITY or other=KPI,BEHAVIOUR");
  set->add_option("--dept-weights", ch->dept_weights,
                  "department appraisal weights DUTIES,PLAN,CUSTOMER");
  set->add_option("--behaviour-split", ch->behaviour_split,
                  "management behaviour SELF,SUBORDINATES,SUPERIOR");
  set->add_option("--cs-parts", ch->cs_parts,
                  "customer-service sheet MORALITY,DILIGENCE,ABILITY,PERFORMANCE");
  set->add_option("--year-end", ch->year_end,
                  "customer-service year end CHECKS,MONTHLY,APPRAISAL");
  set->add_option("--quarter-split", ch->quarter_split,
                  "department total in the quarterly score MANAGER,MEMBER");
  set->add_option("--min-grading-unit", ch->min_grading_unit,
                  "departments smaller than this are pooled for grading");
  set->callback([&g, exit_code, a, ch] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::GetPeriodConfigRequest req;
    req.set_period(a->period);
    v1::PeriodConfig c;
    *exit_code = Call(g, "cannot read the configuration", [&](Stub& s, grpc::ClientContext* x) {
      return s.GetPeriodConfig(x, req, &c);
    });
    if (*exit_code != 0) return;
    c.set_period(a->period);  // GetPeriodConfig may answer with the carried-forward one
    if (std::string bad = ApplyConfig(*ch, &c); !bad.empty()) {
      *exit_code = Usage(bad);
      return;
    }
    v1::PeriodConfig out;
    *exit_code = Call(g, "configuration refused", [&](Stub& s, grpc::ClientContext* x) {
      return s.SetPeriodConfig(x, c, &out);
    });
    if (*exit_code == 0) PrintConfig(out, ParseFormat(g.format));
  });
}

// ---- holidays ---------------------------------------------------------------

// One date per line; "W 2026-10-11" is a make-up working day; blank lines
// and lines starting with '#' are skipped.
bool ReadHolidayFile(const std::string& path, v1::SetHolidaysRequest* req, std::string* error) {
  bool ok = false;
  std::string text = ReadWholeFile(path, &ok);
  if (!ok) {
    *error = absl::StrCat(path, ": cannot read");
    return false;
  }
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#') continue;
    if (line.size() > 2 && (line[0] == 'W' || line[0] == 'w') && line[1] == ' ') {
      req->add_extra_working_days(std::string(absl::StripAsciiWhitespace(line.substr(2))));
    } else {
      req->add_dates(line);
    }
  }
  return true;
}

void PrintHolidays(const v1::SetHolidaysResponse& r, Format format) {
  Table t{{"date", "kind"}, {}};
  std::map<std::string, std::string> days;
  for (const std::string& d : r.dates()) days[d] = "holiday";
  for (const std::string& d : r.extra_working_days()) days[d] = "working_day";
  for (const auto& [day, kind] : days) t.rows.push_back({day, kind});
  if (format == Format::kTable) {
    std::cout << r.year() << ": " << r.dates_size() << " holidays, "
              << r.extra_working_days_size() << " make-up working days\n";
  }
  Print(t, format, std::cout);
}

void AddHolidayCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* holidays = group->add_subcommand(
      "holidays", "the working-day calendar of the data and appeal deadlines");
  holidays->require_subcommand(1);
  struct HolidayArgs {
    std::string year, file;
    std::vector<std::string> holidays, workdays;
  };
  auto a = std::make_shared<HolidayArgs>();

  CLI::App* set = holidays->add_subcommand(
      "set", "HR: replace a year's holidays and make-up working days");
  set->add_option("--year", a->year, "YYYY")->required();
  set->add_option("--holiday", a->holidays, "a public holiday, YYYY-MM-DD (repeatable)");
  set->add_option("--workday", a->workdays,
                  "a weekend day worked instead, YYYY-MM-DD (repeatable)");
  set->add_option("--file", a->file,
                  "one date per line; \"W YYYY-MM-DD\" marks a make-up working day; "
                  "# comments");
  set->callback([&g, exit_code, a] {
    v1::SetHolidaysRequest req;
    req.set_year(a->year);
    for (const std::string& d : a->holidays) req.add_dates(d);
    for (const std::string& d : a->workdays) req.add_extra_working_days(d);
    std::string error;
    if (!a->file.empty() && !ReadHolidayFile(a->file, &req, &error)) {
      *exit_code = Usage(error);
      return;
    }
    v1::SetHolidaysResponse r;
    *exit_code = Call(g, "holidays refused", [&](Stub& s, grpc::ClientContext* x) {
      return s.SetHolidays(x, req, &r);
    });
    if (*exit_code == 0) PrintHolidays(r, ParseFormat(g.format));
  });

  CLI::App* get = holidays->add_subcommand("get", "a year's holidays and make-up working days");
  get->add_option("--year", a->year, "YYYY")->required();
  get->callback([&g, exit_code, a] {
    v1::GetHolidaysRequest req;
    req.set_year(a->year);
    v1::SetHolidaysResponse r;
    *exit_code = Call(g, "cannot read the holidays", [&](Stub& s, grpc::ClientContext* x) {
      return s.GetHolidays(x, req, &r);
    });
    if (*exit_code == 0) PrintHolidays(r, ParseFormat(g.format));
  });
}

// ---- pay ----------------------------------------------------------------------

constexpr domain::CsvColumn kPayColumns[] = {
    {"employee_no"}, {"from_period"}, {"post"}, {"grade"}, {"post_pay"}, {"base_salary"}};

// Parses the pay CSV; on problems prints them ("F line N, column C: ...")
// and returns false. `lines` receives each profile's file line, so that the
// server's "profiles[i]" can be named as a line too.
bool ReadPayFile(const std::string& path, v1::SetPayProfilesRequest* req,
                 std::vector<int>* lines) {
  bool ok = false;
  std::string text = ReadWholeFile(path, &ok);
  if (!ok) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  std::vector<domain::CsvProblem> problems;
  domain::ImportCsv(
      text, kPayColumns,
      [&](const domain::CsvImportRow& row) {
        v1::PayProfile* p = req->add_profiles();
        p->set_employee_no(std::string(row.cells[0]));
        p->set_from_period(std::string(row.cells[1]));
        p->set_post(std::string(row.cells[2]));
        p->set_grade(std::string(row.cells[3]));
        double pay = 0, base = 0;
        if (!absl::SimpleAtod(std::string(row.cells[4]), &pay)) {
          problems.push_back({row.line, row.index, "post_pay", "not a number"});
        }
        if (!absl::SimpleAtod(std::string(row.cells[5]), &base)) {
          problems.push_back({row.line, row.index, "base_salary", "not a number"});
        }
        p->set_post_pay(pay);
        p->set_base_salary(base);
        lines->push_back(row.line);
      },
      &problems);
  for (const domain::CsvProblem& p : problems) {
    std::cerr << path << " line " << p.line
              << (p.column.empty() ? "" : absl::StrCat(", column ", p.column)) << ": "
              << p.message << "\n";
  }
  if (!problems.empty()) std::cerr << "nothing was sent\n";
  return problems.empty();
}

// "profiles[3].grade: ..." -> "F line 5: profiles[3].grade: ...".
std::string NameLine(const std::string& message, const std::string& path,
                     const std::vector<int>& lines) {
  const std::string kPrefix = "profiles[";
  size_t at = message.find(kPrefix);
  if (at == std::string::npos) return message;
  size_t end = message.find(']', at);
  size_t index = 0;
  if (end == std::string::npos ||
      !absl::SimpleAtoi(message.substr(at + kPrefix.size(), end - at - kPrefix.size()),
                        &index) ||
      index >= lines.size()) {
    return message;
  }
  return absl::StrCat(path, " line ", lines[index], ": ", message);
}

void AddPayCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* pay = group->add_subcommand("pay", "HR: pay posts, grades, post pay, base salary");
  pay->require_subcommand(1);
  auto a = std::make_shared<Args>();

  CLI::App* set = pay->add_subcommand(
      "set", "load profiles from CSV: employee_no,from_period,post,grade,post_pay,base_salary");
  set->add_option("--file", a->file, "the CSV file (UTF-8, header row)")->required();
  set->callback([&g, exit_code, a] {
    v1::SetPayProfilesRequest req;
    std::vector<int> lines;
    if (!ReadPayFile(a->file, &req, &lines)) {
      *exit_code = 1;
      return;
    }
    *exit_code = WithStub<AppraisalService>(g, [&](Stub& stub) {
      v1::SetPayProfilesResponse r;
      auto ctx = MakeContext(g.connection);
      grpc::Status s = stub.SetPayProfiles(ctx.get(), req, &r);
      if (!s.ok()) {
        return Fail("pay profiles refused (nothing was written)",
                    grpc::Status(s.error_code(), NameLine(s.error_message(), a->file, lines)));
      }
      std::cout << "pay profiles: " << r.written() << " written, " << r.unchanged()
                << " unchanged\n";
      return 0;
    });
  });

  CLI::App* list = pay->add_subcommand("list", "the profiles in force in a month");
  PeriodFlag(list, a.get());
  list->add_option("--department", a->department, "only this department");
  list->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::ListPayProfilesRequest req;
    req.set_period(a->period);
    req.set_department_code(a->department);
    v1::ListPayProfilesResponse r;
    *exit_code = Call(g, "cannot list pay profiles", [&](Stub& s, grpc::ClientContext* x) {
      return s.ListPayProfiles(x, req, &r);
    });
    if (*exit_code != 0) return;
    Table t{{"employee_no", "from_period", "post", "grade", "post_pay", "base_salary"}, {}};
    for (const v1::PayProfile& p : r.profiles()) {
      t.rows.push_back({p.employee_no(), p.from_period(), p.post(), p.grade(),
                        Num(p.post_pay()), Num(p.base_salary())});
    }
    Print(t, ParseFormat(g.format), std::cout);
  });
}

// ---- push -----------------------------------------------------------------------

void AddPushCommand(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* push = group->add_subcommand(
      "push", "HR: write every satisfaction line and department customer part of a period");
  PeriodFlag(push, a.get());
  push->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::PushSatisfactionRequest req;
    req.set_period(a->period);
    v1::PushSatisfactionResponse r;
    *exit_code = Call(g, "push failed", [&](Stub& s, grpc::ClientContext* x) {
      return s.PushSatisfaction(x, req, &r);
    });
    if (*exit_code != 0) return;
    Table t{{"period", "sheets_written", "sheets_unchanged", "sheets_skipped_not_draft",
             "insufficient", "departments_written", "departments_unchanged"},
            {{a->period, absl::StrCat(r.sheets_written()), absl::StrCat(r.sheets_unchanged()),
              absl::StrCat(r.sheets_skipped_not_draft()), absl::StrCat(r.insufficient()),
              absl::StrCat(r.departments_written()), absl::StrCat(r.departments_unchanged())}}};
    if (ParseFormat(g.format) != Format::kTable) return Print(t, ParseFormat(g.format), std::cout);
    std::cout << "pushed " << a->period << ": sheets " << r.sheets_written() << " written, "
              << r.sheets_unchanged() << " unchanged, " << r.sheets_skipped_not_draft()
              << " skipped (past draft); " << r.insufficient()
              << " with too few responses; departments " << r.departments_written()
              << " written, " << r.departments_unchanged() << " unchanged\n";
  });
}

// ---- sheets ---------------------------------------------------------------------

std::string Opt(bool has, double v) { return has ? Short(v) : "-"; }

const std::vector<std::string> kLineHeader = {
    "id", "section", "title", "weight", "self", "reviewer", "subordinates", "superior",
    "points", "confirmed", "score", "counted", "satisfaction"};

std::vector<std::string> LineRow(const v1::SheetLine& l) {
  return {l.id(),
          SectionWord(l.section()),
          l.title(),
          Short(l.weight_percent()),
          Opt(l.has_self_score(), l.self_score()),
          Opt(l.has_reviewer_score(), l.reviewer_score()),
          Opt(l.has_subordinates_score(), l.subordinates_score()),
          Opt(l.has_superior_score(), l.superior_score()),
          l.points() != 0 ? Short(l.points()) : "",
          l.confirmed() ? "yes" : "",
          Opt(l.has_score(), l.score()),
          l.counted() ? "yes" : "no",
          l.satisfaction() ? "yes" : ""};
}

// Where the satisfaction figure came from, in a few lines.
void PrintProvenance(const v1::SheetLine& l) {
  const v1::Provenance& p = l.provenance();
  std::cout << "\nsatisfaction line (" << Short(l.weight_percent()) << "% of KPI): ";
  if (p.insufficient_responses()) {
    std::cout << "INSUFFICIENT RESPONSES: " << p.responses() << " < k = " << p.anonymity_k()
              << " even over the widest window; the line does not count and the KPI "
                 "section is renormalised\n";
  } else {
    std::cout << Short(l.reviewer_score()) << " points\n";
  }
  std::cout << "  campaigns:  " << (p.campaign_ids_size() ? JoinAll(p.campaign_ids(), ", ") : "none")
            << "\n"
            << "  periods:    " << JoinAll(p.periods(), ", ") << " (may widen over "
            << p.max_window_periods() << " earlier months to reach k)\n"
            << "  responses:  " << p.responses() << " (k = " << p.anonymity_k() << ")\n";
  if (!p.insufficient_responses()) {
    std::cout << "  mean:       " << Num(p.mean()) << "  (stddev " << Num(p.stddev()) << ")\n"
              << "  ci95:       " << Num(p.ci95().low()) << " .. " << Num(p.ci95().high())
              << "\n";
  }
}

void PrintSheetTable(const v1::Sheet& s) {
  auto field = [](const std::string& name, const std::string& value) {
    std::cout << absl::StrFormat("%-18s%s\n", name.empty() ? "" : name + ":", value);
  };
  field("employee", absl::StrCat(s.employee_no(), " ", s.employee_name(),
                                 s.department_code().empty() ? "" : " (" + s.department_code() + ")"));
  field("period", absl::StrCat(s.period(), ", ", TemplateWord(s.template_()), " sheet"));
  field("state", StateWord(s.state()));
  if (s.scored()) {
    std::string score = absl::StrCat(Num(s.score()), " / ", Num(s.max_score()));
    if (s.has_appeal_score()) absl::StrAppend(&score, " (fixed by an accepted appeal)");
    field("score", score);
    field("coefficient", Num(s.coefficient(), 4));
  } else {
    field("score", "not scored yet (see flags)");
  }
  field("performance pay", Num(s.performance_pay()));
  field("base pay", absl::StrCat(Num(s.base_pay()), s.pay_post().empty() ? "" : absl::StrCat(
                                                       " (post ", s.pay_post(), ", grade ",
                                                       s.pay_grade(), ")")));
  if (s.has_kpi_weight()) field("kpi weight", absl::StrCat(s.kpi_weight(), "%"));
  if (!s.grade().empty()) field("grade", s.grade());
  // One flag a line: a flag may itself hold commas and semicolons.
  field("flags", s.flags_size() ? s.flags(0) : "none");
  for (int i = 1; i < s.flags_size(); ++i) field("", s.flags(i));
  field("data due", absl::StrCat(s.data_due_date().empty() ? "-" : s.data_due_date(),
                                 s.late() ? "  LATE" : "",
                                 s.submitted_at_unix()
                                     ? absl::StrCat(" (submitted ",
                                                    LocalTime(s.submitted_at_unix()), ")")
                                     : ""));
  if (s.result_at_unix() != 0) field("result released", LocalTime(s.result_at_unix()));
  if (s.appeal_deadline_unix() != 0) {
    field("appeal until", LocalTime(s.appeal_deadline_unix(), "%Y-%m-%d"));
  }
  std::cout << "\n";
  Table t{kLineHeader, {}};
  for (const v1::SheetLine& l : s.lines()) t.rows.push_back(LineRow(l));
  Print(t, Format::kTable, std::cout);
  for (const v1::SheetLine& l : s.lines()) {
    if (l.satisfaction()) PrintProvenance(l);
  }
}

void PrintSheet(const v1::Sheet& s, Format format) {
  switch (format) {
    case Format::kJson: return PrintJson(s);
    case Format::kCsv: {
      Table t{kLineHeader, {}};
      for (const v1::SheetLine& l : s.lines()) t.rows.push_back(LineRow(l));
      return Print(t, format, std::cout);
    }
    case Format::kTable: return PrintSheetTable(s);
  }
}

// A JSON value for people: strings bare, null as "-".
std::string Plain(const nlohmann::json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

// What a recorded change changed, e.g. "state: submitted -> confirmed;
// lines": the before/after JSON of a sheet is too wide for a terminal.
// Nested values (lines, provenance) are named, not printed.
std::string ChangeSummary(const std::string& before, const std::string& after) {
  nlohmann::json b = before.empty() ? nlohmann::json::object()
                                    : nlohmann::json::parse(before, nullptr, false);
  nlohmann::json a = nlohmann::json::parse(after, nullptr, false);
  if (!a.is_object() || !b.is_object()) return after;
  std::vector<std::string> parts;
  for (const auto& [key, value] : a.items()) {
    nlohmann::json old = b.contains(key) ? b[key] : nlohmann::json();
    if (old == value) continue;
    if (value.is_structured() || old.is_structured()) {
      parts.push_back(key);
    } else if (before.empty()) {
      parts.push_back(absl::StrCat(key, ": ", Plain(value)));
    } else {
      parts.push_back(absl::StrCat(key, ": ", Plain(old), " -> ", Plain(value)));
    }
  }
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) parts.push_back(absl::StrCat(key, " removed"));
  }
  return absl::StrJoin(parts, "; ");
}

v1::GetSheetRequest SheetRequest(const Args& a) {
  v1::GetSheetRequest req;
  req.set_employee_no(a.employee);
  req.set_period(a.period);
  return req;
}

// One line given by flags (`sheet lines` without --file).
struct LineFlags {
  std::string id, section, title, goal, standard, data_source;
  std::optional<double> weight, self, reviewer, subordinates, superior, points;
  bool confirmed = false;
  std::vector<std::string> remove;
  std::optional<int> kpi_weight;
};

bool AnyLineField(const LineFlags& f) {
  return !f.id.empty() || !f.section.empty() || !f.title.empty() || f.weight || f.self ||
         f.reviewer || f.subordinates || f.superior || f.points || f.confirmed;
}

v1::SheetLine LineFromFlags(const LineFlags& f) {
  v1::SheetLine l;
  l.set_id(f.id);
  l.set_section(ParseSection(f.section));
  l.set_title(f.title);
  l.set_goal(f.goal);
  l.set_standard(f.standard);
  l.set_data_source(f.data_source);
  if (f.weight) l.set_weight_percent(*f.weight);
  if (f.self) l.set_self_score(*f.self);
  if (f.reviewer) l.set_reviewer_score(*f.reviewer);
  if (f.subordinates) l.set_subordinates_score(*f.subordinates);
  if (f.superior) l.set_superior_score(*f.superior);
  if (f.points) l.set_points(*f.points);
  l.set_confirmed(f.confirmed);
  return l;
}

// Lines from JSON: an array of SheetLine objects, or one object per line
// (the protobuf JSON mapping: "section": "SHEET_SECTION_KPI" or a number,
// "weight_percent", "reviewer_score", ...).
bool ReadLinesFile(const std::string& path, v1::UpdateSheetLinesRequest* req,
                   std::string* error) {
  bool ok = false;
  std::string text = ReadWholeFile(path, &ok);
  if (!ok) {
    *error = absl::StrCat(path, ": cannot read");
    return false;
  }
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  google::protobuf::util::JsonParseOptions options;
  if (!trimmed.empty() && trimmed[0] == '[') {
    v1::UpdateSheetLinesRequest wrapped;
    auto s = google::protobuf::util::JsonStringToMessage(
        absl::StrCat("{\"lines\":", text, "}"), &wrapped, options);
    if (!s.ok()) {
      *error = absl::StrCat(path, ": ", std::string(s.message()));
      return false;
    }
    for (const v1::SheetLine& l : wrapped.lines()) *req->add_lines() = l;
    return true;
  }
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    if (absl::StripAsciiWhitespace(raw).empty()) continue;
    auto s = google::protobuf::util::JsonStringToMessage(std::string(raw), req->add_lines(),
                                                         options);
    if (!s.ok()) {
      *error = absl::StrCat(path, " line ", number, ": ", std::string(s.message()));
      return false;
    }
  }
  return true;
}

void AddLinesCommand(CLI::App* sheet, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<Args>();
  auto f = std::make_shared<LineFlags>();
  CLI::App* lines = sheet->add_subcommand(
      "lines", "add or change lines (--file, or one line by flags), remove lines, KPI share");
  EmployeeAndPeriod(lines, a.get());
  lines->add_option("--file", a->file,
                    "JSON: an array of SheetLine objects or one per line (id empty = new)");
  lines->add_option("--id", f->id, "the line to change (empty: a new line)");
  lines->add_option("--section", f->section, "section of a new line")
      ->check(CLI::IsMember(kSectionWords));
  lines->add_option("--title", f->title);
  lines->add_option("--goal", f->goal);
  lines->add_option("--standard", f->standard);
  lines->add_option("--data-source", f->data_source);
  lines->add_option("--weight", f->weight, "weight within the section, percent");
  lines->add_option("--self", f->self, "the employee's self score");
  lines->add_option("--reviewer", f->reviewer, "the manager's score");
  lines->add_option("--subordinates", f->subordinates, "management behaviour");
  lines->add_option("--superior", f->superior, "management behaviour");
  lines->add_option("--points", f->points, "incident (negative) or bonus points");
  lines->add_flag("--confirmed", f->confirmed, "the incident or bonus is confirmed");
  lines->add_option("--remove", f->remove, "remove this line id (repeatable)");
  lines->add_option("--kpi-weight", f->kpi_weight,
                    "manager or HR: percent of the sheet given to the KPI section");
  lines->callback([&g, exit_code, a, f] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::UpdateSheetLinesRequest req;
    req.set_employee_no(a->employee);
    req.set_period(a->period);
    std::string error;
    if (!a->file.empty() && !ReadLinesFile(a->file, &req, &error)) {
      *exit_code = Usage(error);
      return;
    }
    if (AnyLineField(*f)) *req.add_lines() = LineFromFlags(*f);
    for (const std::string& id : f->remove) req.add_remove_line_ids(id);
    if (f->kpi_weight) req.set_kpi_weight(*f->kpi_weight);
    if (req.lines_size() == 0 && req.remove_line_ids_size() == 0 && !req.has_kpi_weight()) {
      *exit_code = Usage("nothing to change: give --file, line flags, --remove or --kpi-weight");
      return;
    }
    v1::Sheet s;
    *exit_code = Call(g, "lines refused", [&](Stub& st, grpc::ClientContext* x) {
      return st.UpdateSheetLines(x, req, &s);
    });
    if (*exit_code == 0) PrintSheet(s, ParseFormat(g.format));
  });
}

void AddTransition(CLI::App* sheet, const GlobalOptions& g, int* exit_code, const char* name,
                   v1::SheetState to, const char* help) {
  auto a = std::make_shared<Args>();
  CLI::App* c = sheet->add_subcommand(name, help);
  EmployeeAndPeriod(c, a.get());
  c->callback([&g, exit_code, a, to, name] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::TransitionSheetRequest req;
    req.set_employee_no(a->employee);
    req.set_period(a->period);
    req.set_to(to);
    v1::Sheet s;
    *exit_code = Call(g, absl::StrCat("cannot ", name, " the sheet"),
                      [&](Stub& st, grpc::ClientContext* x) {
                        return st.TransitionSheet(x, req, &s);
                      });
    if (*exit_code != 0) return;
    if (ParseFormat(g.format) == Format::kTable) {
      std::cout << "sheet " << s.employee_no() << " " << s.period() << ": "
                << StateWord(s.state());
      if (s.appeal_deadline_unix() != 0 && s.state() == v1::SHEET_STATE_APPEAL_WINDOW) {
        std::cout << " (appeals until " << LocalTime(s.appeal_deadline_unix(), "%Y-%m-%d")
                  << ")";
      }
      std::cout << "\n";
    } else {
      PrintSheet(s, ParseFormat(g.format));
    }
  });
}

void AddSheetCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* sheet = group->add_subcommand("sheet", "one employee's monthly sheet");
  sheet->require_subcommand(1);
  auto a = std::make_shared<Args>();

  CLI::App* show = sheet->add_subcommand(
      "show", "the sheet: state, score, coefficient, pay, flags, lines and where the "
              "satisfaction figure came from");
  EmployeeAndPeriod(show, a.get());
  show->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::Sheet s;
    *exit_code = Call(g, "cannot read the sheet", [&](Stub& st, grpc::ClientContext* x) {
      return st.GetSheet(x, SheetRequest(*a), &s);
    });
    if (*exit_code == 0) PrintSheet(s, ParseFormat(g.format));
  });

  AddLinesCommand(sheet, g, exit_code);
  AddTransition(sheet, g, exit_code, "submit", v1::SHEET_STATE_SUBMITTED,
                "manager or HR: draft -> submitted (every score that counts is in)");
  AddTransition(sheet, g, exit_code, "return", v1::SHEET_STATE_DRAFT,
                "manager or HR: submitted -> draft, for correction");
  AddTransition(sheet, g, exit_code, "confirm", v1::SHEET_STATE_CONFIRMED,
                "the employee: submitted -> confirmed (signed)");
  AddTransition(sheet, g, exit_code, "release", v1::SHEET_STATE_APPEAL_WINDOW,
                "HR: confirmed -> appeal_window (the result is released; 5 working days)");
  AddTransition(sheet, g, exit_code, "finalize", v1::SHEET_STATE_FINAL,
                "HR: appeal_window -> final (after the deadline, no open appeal)");

  CLI::App* history = sheet->add_subcommand("history", "every change of the sheet");
  EmployeeAndPeriod(history, a.get());
  history->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::SheetHistory h;
    *exit_code = Call(g, "cannot read the history", [&](Stub& st, grpc::ClientContext* x) {
      return st.GetSheetHistory(x, SheetRequest(*a), &h);
    });
    if (*exit_code != 0) return;
    Format format = ParseFormat(g.format);
    // People get what changed; programs the whole before and after.
    Table t{format == Format::kTable
                ? std::vector<std::string>{"at", "who", "what", "changed"}
                : std::vector<std::string>{"at", "who", "what", "before", "after"},
            {}};
    for (const v1::SheetChange& c : h.changes()) {
      std::vector<std::string> row = {LocalTime(c.at_unix(), "%Y-%m-%d %H:%M:%S"), c.who(),
                                      c.what()};
      if (format == Format::kTable) {
        row.push_back(ChangeSummary(c.before(), c.after()));
      } else {
        row.push_back(c.before());
        row.push_back(c.after());
      }
      t.rows.push_back(std::move(row));
    }
    Print(t, format, std::cout);
  });
}

v1::ListSheetsRequest ListRequest(const Args& a) {
  v1::ListSheetsRequest req;
  req.set_period(a.period);
  req.set_department_code(a.department);
  req.set_grade(a.grade);
  req.set_late_only(a.late);
  return req;
}

void ListFilters(CLI::App* c, Args* a) {
  PeriodFlag(c, a);
  c->add_option("--department", a->department, "only this department");
  c->add_option("--grade", a->grade, "only this annual grade (A..E)");
  c->add_flag("--late", a->late, "only sheets that missed the data due date");
}

void AddListCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* sheets = group->add_subcommand("sheets", "HR or a manager: the sheets of a period");
  ListFilters(sheets, a.get());
  sheets->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::ListSheetsResponse r;
    *exit_code = Call(g, "cannot list sheets", [&](Stub& st, grpc::ClientContext* x) {
      return st.ListSheets(x, ListRequest(*a), &r);
    });
    if (*exit_code != 0) return;
    Table t{{"employee", "name", "department", "state", "score", "coefficient", "pay", "grade",
             "late", "flags"},
            {}};
    for (const v1::Sheet& s : r.sheets()) {
      t.rows.push_back({s.employee_no(), s.employee_name(), s.department_code(),
                        StateWord(s.state()), s.scored() ? Num(s.score()) : "-",
                        s.scored() ? Num(s.coefficient(), 4) : "-", Num(s.performance_pay()),
                        s.grade(), s.late() ? "yes" : "", JoinAll(s.flags(), " | ")});
    }
    Print(t, ParseFormat(g.format), std::cout);
  });

  auto e = std::make_shared<Args>();
  CLI::App* exp = group->add_subcommand(
      "export", "the sheets of a period as CSV (or JSON lines), streamed by the server");
  ListFilters(exp, e.get());
  exp->add_option("--out", e->out, "write here (mode 0600) instead of stdout");
  exp->add_flag("--json", e->json, "JSON lines instead of CSV (as --format json)");
  exp->callback([&g, exit_code, e] {
    if (!CheckPeriod("--period", e->period, exit_code)) return;
    v1::ListSheetsRequest req = ListRequest(*e);
    req.set_format(e->json || ParseFormat(g.format) == Format::kJson
                       ? v1::EXPORT_FORMAT_JSON_LINES
                       : v1::EXPORT_FORMAT_CSV);
    // A failed export must not leave a file that looks complete: write to
    // FILE.part (pay data: owner only) and rename once the server said OK.
    std::string part = e->out + ".part";
    std::unique_ptr<std::ofstream> file;
    if (!e->out.empty()) {
      mode_t old = umask(077);
      file = std::make_unique<std::ofstream>(part, std::ios::binary | std::ios::trunc);
      umask(old);
      if (!*file) {
        *exit_code = Usage(absl::StrCat(part, ": cannot write"));
        return;
      }
    }
    std::ostream& out = file ? *file : std::cout;
    *exit_code = WithStub<AppraisalService>(g, [&](Stub& stub) {
      auto ctx = MakeContext(g.connection);
      auto reader = stub.ExportSheets(ctx.get(), req);
      v1::ExportChunk chunk;
      while (reader->Read(&chunk)) out << chunk.data();
      out.flush();
      grpc::Status s = reader->Finish();
      return s.ok() ? 0 : Fail("cannot export sheets", s);
    });
    if (!file) return;
    file->close();
    if (*exit_code == 0 && std::rename(part.c_str(), e->out.c_str()) != 0) {
      std::cerr << e->out << ": cannot rename " << part << "\n";
      *exit_code = 1;
    }
    if (*exit_code != 0) std::remove(part.c_str());
  });
}

// ---- department -----------------------------------------------------------------

void PrintDepartment(const v1::DepartmentAppraisal& d, Format format) {
  if (format == Format::kJson) return PrintJson(d);
  const v1::Provenance& p = d.customer_provenance();
  Table t{{"field", "value"},
          {{"department", d.department_code()},
           {"period", d.period()},
           {"duties", Short(d.duties_score())},
           {"plan", Short(d.plan_score())},
           {"key_indicator", Short(d.key_indicator_score())},
           {"customer (cross-evaluation)",
            p.insufficient_responses() ? "insufficient responses" : Num(d.customer_score())},
           {"customer responses", absl::StrCat(p.responses(), " (k = ", p.anonymity_k(), ")")},
           {"customer periods", JoinAll(p.periods(), ", ")},
           {"customer campaigns", JoinAll(p.campaign_ids(), ", ")},
           {"complete", d.complete() ? "yes" : "no (duties, plan or key indicator missing)"},
           {"total", d.complete() ? Num(d.total()) : "-"},
           {"total_normalised", d.complete() ? Num(d.total_normalised()) : "-"}}};
  Print(t, format, std::cout);
}

void AddDepartmentCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* dept = group->add_subcommand("department", "a department's monthly appraisal");
  dept->require_subcommand(1);
  struct DeptArgs {
    std::string department, period;
    std::optional<double> duties, plan, key_indicator;
  };
  auto a = std::make_shared<DeptArgs>();
  auto common = [a](CLI::App* c) {
    c->add_option("--department", a->department, "department code")->required();
    c->add_option("--period", a->period, "month, YYYY-MM")->required();
  };
  auto get = [&g, a](v1::DepartmentAppraisal* d) {
    v1::GetDepartmentAppraisalRequest req;
    req.set_department_code(a->department);
    req.set_period(a->period);
    return Call(g, "cannot read the department appraisal",
                [&](Stub& st, grpc::ClientContext* x) {
                  return st.GetDepartmentAppraisal(x, req, d);
                });
  };

  CLI::App* show = dept->add_subcommand("show", "duties, plan, customer part, totals");
  common(show);
  show->callback([&g, exit_code, a, get] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::DepartmentAppraisal d;
    *exit_code = get(&d);
    if (*exit_code == 0) PrintDepartment(d, ParseFormat(g.format));
  });

  CLI::App* set = dept->add_subcommand(
      "set", "HR: the audited scores; those not given keep their value");
  common(set);
  set->add_option("--duties", a->duties, "duties score, 100-point");
  set->add_option("--plan", a->plan, "work plan score, 100-point");
  set->add_option("--key-indicator", a->key_indicator, "key-indicator score (factor = /100)");
  set->callback([&g, exit_code, a, get] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::DepartmentAppraisal d;
    *exit_code = get(&d);
    if (*exit_code != 0) return;
    d.set_department_code(a->department);
    d.set_period(a->period);
    if (a->duties) d.set_duties_score(*a->duties);
    if (a->plan) d.set_plan_score(*a->plan);
    if (a->key_indicator) d.set_key_indicator_score(*a->key_indicator);
    v1::DepartmentAppraisal out;
    *exit_code = Call(g, "department appraisal refused", [&](Stub& st, grpc::ClientContext* x) {
      return st.UpdateDepartmentAppraisal(x, d, &out);
    });
    if (*exit_code == 0) PrintDepartment(out, ParseFormat(g.format));
  });
}

// ---- quarter and grading ----------------------------------------------------------

void AddQuarterCommand(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* q = group->add_subcommand(
      "quarter", "quarterly scores with the department total carried in");
  q->add_option("--quarter", a->quarter, "YYYY-Qn, e.g. 2026-Q3")->required();
  q->add_option("--department", a->department, "only this department");
  q->callback([&g, exit_code, a] {
    v1::ListQuarterlyScoresRequest req;
    req.set_quarter(a->quarter);
    req.set_department_code(a->department);
    v1::ListQuarterlyScoresResponse r;
    *exit_code = Call(g, "cannot list quarterly scores", [&](Stub& st, grpc::ClientContext* x) {
      return st.ListQuarterlyScores(x, req, &r);
    });
    if (*exit_code != 0) return;
    Table t{{"employee", "department", "manager", "own", "months", "department_total",
             "department_months", "quarterly", "complete"},
            {}};
    for (const v1::QuarterlyScore& s : r.scores()) {
      t.rows.push_back({s.employee_no(), s.department_code(), s.manager() ? "yes" : "",
                        Num(s.own()), absl::StrCat(s.months()), Num(s.department()),
                        absl::StrCat(s.department_months()),
                        s.complete() ? Num(s.quarterly()) : "-", s.complete() ? "yes" : "no"});
    }
    Print(t, ParseFormat(g.format), std::cout);
  });
}

const std::vector<std::string> kGradedHeader = {
    "unit", "rank", "employee", "department", "months", "not_final", "coefficient",
    "grade", "flags", "bonus", "bonus_formula"};

std::vector<std::string> GradedRow(const v1::GradedEmployee& e) {
  return {e.unit(),
          absl::StrCat(e.rank()),
          e.employee_no(),
          e.department_code(),
          absl::StrCat(e.months()),
          absl::StrCat(e.months_not_final()),
          Num(e.annual_coefficient(), 4),
          e.grade(),
          JoinAll(e.flags(), " | "),
          Num(e.year_end_bonus()),
          Num(e.year_end_bonus_formula())};
}

void PrintGrading(const v1::AnnualGradingResult& r, Format format, bool dry_run) {
  if (format == Format::kJson) return PrintJson(r);
  Table employees{kGradedHeader, {}};
  for (const v1::GradedEmployee& e : r.employees()) employees.rows.push_back(GradedRow(e));
  if (format == Format::kCsv) return Print(employees, format, std::cout);
  std::cout << "annual grading " << r.year() << (dry_run ? " (dry run, nothing stored)" : "")
            << (r.pooling().empty() ? "" : absl::StrCat(", pooling ", r.pooling()))
            << (r.graded_at_unix() ? absl::StrCat(", graded ", LocalTime(r.graded_at_unix()))
                                   : "")
            << "\n";
  if (r.provisional()) {
    std::cout << "PROVISIONAL: some counted sheets are not final yet\n";
  }
  Table units{{"unit", "departments", "size", "quotas A/B/C/D/E", "given A/B/C/D/E", "note"},
              {}};
  for (const v1::GradingUnitSummary& u : r.units()) {
    units.rows.push_back({u.name(), JoinAll(u.departments(), ","), absl::StrCat(u.size()),
                          JoinAll(u.quotas(), "/"), JoinAll(u.counts(), "/"),
                          u.below_minimum() ? "below the minimum unit size" : ""});
  }
  std::cout << "\nunits\n";
  Print(units, Format::kTable, std::cout);
  std::cout << "\nemployees\n";
  Print(employees, Format::kTable, std::cout);
  if (r.skipped_size() > 0) {
    std::cout << "\nskipped (" << r.skipped_size() << ")\n";
    for (const std::string& s : r.skipped()) std::cout << "  " << s << "\n";
  }
}

// employee_no,year_end_score,checks with checks "90;85;88".
bool ReadCustomerServiceFile(const std::string& path, v1::RunAnnualGradingRequest* req) {
  bool ok = false;
  std::string text = ReadWholeFile(path, &ok);
  if (!ok) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  static constexpr domain::CsvColumn kColumns[] = {
      {"employee_no"}, {"year_end_score"}, {"checks", false}};
  std::vector<domain::CsvProblem> problems;
  domain::ImportCsv(
      text, kColumns,
      [&](const domain::CsvImportRow& row) {
        v1::CustomerServiceYearInput* in = req->add_customer_service();
        in->set_employee_no(std::string(row.cells[0]));
        double v = 0;
        if (!absl::SimpleAtod(std::string(row.cells[1]), &v)) {
          problems.push_back({row.line, row.index, "year_end_score", "not a number"});
        }
        in->set_year_end_score(v);
        for (absl::string_view c : absl::StrSplit(std::string(row.cells[2]), ';', absl::SkipWhitespace())) {
          if (!absl::SimpleAtod(c, &v)) {
            problems.push_back({row.line, row.index, "checks", "not a number"});
          }
          in->add_checks(v);
        }
      },
      &problems);
  for (const domain::CsvProblem& p : problems) {
    std::cerr << path << " line " << p.line
              << (p.column.empty() ? "" : absl::StrCat(", column ", p.column)) << ": "
              << p.message << "\n";
  }
  return problems.empty();
}

void AddGradingCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* grade = group->add_subcommand(
      "grade", "HR: annual coefficients, forced-distribution grades A5/B20/C50/D20/E5, bonus");
  grade->add_option("--year", a->year, "YYYY")->required();
  grade->add_option("--pooling", a->pooling, "department (default) | company")
      ->check(CLI::IsMember({"department", "company"}));
  grade->add_option("--completion-rate", a->completion_rate,
                    "company completion rate in percent, e.g. 105");
  grade->add_option("--bonus-factor", a->bonus_factor,
                    "year-end bonus in months of base salary, e.g. 1.5");
  grade->add_option("--customer-service", a->file,
                    "CSV employee_no,year_end_score,checks (checks \"90;85\")");
  grade->add_flag("--dry-run", a->dry_run, "compute and show, store nothing");
  grade->callback([&g, exit_code, a] {
    v1::RunAnnualGradingRequest req;
    req.set_year(a->year);
    req.set_pooling(a->pooling);
    req.set_completion_rate_percent(a->completion_rate);
    req.set_bonus_factor(a->bonus_factor);
    req.set_dry_run(a->dry_run);
    if (!a->file.empty() && !ReadCustomerServiceFile(a->file, &req)) {
      *exit_code = 1;
      return;
    }
    v1::AnnualGradingResult r;
    *exit_code = Call(g, "grading failed", [&](Stub& st, grpc::ClientContext* x) {
      return st.RunAnnualGrading(x, req, &r);
    });
    if (*exit_code == 0) PrintGrading(r, ParseFormat(g.format), a->dry_run);
  });

  auto b = std::make_shared<Args>();
  CLI::App* grades = group->add_subcommand("grades", "the stored annual grades of a year");
  grades->add_option("--year", b->year, "YYYY")->required();
  grades->add_option("--department", b->department, "only this department");
  grades->callback([&g, exit_code, b] {
    v1::GetAnnualGradingRequest req;
    req.set_year(b->year);
    req.set_department_code(b->department);
    v1::AnnualGradingResult r;
    *exit_code = Call(g, "cannot read the grades", [&](Stub& st, grpc::ClientContext* x) {
      return st.GetAnnualGrading(x, req, &r);
    });
    if (*exit_code == 0) PrintGrading(r, ParseFormat(g.format), false);
  });
}

// ---- appeals ----------------------------------------------------------------------

const std::vector<std::string> kAppealHeader = {
    "id", "employee", "period", "state", "filed", "deadline", "score_before", "new_score",
    "resolved", "resolved_by", "reason", "resolution"};

std::vector<std::string> AppealRow(const v1::Appeal& p) {
  bool accepted = p.state() == v1::APPEAL_STATE_ACCEPTED;
  return {p.id(),
          p.employee_no(),
          p.period(),
          AppealStateWord(p.state()),
          LocalTime(p.filed_at_unix()),
          p.deadline(),
          Num(p.score_before()),
          accepted ? Num(p.new_score()) : "",
          LocalTime(p.resolved_at_unix()),
          p.resolved_by(),
          p.reason(),
          p.resolution()};
}

void PrintAppeal(const v1::Appeal& p, Format format) {
  if (format == Format::kJson) return PrintJson(p);
  Table t{kAppealHeader, {AppealRow(p)}};
  if (format == Format::kCsv) return Print(t, format, std::cout);
  // One appeal reads better as name: value than as a wide row.
  for (size_t i = 0; i < t.header.size(); ++i) {
    if (t.rows[0][i].empty()) continue;
    std::cout << absl::StrFormat("%-14s%s\n", t.header[i] + ":", t.rows[0][i]);
  }
}

void AddAppealCommands(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  CLI::App* appeal = group->add_subcommand("appeal", "file or resolve an appeal");
  appeal->require_subcommand(1);
  auto a = std::make_shared<Args>();

  CLI::App* file = appeal->add_subcommand(
      "file", "the employee: appeal a released result within 5 working days");
  EmployeeAndPeriod(file, a.get());
  file->add_option("--reason", a->reason, "why")->required();
  file->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->period, exit_code)) return;
    v1::FileAppealRequest req;
    req.set_employee_no(a->employee);
    req.set_period(a->period);
    req.set_reason(a->reason);
    v1::Appeal r;
    *exit_code = Call(g, "appeal refused", [&](Stub& st, grpc::ClientContext* x) {
      return st.FileAppeal(x, req, &r);
    });
    if (*exit_code == 0) PrintAppeal(r, ParseFormat(g.format));
  });

  auto b = std::make_shared<Args>();
  CLI::App* resolve = appeal->add_subcommand(
      "resolve", "HR: accept with a new score, or reject; always with a reason");
  resolve->add_option("--id", b->id, "appeal id (appraisal appeals)")->required();
  auto* accept = resolve->add_flag("--accept", b->accept, "accept; give --score");
  auto* reject = resolve->add_flag("--reject", b->reject, "reject");
  accept->excludes(reject);
  auto* score = resolve->add_option("--score", b->score, "the sheet's new score (with --accept)");
  score->excludes(reject);
  resolve->add_option("--reason", b->reason, "the resolution, told to the employee")
      ->required();
  resolve->callback([&g, exit_code, b, score] {
    if (b->accept == b->reject) {
      *exit_code = Usage("give --accept --score X or --reject");
      return;
    }
    if (b->accept && score->count() == 0) {
      *exit_code = Usage("--accept needs --score");
      return;
    }
    v1::ResolveAppealRequest req;
    req.set_appeal_id(b->id);
    req.set_accept(b->accept);
    req.set_new_score(b->score);
    req.set_resolution(b->reason);
    v1::Appeal r;
    *exit_code = Call(g, "resolution refused", [&](Stub& st, grpc::ClientContext* x) {
      return st.ResolveAppeal(x, req, &r);
    });
    if (*exit_code == 0) PrintAppeal(r, ParseFormat(g.format));
  });

  auto c = std::make_shared<Args>();
  CLI::App* list =
      group->add_subcommand("appeals", "list appeals, optionally of a month, state or employee");
  list->add_option("--period", c->period, "only this month");
  list->add_option("--state", c->state, "open | accepted | rejected")
      ->check(CLI::IsMember({"open", "accepted", "rejected"}));
  list->add_option("--employee", c->employee, "only this employee");
  list->callback([&g, exit_code, c] {
    if (!c->period.empty() && !CheckPeriod("--period", c->period, exit_code)) return;
    v1::ListAppealsRequest req;
    req.set_period(c->period);
    req.set_employee_no(c->employee);
    req.set_state(c->state == "open"       ? v1::APPEAL_STATE_OPEN
                  : c->state == "accepted" ? v1::APPEAL_STATE_ACCEPTED
                  : c->state == "rejected" ? v1::APPEAL_STATE_REJECTED
                                           : v1::APPEAL_STATE_UNSPECIFIED);
    v1::ListAppealsResponse r;
    *exit_code = Call(g, "cannot list appeals", [&](Stub& st, grpc::ClientContext* x) {
      return st.ListAppeals(x, req, &r);
    });
    if (*exit_code != 0) return;
    Table t{kAppealHeader, {}};
    for (const v1::Appeal& p : r.appeals()) t.rows.push_back(AppealRow(p));
    Print(t, ParseFormat(g.format), std::cout);
  });
}

// Anyone: a bad incident about an employee, unconfirmed until their manager
// confirms it on the sheet.
void AddIncidentCommand(CLI::App* group, const GlobalOptions& g, int* exit_code) {
  struct IncidentArgs {
    Args base;
    std::string title, standard;
    double points = 0;
  };
  auto a = std::make_shared<IncidentArgs>();
  CLI::App* c = group->add_subcommand(
      "incident", "anyone: report a bad incident (a deduction, counted once confirmed)");
  EmployeeAndPeriod(c, &a->base);
  c->add_option("--title", a->title, "what happened")->required();
  c->add_option("--standard", a->standard, "the rule it breaks");
  c->add_option("--points", a->points, "the deduction, e.g. -5")->required();
  c->callback([&g, exit_code, a] {
    if (!CheckPeriod("--period", a->base.period, exit_code)) return;
    v1::ReportIncidentRequest req;
    req.set_employee_no(a->base.employee);
    req.set_period(a->base.period);
    req.set_title(a->title);
    req.set_standard(a->standard);
    req.set_points(a->points);
    v1::ReportIncidentResponse r;
    *exit_code = Call(g, "incident refused", [&](Stub& st, grpc::ClientContext* x) {
      return st.ReportIncident(x, req, &r);
    });
    if (*exit_code == 0) {
      std::cout << "reported as line " << r.line_id() << " of " << req.employee_no() << "'s "
                << req.period() << " sheet, unconfirmed until their manager confirms it\n";
    }
  });
}

}  // namespace

void AddAppraisalCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* group = app.add_subcommand(
      "appraisal", "appraisal sheets, satisfaction push, grading and appeals");
  group->require_subcommand(1);
  // Set before the subcommands are added, which inherit it: global options
  // such as --format may then follow the subcommand too.
  group->fallthrough();
  AddConfigCommands(group, global, exit_code);
  AddHolidayCommands(group, global, exit_code);
  AddPayCommands(group, global, exit_code);
  AddPushCommand(group, global, exit_code);
  AddSheetCommands(group, global, exit_code);
  AddListCommands(group, global, exit_code);
  AddDepartmentCommands(group, global, exit_code);
  AddQuarterCommand(group, global, exit_code);
  AddGradingCommands(group, global, exit_code);
  AddAppealCommands(group, global, exit_code);
  AddIncidentCommand(group, global, exit_code);
}

}  // namespace survey::client
