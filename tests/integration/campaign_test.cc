// Templates, campaigns and invitations over real gRPC against a real
// MariaDB (fixture: campaign_fixture.h).
#include <google/protobuf/util/message_differencer.h>

#include <set>
#include <thread>

#include "api/convert_survey.h"
#include "domain/form_json.h"
#include "integration/campaign_fixture.h"

namespace survey::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

TEST_F(CampaignTest, DefaultTemplateIsSeededOnceAndIdentical) {
  // A second seeding (another server starting) changes nothing, even with
  // different content under the same version.
  domain::Template other = domain::DefaultTemplate();
  other.name.zh = "改过的";
  ASSERT_TRUE(templates_->EnsureDefault(other).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM survey_template"), "1");

  v1::GetTemplateRequest req;
  req.set_key("default");
  v1::Template got;
  ASSERT_TRUE(stub_->GetTemplate(Ctx().get(), req, &got).ok());
  v1::Template expected;
  api::ToProto(domain::DefaultTemplate(), false, &expected);
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(expected, got)) << diff;
  EXPECT_EQ(got.version(), 1);
  EXPECT_EQ(got.indicators(0).label().zh(), "信息沟通");

  // The stored definition is the domain's JSON, byte for byte.
  EXPECT_EQ(One("SELECT definition FROM survey_template"),
            domain::TemplateToJson(domain::DefaultTemplate()));
}

v1::Template SmallTemplate(const std::string& key, const std::string& name) {
  domain::Template t = domain::DefaultTemplate();
  t.key = key;
  t.name = {name, "Small"};
  t.indicators.resize(2);
  t.indicators[0].weight_percent = 45;
  t.indicators[1].weight_percent = 55;
  v1::Template out;
  api::ToProto(t, false, &out);
  out.set_version(77);  // ignored on create
  return out;
}

TEST_F(CampaignTest, CreateTemplateAddsVersionsAndTracksUse) {
  v1::CreateTemplateRequest req;
  *req.mutable_template_() = SmallTemplate("cs", "客服一");
  v1::Template first, second;
  ASSERT_TRUE(stub_->CreateTemplate(Ctx().get(), req, &first).ok());
  req.mutable_template_()->mutable_name()->set_zh("客服二");
  ASSERT_TRUE(stub_->CreateTemplate(Ctx("admin").get(), req, &second).ok());
  EXPECT_EQ(first.version(), 1);
  EXPECT_EQ(second.version(), 2);
  EXPECT_EQ(second.indicators_size(), 2);

  v1::GetTemplateRequest get;
  get.set_key("cs");
  v1::Template latest, v1_again;
  ASSERT_TRUE(stub_->GetTemplate(Ctx().get(), get, &latest).ok());
  EXPECT_EQ(latest.version(), 2);
  EXPECT_EQ(latest.name().zh(), "客服二");
  get.set_version(1);
  ASSERT_TRUE(stub_->GetTemplate(Ctx().get(), get, &v1_again).ok());
  EXPECT_EQ(v1_again.name().zh(), "客服一");
  get.set_version(3);
  EXPECT_EQ(stub_->GetTemplate(Ctx().get(), get, &v1_again).error_code(),
            grpc::NOT_FOUND);

  v1::Campaign c;
  ASSERT_TRUE(CreateCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION, &c, 0,
                             "cs", 0).ok());
  EXPECT_EQ(c.template_version(), 2);
  auto list = [&] {
    v1::ListTemplatesResponse resp;
    EXPECT_TRUE(stub_->ListTemplates(Ctx().get(), {}, &resp).ok());
    return resp;
  };
  v1::ListTemplatesResponse before = list();
  ASSERT_EQ(before.templates_size(), 2);  // latest of each key
  EXPECT_EQ(before.templates(0).key(), "cs");
  EXPECT_EQ(before.templates(0).version(), 2);
  EXPECT_EQ(before.templates(1).key(), "default");
  EXPECT_FALSE(before.templates(0).in_use());  // a draft does not count
  v1::CampaignTransitionRequest open;
  open.set_id(c.id());
  ASSERT_TRUE(stub_->OpenCampaign(Ctx().get(), open, &c).ok());
  EXPECT_TRUE(list().templates(0).in_use());
  EXPECT_FALSE(list().templates(1).in_use());
}

