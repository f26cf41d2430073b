#include "integration/survey_fixture.h"

namespace survey::testing {
namespace {

v1::Employee Emp(const std::string& no, const std::string& name,
                 const std::string& dept) {
  v1::Employee e;
  e.set_employee_no(no);
  e.set_name(name);
  e.set_department_code(dept);
  e.set_post_type(v1::POST_TYPE_OTHER);
  e.set_position(v1::POSITION_AFTER_SALES_ENGINEER);
  return e;
}

}  // namespace

void SurveyFixture::SetUp() {
  auto ts = TestServer::Start();
  ASSERT_TRUE(ts.ok()) << ts.status();
  ts_ = std::move(*ts);
  admin_ = v1::AdminService::NewStub(ts_->channel());
  respond_ = v1::RespondService::NewStub(ts_->channel());
  v1::ImportOrgRequest org;
  for (auto [code, name] : {std::pair{"AS", "售后服务部"}, {"CS", "客户服务部"},
                            {"TS", "技术支持部"}}) {
    v1::Department* d = org.add_departments();
    d->set_code(code);
    d->set_name(name);
  }
  *org.add_employees() = Emp("E1", "王堃", "AS");
  *org.add_employees() = Emp("E2", "李喆", "AS");
  *org.add_employees() = Emp("E3", "张三", "CS");
  *org.add_employees() = Emp("E4", "赵四", "CS");
  *org.add_employees() = Emp("E5", "钱五", "TS");
  v1::ImportOrgResponse out;
  grpc::Status s = admin_->ImportOrg(TestServer::Context("hr").get(), org, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

grpc::Status SurveyFixture::Transition(const std::string& campaign, bool open) {
  v1::CampaignTransitionRequest req;
  req.set_id(campaign);
  v1::Campaign out;
  auto ctx = TestServer::Context("hr");
  return open ? admin_->OpenCampaign(ctx.get(), req, &out)
              : admin_->CloseCampaign(ctx.get(), req, &out);
}

std::string SurveyFixture::CustomerCampaign(bool open, const std::string& period) {
  v1::CreateCampaignRequest req;
  req.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION);
  req.mutable_campaign()->set_period(period);
  req.mutable_campaign()->set_template_key("default");
  req.mutable_campaign()->mutable_title()->set_zh("十一月客户满意度");
  req.mutable_campaign()->mutable_title()->set_en("November satisfaction");
  v1::Campaign out;
  grpc::Status s = admin_->CreateCampaign(TestServer::Context("hr").get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  if (open) {
    EXPECT_TRUE(Transition(out.id(), true).ok());
  }
  return out.id();
}

std::string SurveyFixture::CrossCampaign(bool open, const std::string& period) {
  v1::CreateCampaignRequest req;
  req.mutable_campaign()->set_kind(v1::CAMPAIGN_KIND_CROSS_EVALUATION);
  req.mutable_campaign()->set_period(period);
  req.mutable_campaign()->set_template_key("default");
  v1::Campaign out;
  grpc::Status s = admin_->CreateCampaign(TestServer::Context("hr").get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  if (open) {
    EXPECT_TRUE(Transition(out.id(), true).ok());
  }
  return out.id();
}

std::vector<std::string> SurveyFixture::Issue(
    const std::string& campaign, const std::vector<std::string>& subjects) {
  v1::IssueInvitationsRequest req;
  req.set_campaign_id(campaign);
  for (const std::string& s : subjects) req.add_events()->set_subject_employee_no(s);
  auto ctx = TestServer::Context("hr");
  auto reader = admin_->IssueInvitations(ctx.get(), req);
  std::vector<std::string> tokens;
  v1::IssuedInvitation inv;
  while (reader->Read(&inv)) tokens.push_back(inv.token());
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(tokens.size(), subjects.size());
  return tokens;
}

std::vector<v1::IssuedInvitation> SurveyFixture::IssueCross(const std::string& campaign) {
  v1::IssueInvitationsRequest req;
  req.set_campaign_id(campaign);
  auto ctx = TestServer::Context("hr");
  auto reader = admin_->IssueInvitations(ctx.get(), req);
  std::vector<v1::IssuedInvitation> out;
  v1::IssuedInvitation inv;
  while (reader->Read(&inv)) out.push_back(inv);
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

grpc::Status SurveyFixture::Submit(const std::string& token,
                                   const std::vector<int>& scores,
                                   const std::vector<std::string>& reasons,
                                   const std::string& comment) {
  v1::SubmitRequest req;
  req.set_token(token);
  req.set_submission_id("sub-1");
  for (int s : scores) req.add_scores(s);
  for (const auto& r : reasons) req.add_reasons(r);
  req.set_comment(comment);
  v1::SubmitResponse resp;
  return respond_->Submit(TestServer::Context("").get(), req, &resp);
}

grpc::Status SurveyFixture::GetSurvey(const std::string& token, v1::Survey* out,
                                      const std::string& locale) {
  v1::GetSurveyRequest req;
  req.set_token(token);
  req.set_locale(locale);
  return respond_->GetSurvey(TestServer::Context("").get(), req, out);
}

std::string SurveyFixture::Scalar(const std::string& query) {
  auto rows = ts_->db().Query(query);
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok() || rows->empty() || (*rows)[0].empty()) return "<none>";
  return (*rows)[0][0];
}

}  // namespace survey::testing
