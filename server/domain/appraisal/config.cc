#include "domain/appraisal/config.h"

#include <initializer_list>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace survey::domain::appraisal {
namespace {

struct Weight {
  std::string_view name;
  int value;
};

// Each weight 0..100 and their sum within [min_sum, max_sum].
absl::Status CheckGroup(std::string_view group, std::initializer_list<Weight> ws,
                        int min_sum, int max_sum) {
  int sum = 0;
  for (const Weight& w : ws) {
    if (w.value < 0 || w.value > 100) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(group), ".", std::string(w.name), " is ",
                       w.value, ", must be 0..100"));
    }
    sum += w.value;
  }
  if (sum < min_sum || sum > max_sum) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(group), " weights sum to ", sum, ", must be ",
        min_sum == max_sum ? absl::StrCat(min_sum)
                           : absl::StrCat(min_sum, "..", max_sum)));
  }
  return absl::OkStatus();
}

absl::Status CheckSections(std::string_view group, const SectionWeights& w) {
  return CheckGroup(group,
                    {{"kpi_goals", w.kpi_goals},
                     {"behaviour", w.behaviour},
                     {"management", w.management}},
                    100, 100);
}

}  // namespace

absl::Status ValidateConfig(const AppraisalConfig& c) {
  if (absl::Status s = CheckSections("management_post", c.management_post);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckSections("other_post", c.other_post); !s.ok()) {
    return s;
  }
  if (c.other_post.management != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("other_post.management is ", c.other_post.management,
                     ", must be 0: other posts have no management section"));
  }
  const ManagementParts& m = c.management_parts;
  if (absl::Status s = CheckGroup("management_parts",
                                  {{"self", m.self},
                                   {"subordinates", m.subordinates},
                                   {"superior", m.superior}},
                                  100, 100);
      !s.ok()) {
    return s;
  }
  const CustomerServiceWeights& cs = c.customer_service;
  if (absl::Status s = CheckGroup("customer_service",
                                  {{"morality", cs.morality},
                                   {"diligence", cs.diligence},
                                   {"ability", cs.ability},
                                   {"performance", cs.performance}},
                                  100, 100);
      !s.ok()) {
    return s;
  }
  const YearEndComposition& y = c.year_end;
  if (absl::Status s = CheckGroup("year_end",
                                  {{"checks", y.checks},
                                   {"monthly", y.monthly},
                                   {"year_end", y.year_end}},
                                  100, 100);
      !s.ok()) {
    return s;
  }
  if (c.satisfaction_weight < 0 || c.satisfaction_weight > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "satisfaction_weight is ", c.satisfaction_weight, ", must be 0..100"));
  }
  if (c.anonymity_k < 3 || c.anonymity_k > 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "anonymity_k is ", c.anonymity_k, ", must be 3..1000"));
  }
  if (c.max_window_periods < 0 || c.max_window_periods > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_window_periods is ", c.max_window_periods, ", must be 0..3"));
  }
  const DepartmentWeights& d = c.department;
  if (absl::Status s = CheckGroup("department",
                                  {{"duties", d.duties},
                                   {"plan", d.plan},
                                   {"customer", d.customer}},
                                  1, 100);
      !s.ok()) {
    return s;
  }
  return CheckGroup("quarter",
                    {{"manager", c.quarter.manager},
                     {"member", c.quarter.member}},
                    0, 200);
}

const SectionWeights& WeightsFor(const AppraisalConfig& config, PostType post) {
  return post == PostType::kManagement ? config.management_post
                                       : config.other_post;
}

}  // namespace survey::domain::appraisal