TEST_F(CampaignTest, ConcurrentCreatorsGetDistinctVersions) {
  domain::Template t = api::FromProto(SmallTemplate("race", "竞争"));
  std::vector<int> versions(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<int> v = templates_->Create(t, Audit());
      versions[i] = v.ok() ? *v : -1;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(std::set<int>(versions.begin(), versions.end()),
            (std::set<int>{1, 2, 3, 4}));
}

TEST_F(CampaignTest, BadTemplateNamesTheFieldAndStoresNothing) {
  struct Case {
    void (*change)(v1::Template&);
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {[](v1::Template& t) { t.mutable_indicators(1)->set_weight_percent(50); },
       "template.indicators[1].weight_percent: "},
      {[](v1::Template& t) {
         t.mutable_indicators(0)->mutable_sub_indicators(1)->set_key("Bad Key");
       },
       "template.indicators[0].sub_indicators[1].key: "},
      {[](v1::Template& t) { t.set_key(""); }, "template.key: "},
      {[](v1::Template& t) { t.mutable_bands(0)->set_low(0); },
       "template.bands[0].low: "},
  };
  for (const Case& c : cases) {
    v1::CreateTemplateRequest req;
    *req.mutable_template_() = SmallTemplate("bad", "坏");
    c.change(*req.mutable_template_());
    v1::Template out;
    grpc::Status s = stub_->CreateTemplate(Ctx().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << c.prefix;
    EXPECT_EQ(s.error_message().rfind(c.prefix, 0), 0u) << s.error_message();
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM survey_template"), "1");
}

TEST_F(CampaignTest, LifecycleDraftOpenClosedIsIdempotentAndOneWay) {
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION);
  EXPECT_EQ(c.id().size(), 32u);
  EXPECT_EQ(c.state(), v1::CAMPAIGN_STATE_DRAFT);
  EXPECT_EQ(c.anonymity_k(), 5);
  EXPECT_EQ(c.comment_k(), 10);
  EXPECT_EQ(c.template_version(), 1);
  EXPECT_EQ(c.title().zh(), "十一月满意度调查");
  v1::CampaignTransitionRequest req;
  req.set_id(c.id());
  v1::Campaign out;
  // A draft cannot skip to closed.
  EXPECT_EQ(stub_->CloseCampaign(Ctx().get(), req, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(stub_->OpenCampaign(Ctx().get(), req, &out).ok());
    EXPECT_EQ(out.state(), v1::CAMPAIGN_STATE_OPEN);
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(stub_->CloseCampaign(Ctx().get(), req, &out).ok());
    EXPECT_EQ(out.state(), v1::CAMPAIGN_STATE_CLOSED);
  }
  grpc::Status reopen = stub_->OpenCampaign(Ctx().get(), req, &out);
  EXPECT_EQ(reopen.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_NE(reopen.error_message().find("closed"), std::string::npos);
  EXPECT_EQ(One("SELECT state FROM campaign"), "closed");

  v1::Campaign other = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  v1::ListCampaignsRequest list;
  list.set_state(v1::CAMPAIGN_STATE_CLOSED);
  v1::ListCampaignsResponse listed;
  ASSERT_TRUE(stub_->ListCampaigns(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.campaigns_size(), 1);
  EXPECT_EQ(listed.campaigns(0).id(), c.id());
  list.set_state(v1::CAMPAIGN_STATE_UNSPECIFIED);
  list.set_period("2026-11");
  ASSERT_TRUE(stub_->ListCampaigns(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.campaigns_size(), 2);
  list.set_period("2026-12");
  listed.Clear();
  ASSERT_TRUE(stub_->ListCampaigns(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.campaigns_size(), 0);
  v1::GetCampaignRequest get;
  get.set_id(other.id());
  ASSERT_TRUE(stub_->GetCampaign(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.kind(), v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
}

TEST_F(CampaignTest, BadCampaignsAreRefused) {
  v1::Campaign out;
  grpc::Status s = CreateCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, &out, 2);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("campaign.anonymity_k: must be at least 3", 0),
            0u) << s.error_message();
  EXPECT_EQ(CreateCampaign(v1::CAMPAIGN_KIND_UNSPECIFIED, &out).error_code(),
            grpc::INVALID_ARGUMENT);
  EXPECT_EQ(CreateCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, &out, 0, "nope")
                .error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(CreateCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, &out, 0,
                           "default", 9).error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(One("SELECT COUNT(*) FROM campaign"), "0");
  // An explicit k above the default comment_k lifts the comment default.
  ASSERT_TRUE(CreateCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, &out, 12).ok());
  EXPECT_EQ(out.comment_k(), 12);

  v1::GetCampaignRequest get;
  get.set_id(std::string(32, 'a'));
  EXPECT_EQ(stub_->GetCampaign(Ctx().get(), get, &out).error_code(),
            grpc::NOT_FOUND);
  get.set_id("x' OR '1'='1");
  EXPECT_EQ(stub_->GetCampaign(Ctx().get(), get, &out).error_code(),
            grpc::INVALID_ARGUMENT);
}

// ------------------------------------------------------------ invitations

TEST_F(CampaignTest, CustomerInvitationsAreIssuedInEventOrderAndOnlyHashed) {
  ImportOrg({"AS", "CS"}, {2, 1});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  const std::vector<std::string> nos = {"AS-M2", "AS-M1", "AS-M2", "CS-M1"};
  v1::IssueInvitationsRequest req = Events(c.id(), nos);
  const int64_t before = absl::ToUnixSeconds(absl::Now());
  std::vector<v1::IssuedInvitation> issued;
  grpc::Status s = Issue(req, &issued);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(issued.size(), nos.size());
  std::set<std::string> expected_hex;
  for (size_t i = 0; i < issued.size(); ++i) {
    const v1::IssuedInvitation& inv = issued[i];
    EXPECT_EQ(inv.event_index(), static_cast<int>(i));
    EXPECT_EQ(inv.subject().employee_no(), nos[i]);
    EXPECT_EQ(inv.subject().department_code_of_employee(), nos[i].substr(0, 2));
    EXPECT_EQ(inv.subject().display_name(),
              absl::StrCat("员工", nos[i].substr(0, 2), nos[i].substr(4)));
    EXPECT_EQ(inv.deep_link(), "survey://answer?t=" + inv.token());
    EXPECT_TRUE(inv.recipient_employee_no().empty());
    EXPECT_GE(inv.expires_at_unix(), before + 30 * 86400);
    EXPECT_LE(inv.expires_at_unix(), before + 30 * 86400 + 60);
    ASSERT_TRUE(crypto::NormalizeToken(inv.token()).ok());
    expected_hex.insert(HmacHex(inv.token()));
    // The plaintext token is nowhere in the database, in any case.
    EXPECT_EQ(CellsContaining(inv.token()), 0) << inv.token();
    EXPECT_EQ(CellsContaining(absl::AsciiStrToLower(inv.token())), 0);
  }
  EXPECT_EQ(expected_hex.size(), nos.size());  // all tokens distinct
  auto rows = db_->Query(
      "SELECT HEX(token_hmac), subject_kind, subject_code, group_code, state"
      " FROM invitation");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), nos.size());
  std::set<std::string> stored_hex;
  for (const auto& row : *rows) {
    stored_hex.insert(row[0]);
    EXPECT_EQ(row[1], "employee");
    EXPECT_EQ(row[3], "");
    EXPECT_EQ(row[4], "unused");
  }
  EXPECT_EQ(stored_hex, expected_hex);

  v1::GetCampaignRequest get;
  get.set_id(c.id());
  v1::Campaign after;
  ASSERT_TRUE(stub_->GetCampaign(Ctx().get(), get, &after).ok());
  EXPECT_EQ(after.invitations_issued(), 4);
  EXPECT_EQ(after.responses(), 0);
}

TEST_F(CampaignTest, ManyEventsSpanChunksInOrder) {
  ImportOrg({"AS"}, {3});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  std::vector<std::string> nos;
  for (int i = 0; i < 1234; ++i) nos.push_back(absl::StrCat("AS-M", 1 + i % 3));
  v1::IssueInvitationsRequest req = Events(c.id(), nos);
  req.set_link_base("https://survey.example.com/a/");
  const int64_t expiry = absl::ToUnixSeconds(absl::Now()) + 7 * 86400;
  req.set_expires_at_unix(expiry);
  std::vector<v1::IssuedInvitation> issued;
  ASSERT_TRUE(Issue(req, &issued).ok());
  ASSERT_EQ(issued.size(), nos.size());
  for (size_t i = 0; i < issued.size(); ++i) {
    ASSERT_EQ(issued[i].event_index(), static_cast<int>(i));
    ASSERT_EQ(issued[i].subject().employee_no(), nos[i]);
  }
  // A web link base carries the token in the fragment: it never reaches a
  // server log, a proxy or a Referer.
  EXPECT_EQ(issued[7].deep_link(),
            "https://survey.example.com/a/#" + issued[7].token());
  EXPECT_EQ(issued[7].expires_at_unix(), expiry);
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "1234");
  EXPECT_EQ(One("SELECT COUNT(DISTINCT expires_at) FROM invitation"), "1");
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation WHERE subject_code='AS-M1'"),
            "412");
}

TEST_F(CampaignTest, BadEventsIssueNothing) {
  ImportOrg({"AS"}, {3});
  Deactivate("AS-M3");
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  std::vector<v1::IssuedInvitation> issued;
  grpc::Status s =
      Issue(Events(c.id(), {"AS-M1", "NOPE", "AS-M3", "AS-M2", ""}), &issued);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  for (const char* field : {"events[1].subject_employee_no: unknown",
                            "events[2].subject_employee_no: employee \"AS-M3\" "
                            "is inactive",
                            "events[4].subject_employee_no: required"}) {
    EXPECT_NE(s.error_message().find(field), std::string::npos)
        << s.error_message();
  }
  EXPECT_EQ(s.error_message().find("events[0]"), std::string::npos);
  EXPECT_TRUE(issued.empty());
  v1::IssueInvitationsRequest with_pairs = Events(c.id(), {"AS-M1"});
  with_pairs.add_pairs()->set_evaluating_department_code("AS");
  EXPECT_EQ(Issue(with_pairs, &issued).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Issue(Events(c.id(), {}), &issued).error_code(),
            grpc::INVALID_ARGUMENT);
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "0");
}

TEST_F(CampaignTest, IssueChecksCampaignAndExpiry) {
  ImportOrg({"AS"}, {1});
  std::vector<v1::IssuedInvitation> issued;
  EXPECT_EQ(Issue(Events(std::string(32, 'f'), {"AS-M1"}), &issued).error_code(),
            grpc::NOT_FOUND);
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  v1::IssueInvitationsRequest req = Events(c.id(), {"AS-M1"});
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (int64_t bad : {now - 10, int64_t{1}, now + 181 * 86400}) {
    req.set_expires_at_unix(bad);
    grpc::Status s = Issue(req, &issued);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(s.error_message().rfind("expires_at_unix: ", 0), 0u);
  }
  req.set_expires_at_unix(now + 179 * 86400);
  ASSERT_TRUE(Issue(req, &issued).ok());  // draft: allowed
  v1::CampaignTransitionRequest t;
  t.set_id(c.id());
  v1::Campaign out;
  ASSERT_TRUE(stub_->OpenCampaign(Ctx().get(), t, &out).ok());
  ASSERT_TRUE(Issue(req, &issued).ok());  // open: allowed
  ASSERT_TRUE(stub_->CloseCampaign(Ctx().get(), t, &out).ok());
  EXPECT_EQ(Issue(req, &issued).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(issued.size(), 2u);
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "2");
  // The store refuses too, so a close racing an issue cannot be outrun.
  store::NewInvitation row{hasher_->Hmac("X"), domain::SubjectKind::kEmployee,
                           "AS-M1", "", now + 60};
  EXPECT_EQ(invitations_->Insert(c.id(), {row}, Audit()).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CampaignTest, CrossEvaluationMatrixAndNoRecipientStored) {
  ImportOrg({"DA", "DB", "DC"}, {2, 3, 5});
  Deactivate("DC-M5");  // leaves 2, 3 and 4 active members
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION);
  v1::IssueInvitationsRequest req;
  req.set_campaign_id(c.id());
  std::vector<v1::IssuedInvitation> issued;
  ASSERT_TRUE(Issue(req, &issued).ok());
  ASSERT_EQ(issued.size(), 18u);  // (2 + 3 + 4) members x 2 rated each
  std::set<std::string> recipients;
  for (const v1::IssuedInvitation& inv : issued) {
    const std::string& from = inv.evaluating_department_code();
    EXPECT_NE(inv.subject().department_code(), from);
    EXPECT_EQ(inv.subject().display_name(),
              "部门" + inv.subject().department_code());
    EXPECT_EQ(inv.recipient_employee_no().rfind(from + "-M", 0), 0u);
    EXPECT_NE(inv.recipient_employee_no(), "DC-M5");
    recipients.insert(inv.recipient_employee_no());
  }
  EXPECT_EQ(recipients.size(), 9u);
  auto cells = db_->Query(
      "SELECT group_code, subject_code, COUNT(*) FROM invitation"
      " WHERE subject_kind = 'department' GROUP BY group_code, subject_code"
      " ORDER BY group_code, subject_code");
  ASSERT_TRUE(cells.ok());
  const std::vector<std::vector<std::string>> expected = {
      {"DA", "DB", "2"}, {"DA", "DC", "2"}, {"DB", "DA", "3"},
      {"DB", "DC", "3"}, {"DC", "DA", "4"}, {"DC", "DB", "4"}};
  EXPECT_EQ(*cells, expected);
  // Who got which token is not stored anywhere outside the organisation
  // (and its history: the audit log's records of org changes).
  for (const std::string& r : recipients) {
    EXPECT_EQ(CellsContaining(r, {"employee", "department", "audit_log"}), 0) << r;
  }

  v1::IssueInvitationsRequest pairs;
  pairs.set_campaign_id(c.id());
  v1::DepartmentPair* p = pairs.add_pairs();
  p->set_evaluating_department_code("DB");
  p->set_rated_department_code("DA");
  issued.clear();
  ASSERT_TRUE(Issue(pairs, &issued).ok());
  EXPECT_EQ(issued.size(), 3u);
  p->set_rated_department_code("DB");
  grpc::Status s = Issue(pairs, &issued);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("pairs[0]: ", 0), 0u) << s.error_message();
  p->set_rated_department_code("XX");
  EXPECT_EQ(Issue(pairs, &issued).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Issue(Events(c.id(), {"DA-M1"}), &issued).error_code(),
            grpc::INVALID_ARGUMENT);
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "21");
}

