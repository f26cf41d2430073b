// surveyctl template / campaign: forms and the campaigns that issue them.
// The invitations group is in invitation_commands.cc.
//
// Output follows --format: table and csv print rows; for the single-object
// commands (template show, campaign show) json prints the message itself as
// proto JSON on one line, which `template create` accepts back.
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/output.h"
#include "domain/period.h"
#include "survey/v1/admin.grpc.pb.h"
#include "surveyctl/commands.h"
#include "surveyctl/invitation_commands.h"

namespace survey::client {
namespace {

using v1::AdminService;

std::string ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string KindWord(v1::CampaignKind kind) {
  switch (kind) {
    case v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION: return "customer";
    case v1::CAMPAIGN_KIND_CROSS_EVALUATION: return "cross";
    default: return "unspecified";
  }
}

std::string StateWord(v1::CampaignState state) {
  switch (state) {
    case v1::CAMPAIGN_STATE_DRAFT: return "draft";
    case v1::CAMPAIGN_STATE_OPEN: return "open";
    case v1::CAMPAIGN_STATE_CLOSED: return "closed";
    default: return "unspecified";
  }
}

std::vector<std::string> CampaignRow(const v1::Campaign& c) {
  return {c.id(),
          KindWord(c.kind()),
          c.period(),
          absl::StrCat(c.template_key(), "@", c.template_version()),
          std::to_string(c.anonymity_k()),
          StateWord(c.state()),
          std::to_string(c.invitations_issued()),
          std::to_string(c.responses())};
}

const std::vector<std::string> kCampaignHeader = {
    "id", "kind", "period", "template", "k", "state", "invitations",
    "responses"};

void PrintTemplate(const v1::Template& t, Format format) {
  if (format == Format::kJson) {
    std::cout << ProtoJson(t) << "\n";
    return;
  }
  Table table{{"indicator", "indicator_zh", "indicator_en", "weight_percent",
               "sub_indicator", "sub_zh", "sub_en"},
              {}};
  for (const v1::Indicator& ind : t.indicators()) {
    for (const v1::SubIndicator& sub : ind.sub_indicators()) {
      table.rows.push_back({ind.key(), ind.label().zh(), ind.label().en(),
                            std::to_string(ind.weight_percent()), sub.key(),
                            sub.label().zh(), sub.label().en()});
    }
  }
  if (format == Format::kCsv) {
    Print(table, format, std::cout);
    return;
  }
  std::cout << "template " << t.key() << " v" << t.version()
            << (t.in_use() ? " (in use)" : "") << ": " << t.name().zh()
            << " / " << t.name().en() << "\n\n";
  Print(table, format, std::cout);
  Table bands{{"low", "high", "band_zh", "band_en"}, {}};
  for (const v1::ScaleBand& b : t.bands()) {
    bands.rows.push_back({std::to_string(b.low()), std::to_string(b.high()),
                          b.label().zh(), b.label().en()});
  }
  std::cout << "\n";
  Print(bands, format, std::cout);
}

void AddTemplateCommands(CLI::App& app, const GlobalOptions& global,
                         int* exit_code) {
  CLI::App* group = app.add_subcommand("template", "survey forms");
  group->require_subcommand(1);

  CLI::App* list = group->add_subcommand("list", "list templates");
  list->callback([&global, exit_code] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::ListTemplatesResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status =
          stub.ListTemplates(ctx.get(), v1::ListTemplatesRequest(), &response);
      if (!status.ok()) return Fail("cannot list templates", status);
      Table table{{"key", "version", "name_zh", "name_en", "indicators",
                   "in_use"},
                  {}};
      for (const v1::Template& t : response.templates()) {
        table.rows.push_back({t.key(), std::to_string(t.version()),
                              t.name().zh(), t.name().en(),
                              std::to_string(t.indicators_size()),
                              t.in_use() ? "yes" : "no"});
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });

  struct ShowArgs {
    std::string key;
    int version = 0;
  };
  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = group->add_subcommand(
      "show", "indicators, weights, sub-indicators and bands of a template");
  show->add_option("key", show_args->key, "template key")->required();
  show->add_option("--version", show_args->version, "version (0 = latest)")
      ->capture_default_str();
  show->callback([&global, exit_code, show_args] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::GetTemplateRequest request;
      request.set_key(show_args->key);
      request.set_version(show_args->version);
      v1::Template response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.GetTemplate(ctx.get(), request, &response);
      if (!status.ok()) return Fail("cannot read template", status);
      PrintTemplate(response, ParseFormat(global.format));
      return 0;
    });
  });

  auto create_path = std::make_shared<std::string>();
  CLI::App* create = group->add_subcommand(
      "create",
      "store FILE.json (a survey.v1.Template in proto JSON) as the next "
      "version of its key");
  create->add_option("file", *create_path, "template JSON file")->required();
  create->callback([&global, exit_code, create_path] {
    std::ifstream in(*create_path, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << *create_path << "\n";
      *exit_code = 1;
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    v1::CreateTemplateRequest request;
    // Unknown fields are errors, so that a misspelt key is not dropped.
    auto parsed = google::protobuf::util::JsonStringToMessage(
        text.str(), request.mutable_template_());
    if (!parsed.ok()) {
      std::cerr << *create_path << ": " << parsed.ToString() << "\n";
      *exit_code = 1;
      return;
    }
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::Template response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.CreateTemplate(ctx.get(), request, &response);
      if (!status.ok()) return Fail("template refused", status);
      std::cout << "created template " << response.key() << " version "
                << response.version() << "\n";
      return 0;
    });
  });
}

