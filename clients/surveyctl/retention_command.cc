// surveyctl retention apply: removes the answers of closed campaigns past
// retention (AdminService.ApplyRetention; admin only). The daily job of
// deploy/systemd/survey-retention.timer runs it.
#include "common/output.h"
#include "surveyctl/commands.h"
#include "survey/v1/admin.grpc.pb.h"

namespace survey::client {

void AddRetentionCommand(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* group = app.add_subcommand(
      "retention", "remove the answers of closed campaigns past retention (admin)");
  group->require_subcommand(1);
  auto dry_run = std::make_shared<bool>(false);
  CLI::App* apply = group->add_subcommand(
      "apply", "remove what is past retention; figures stay (--dry-run: only list)");
  apply->add_flag("--dry-run", *dry_run, "list what would be removed, remove nothing");
  apply->fallthrough();
  apply->callback([&global, exit_code, dry_run] {
    *exit_code = WithStub<v1::AdminService>(global, [&](v1::AdminService::Stub& stub) {
      v1::ApplyRetentionRequest req;
      req.set_dry_run(*dry_run);
      v1::ApplyRetentionResponse r;
      auto ctx = MakeContext(global.connection);
      grpc::Status s = stub.ApplyRetention(ctx.get(), req, &r);
      if (!s.ok()) return Fail("cannot apply retention", s);
      Table t{{"campaign", "kind", "period", "removable_from", "outcome", "responses_removed"},
              {}};
      for (const v1::RetentionOutcome& c : r.campaigns()) {
        t.rows.push_back({c.campaign_id(),
                          c.kind() == v1::CAMPAIGN_KIND_CROSS_EVALUATION ? "cross_evaluation"
                                                                         : "customer_satisfaction",
                          c.period(), c.removable_from().empty() ? "never" : c.removable_from(),
                          c.outcome(), std::to_string(c.responses_removed())});
      }
      Print(t, ParseFormat(global.format), std::cout);
      return 0;
    });
  });
}

}  // namespace survey::client