TEST_F(CampaignTest, RevokeCountsAndIsIdempotent) {
  ImportOrg({"AS"}, {1});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  std::vector<v1::IssuedInvitation> issued;
  ASSERT_TRUE(Issue(Events(c.id(), {"AS-M1", "AS-M1", "AS-M1"}), &issued).ok());
  ASSERT_EQ(issued.size(), 3u);
  const std::string used_hex = HmacHex(issued[1].token());
  ASSERT_TRUE(db_->Execute(absl::StrCat(
      "UPDATE invitation SET state = 'used' WHERE token_hmac = UNHEX('",
      used_hex, "')")).ok());
  absl::StatusOr<std::string> stranger = crypto::GenerateToken(random_);
  ASSERT_TRUE(stranger.ok());
  v1::RevokeInvitationsRequest req;
  req.add_tokens(issued[0].token());
  req.add_tokens(issued[1].token());
  req.add_tokens(*stranger);
  // As printed and typed: dashes and lower case are fine.
  req.add_tokens(absl::AsciiStrToLower(crypto::FormatTokenForPrint(issued[2].token())));
  for (int round = 0; round < 2; ++round) {
    v1::RevokeInvitationsResponse resp;
    grpc::Status s = stub_->RevokeInvitations(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.revoked(), 2) << round;
    EXPECT_EQ(resp.already_used(), 1) << round;
    EXPECT_EQ(resp.unknown(), 1) << round;
  }
  EXPECT_EQ(One(absl::StrCat("SELECT state FROM invitation WHERE token_hmac ="
                             " UNHEX('", used_hex, "')")),
            "used");
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation WHERE state = 'revoked'"), "2");
  v1::GetCampaignRequest get;
  get.set_id(c.id());
  v1::Campaign after;
  ASSERT_TRUE(stub_->GetCampaign(Ctx().get(), get, &after).ok());
  EXPECT_EQ(after.invitations_issued(), 3);
  EXPECT_EQ(after.responses(), 1);

  const std::string typo = issued[0].token().substr(0, 20) + "0O1";
  req.Clear();
  req.add_tokens(issued[0].token());
  req.add_tokens(typo);
  v1::RevokeInvitationsResponse resp;
  grpc::Status s = stub_->RevokeInvitations(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "tokens[1]: malformed");
}