// campaign open / campaign close.
void AddTransition(CLI::App& group, const GlobalOptions& global,
                   int* exit_code, bool open) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd = group.add_subcommand(
      open ? "open" : "close",
      open ? "DRAFT -> OPEN: freeze k and the template; answers accepted"
           : "OPEN -> CLOSED: no more answers; scores become reportable");
  cmd->add_option("id", *id, "campaign id")->required();
  cmd->callback([&global, exit_code, id, open] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::CampaignTransitionRequest request;
      request.set_id(*id);
      v1::Campaign response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status =
          open ? stub.OpenCampaign(ctx.get(), request, &response)
               : stub.CloseCampaign(ctx.get(), request, &response);
      if (!status.ok()) {
        return Fail(open ? "cannot open" : "cannot close", status);
      }
      std::cout << "campaign " << response.id() << ": "
                << StateWord(response.state()) << "\n";
      return 0;
    });
  });
}

void AddCampaignCommands(CLI::App& app, const GlobalOptions& global,
                         int* exit_code) {
  CLI::App* group = app.add_subcommand("campaign", "survey campaigns");
  group->require_subcommand(1);

  struct CreateArgs {
    std::string kind, period, template_key = "default", title_zh, title_en;
    int template_version = 0, k = 5, comment_k = 10;
  };
  auto a = std::make_shared<CreateArgs>();
  CLI::App* create = group->add_subcommand(
      "create", "create a DRAFT campaign and print its id");
  create->add_option("--kind", a->kind, "customer | cross")
      ->required()
      ->check(CLI::IsMember({"customer", "cross"}));
  create->add_option("--period", a->period, "month, YYYY-MM")->required();
  create->add_option("--template", a->template_key)->capture_default_str();
  create->add_option("--template-version", a->template_version,
                     "0 = latest")
      ->capture_default_str();
  create->add_option("--title-zh", a->title_zh);
  create->add_option("--title-en", a->title_en);
  create->add_option("--k", a->k, "anonymity threshold (at least 3)")
      ->capture_default_str();
  create->add_option("--comment-k", a->comment_k,
                     "minimum group size for comments")
      ->capture_default_str();
  create->callback([&global, exit_code, a] {
    // Checked here too so that a typo is explained without a round trip.
    absl::StatusOr<domain::Period> period = domain::Period::Parse(a->period);
    if (!period.ok()) {
      std::cerr << "--period: " << period.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::CreateCampaignRequest request;
      v1::Campaign& c = *request.mutable_campaign();
      c.set_kind(a->kind == "cross" ? v1::CAMPAIGN_KIND_CROSS_EVALUATION
                                    : v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
      c.set_period(a->period);
      c.set_template_key(a->template_key);
      c.set_template_version(a->template_version);
      c.mutable_title()->set_zh(a->title_zh);
      c.mutable_title()->set_en(a->title_en);
      c.set_anonymity_k(a->k);
      c.set_comment_k(a->comment_k);
      v1::Campaign response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.CreateCampaign(ctx.get(), request, &response);
      if (!status.ok()) return Fail("campaign refused", status);
      // The id alone, so scripts can capture it.
      std::cout << response.id() << "\n";
      return 0;
    });
  });

  struct ListArgs {
    std::string period, state;
  };
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = group->add_subcommand("list", "list campaigns");
  list->add_option("--period", list_args->period, "only this month");
  list->add_option("--state", list_args->state, "draft | open | closed")
      ->check(CLI::IsMember({"draft", "open", "closed"}));
  list->callback([&global, exit_code, list_args] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::ListCampaignsRequest request;
      request.set_period(list_args->period);
      const std::string& s = list_args->state;
      request.set_state(s == "draft"    ? v1::CAMPAIGN_STATE_DRAFT
                        : s == "open"   ? v1::CAMPAIGN_STATE_OPEN
                        : s == "closed" ? v1::CAMPAIGN_STATE_CLOSED
                                        : v1::CAMPAIGN_STATE_UNSPECIFIED);
      v1::ListCampaignsResponse response;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.ListCampaigns(ctx.get(), request, &response);
      if (!status.ok()) return Fail("cannot list campaigns", status);
      Table table{kCampaignHeader, {}};
      for (const v1::Campaign& c : response.campaigns()) {
        table.rows.push_back(CampaignRow(c));
      }
      Print(table, ParseFormat(global.format), std::cout);
      return 0;
    });
  });

  auto show_id = std::make_shared<std::string>();
  CLI::App* show = group->add_subcommand("show", "one campaign");
  show->add_option("id", *show_id, "campaign id")->required();
  show->callback([&global, exit_code, show_id] {
    *exit_code = WithStub<AdminService>(global, [&](AdminService::Stub& stub) {
      v1::GetCampaignRequest request;
      request.set_id(*show_id);
      v1::Campaign c;
      auto ctx = MakeContext(global.connection);
      grpc::Status status = stub.GetCampaign(ctx.get(), request, &c);
      if (!status.ok()) return Fail("cannot read campaign", status);
      const Format format = ParseFormat(global.format);
      if (format == Format::kJson) {
        std::cout << ProtoJson(c) << "\n";
        return 0;
      }
      Table table{{"field", "value"}, {}};
      const std::vector<std::string> row = CampaignRow(c);
      for (size_t i = 0; i < row.size(); ++i) {
        table.rows.push_back({kCampaignHeader[i], row[i]});
      }
      table.rows.push_back({"comment_k", std::to_string(c.comment_k())});
      table.rows.push_back({"title_zh", c.title().zh()});
      table.rows.push_back({"title_en", c.title().en()});
      Print(table, format, std::cout);
      return 0;
    });
  });

  AddTransition(*group, global, exit_code, /*open=*/true);
  AddTransition(*group, global, exit_code, /*open=*/false);
}

// Lets global options such as --format follow the subcommand too
// ("campaign list --format csv"), as people type them.
void AllowGlobalOptionsAfter(CLI::App* command) {
  command->fallthrough();
  for (CLI::App* sub : command->get_subcommands({})) {
    AllowGlobalOptionsAfter(sub);
  }
}

}  // namespace

void AddSurveyCommands(CLI::App& app, const GlobalOptions& global,
                       int* exit_code) {
  AddTemplateCommands(app, global, exit_code);
  AddCampaignCommands(app, global, exit_code);
  AddInvitationCommands(app, global, exit_code);
  for (const char* name : {"template", "campaign", "invitations"}) {
    AllowGlobalOptionsAfter(app.get_subcommand(name));
  }
}

}  // namespace survey::client
