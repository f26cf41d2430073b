// Shared set-up for tests of the mobile path: a small organisation, an
// opened campaign and its tokens, all through the real gRPC API.
#ifndef SURVEY_TESTS_INTEGRATION_SURVEY_FIXTURE_H_
#define SURVEY_TESTS_INTEGRATION_SURVEY_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_server.h"
#include "survey/v1/admin.grpc.pb.h"
#include "survey/v1/respond.grpc.pb.h"

namespace survey::testing {

class SurveyFixture : public ::testing::Test {
 protected:
  void SetUp() override;

  // Creates (and by default opens) a customer-satisfaction campaign for
  // `period`; returns its id.
  std::string CustomerCampaign(bool open = true, const std::string& period = "2026-11");
  std::string CrossCampaign(bool open = true, const std::string& period = "2026-11");
  // Issues one token per subject in `subjects` (customer campaign).
  std::vector<std::string> Issue(const std::string& campaign,
                                 const std::vector<std::string>& subjects);
  std::vector<v1::IssuedInvitation> IssueCross(const std::string& campaign);
  grpc::Status Transition(const std::string& campaign, bool open);

  grpc::Status Submit(const std::string& token, const std::vector<int>& scores,
                      const std::vector<std::string>& reasons = {},
                      const std::string& comment = "");
  grpc::Status GetSurvey(const std::string& token, v1::Survey* out,
                         const std::string& locale = "zh-CN");
  std::string Scalar(const std::string& query);

  static std::vector<int> Scores(int value) { return std::vector<int>(9, value); }

  std::unique_ptr<TestServer> ts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::RespondService::Stub> respond_;
};

}  // namespace survey::testing

#endif  // SURVEY_TESTS_INTEGRATION_SURVEY_FIXTURE_H_