TEST_F(CampaignTest, FindByTokenHmacGivesWhatTheAppShows) {
  ImportOrg({"AS", "CS"}, {1, 1});
  v1::Campaign cust = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  v1::Campaign cross = NewCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION);
  std::vector<v1::IssuedInvitation> a, b;
  ASSERT_TRUE(Issue(Events(cust.id(), {"CS-M1"}), &a).ok());
  v1::IssueInvitationsRequest req;
  req.set_campaign_id(cross.id());
  ASSERT_TRUE(Issue(req, &b).ok());
  ASSERT_EQ(b.size(), 2u);

  absl::StatusOr<store::InvitationView> v =
      invitations_->FindByTokenHmac(hasher_->Hmac(a[0].token()));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->campaign.id, cust.id());
  EXPECT_EQ(v->campaign.kind, domain::CampaignKind::kCustomerSatisfaction);
  EXPECT_EQ(v->campaign.period, "2026-11");
  EXPECT_EQ(v->campaign.template_key, "default");
  EXPECT_EQ(v->campaign.template_version, 1);
  EXPECT_EQ(v->campaign.title.zh, "十一月满意度调查");
  EXPECT_EQ(v->campaign.anonymity_k, 5);
  EXPECT_EQ(v->campaign.comment_k, 10);
  EXPECT_EQ(v->campaign.state, domain::CampaignState::kDraft);
  EXPECT_EQ(v->subject_kind, domain::SubjectKind::kEmployee);
  EXPECT_EQ(v->subject_code, "CS-M1");
  EXPECT_EQ(v->subject_name, "员工CS1");
  EXPECT_EQ(v->subject_department_code, "CS");
  EXPECT_EQ(v->subject_department_name, "部门CS");
  EXPECT_EQ(v->group_code, "");
  EXPECT_EQ(v->group_name, "");
  EXPECT_EQ(v->expires_at, a[0].expires_at_unix());
  EXPECT_EQ(v->state, domain::InvitationState::kUnused);

  const v1::IssuedInvitation& x = b[0];  // DA rates... here AS rates CS
  v = invitations_->FindByTokenHmac(hasher_->Hmac(x.token()));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->subject_kind, domain::SubjectKind::kDepartment);
  EXPECT_EQ(v->subject_code, x.subject().department_code());
  EXPECT_EQ(v->subject_name, "部门" + x.subject().department_code());
  EXPECT_EQ(v->subject_department_name, "");
  EXPECT_EQ(v->group_code, x.evaluating_department_code());
  EXPECT_EQ(v->group_name, "部门" + x.evaluating_department_code());

  ASSERT_TRUE(db_->Execute("UPDATE invitation SET state = 'used'").ok());
  v = invitations_->FindByTokenHmac(hasher_->Hmac(x.token()));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->state, domain::InvitationState::kUsed);
  v = invitations_->FindByTokenHmac(hasher_->Hmac("AAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CampaignTest, BinaryHashesWithNulBytesRoundTrip) {
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  ImportOrg({"AS"}, {1});
  store::TokenHmac zeros{};  // all NUL
  store::TokenHmac mixed{};
  for (size_t i = 0; i < mixed.size(); ++i) mixed[i] = i % 3 ? 0 : 0xA0 + i;
  std::vector<store::NewInvitation> rows = {
      {zeros, domain::SubjectKind::kEmployee, "AS-M1", "", 4102444800},
      {mixed, domain::SubjectKind::kEmployee, "AS-M1", "", 4102444800}};
  ASSERT_TRUE(invitations_->Insert(c.id(), rows, Audit()).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation WHERE LENGTH(token_hmac) = 32"
                " AND token_hmac = REPEAT(CHAR(0), 32)"),
            "1");
  EXPECT_EQ(One("SELECT HEX(token_hmac) FROM invitation WHERE token_hmac <>"
                " REPEAT(CHAR(0), 32)"),
            absl::AsciiStrToUpper(crypto::ToHex(absl::MakeConstSpan(mixed))));
  ASSERT_TRUE(invitations_->FindByTokenHmac(mixed).ok());
  absl::StatusOr<store::RevokeCounts> r = invitations_->Revoke({zeros, mixed}, Audit());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->revoked, 2);
  EXPECT_EQ(r->unknown, 0);
}

TEST_F(CampaignTest, OnlyHrAndAdminMayManageSurveys) {
  ImportOrg({"AS"}, {1});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  for (const std::string who : {"manager:AS", "employee:AS-M1", ""}) {
    const grpc::StatusCode want =
        who.empty() ? grpc::UNAUTHENTICATED : grpc::PERMISSION_DENIED;
    v1::Template t;
    v1::Campaign out;
    v1::CreateTemplateRequest ct;
    *ct.mutable_template_() = SmallTemplate("x", "x");
    EXPECT_EQ(stub_->CreateTemplate(Ctx(who).get(), ct, &t).error_code(), want);
    v1::GetTemplateRequest gt;
    gt.set_key("default");
    EXPECT_EQ(stub_->GetTemplate(Ctx(who).get(), gt, &t).error_code(), want);
    v1::ListTemplatesResponse lt;
    EXPECT_EQ(stub_->ListTemplates(Ctx(who).get(), {}, &lt).error_code(), want);
    v1::CreateCampaignRequest cc;
    cc.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CROSS_EVALUATION);
    EXPECT_EQ(stub_->CreateCampaign(Ctx(who).get(), cc, &out).error_code(), want);
    v1::ListCampaignsResponse lc;
    EXPECT_EQ(stub_->ListCampaigns(Ctx(who).get(), {}, &lc).error_code(), want);
    v1::CampaignTransitionRequest tr;
    tr.set_id(c.id());
    EXPECT_EQ(stub_->OpenCampaign(Ctx(who).get(), tr, &out).error_code(), want);
    std::vector<v1::IssuedInvitation> issued;
    EXPECT_EQ(Issue(Events(c.id(), {"AS-M1"}), &issued, who).error_code(), want);
    v1::RevokeInvitationsResponse rr;
    EXPECT_EQ(stub_->RevokeInvitations(Ctx(who).get(), {}, &rr).error_code(),
              want);
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "0");
  EXPECT_EQ(One("SELECT state FROM campaign"), "draft");
}

TEST_F(CampaignTest, FailingRandomnessIssuesNothing) {
  ImportOrg({"AS"}, {1});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  random_.fail = true;
  std::vector<v1::IssuedInvitation> issued;
  EXPECT_EQ(Issue(Events(c.id(), {"AS-M1", "AS-M1"}), &issued).error_code(),
            grpc::INTERNAL);
  EXPECT_TRUE(issued.empty());
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "0");
  v1::Campaign out;
  EXPECT_EQ(CreateCampaign(v1::CAMPAIGN_KIND_CROSS_EVALUATION, &out).error_code(),
            grpc::INTERNAL);
  EXPECT_EQ(One("SELECT COUNT(*) FROM campaign"), "1");
  random_.fail = false;
  ASSERT_TRUE(Issue(Events(c.id(), {"AS-M1"}), &issued).ok());
  EXPECT_EQ(issued.size(), 1u);
}

TEST_F(CampaignTest, RandomnessFailingMidwayIssuesNothingOfTheBatch) {
  ImportOrg({"AS"}, {1});
  v1::Campaign c = NewCampaign(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  random_.fail_after = 2;  // two tokens come out, the third cannot
  std::vector<v1::IssuedInvitation> issued;
  grpc::Status s = Issue(Events(c.id(), {"AS-M1", "AS-M1", "AS-M1", "AS-M1"}),
                         &issued);
  // (The detail, "issued 0 of 4", is logged on the server, not sent.)
  EXPECT_EQ(s.error_code(), grpc::INTERNAL) << s.error_message();
  EXPECT_TRUE(issued.empty()) << "no token of a failed batch is handed out";
  EXPECT_EQ(One("SELECT COUNT(*) FROM invitation"), "0")
      << "the two good tokens were not stored either";
}

}  // namespace
}  // namespace survey::testing
