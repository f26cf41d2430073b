#include "domain/form.h"

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

std::string FormRepeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

// An indicator with `subs` sub-indicators keyed "<key>.s0", "<key>.s1", ...
Indicator MakeIndicator(const std::string& key, int weight, int subs) {
  Indicator ind{key, {"指标", "Indicator"}, weight, {}};
  for (int j = 0; j < subs; ++j) {
    ind.subs.push_back({absl::StrCat(key, ".s", j), {"子项", "Sub"}, {}});
  }
  return ind;
}

// Indicators "i0", "i1", ... with the given weights and sub counts.
std::vector<Indicator> MakeIndicators(const std::vector<int>& weights,
                                      const std::vector<int>& subs) {
  std::vector<Indicator> out;
  for (size_t i = 0; i < weights.size(); ++i) {
    out.push_back(MakeIndicator(absl::StrCat("i", i), weights[i], subs[i]));
  }
  return out;
}

TEST(DefaultTemplateTest, HasTheFormOfDomainSection2) {
  const Template t = DefaultTemplate();
  EXPECT_EQ(t.key, "default");
  EXPECT_EQ(t.version, 1);
  ASSERT_EQ(t.indicators.size(), 3u);
  EXPECT_EQ(t.SubIndicatorCount(), 9);  // 3 + 2 + 4

  const std::vector<std::string> keys = {"info", "attitude", "support"};
  const std::vector<std::string> zh = {"信息沟通", "服务态度", "支持合作"};
  const std::vector<int> weights = {30, 30, 40};
  const std::vector<size_t> sub_counts = {3, 2, 4};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(t.indicators[i].key, keys[i]);
    EXPECT_EQ(t.indicators[i].label.zh, zh[i]);
    EXPECT_FALSE(t.indicators[i].label.en.empty());
    EXPECT_EQ(t.indicators[i].weight_percent, weights[i]);
    EXPECT_EQ(t.indicators[i].subs.size(), sub_counts[i]);
  }
}

TEST(DefaultTemplateTest, SubIndicatorsInOrder) {
  struct Expected {
    std::string key;
    std::string zh;
    std::string en;
  };
  const std::vector<Expected> expected = {
      {"info.seeking", "寻求信息", "Seeking information"},
      {"info.providing", "提供信息", "Providing information"},
      {"info.guidance", "业务指导", "Business guidance"},
      {"attitude.responsibility", "责任意识", "Sense of responsibility"},
      {"attitude.service", "服务态度", "Service attitude"},
      {"support.relations", "关系融洽", "Harmonious relations"},
      {"support.timeliness", "服务及时", "Timeliness"},
      {"support.quality", "服务质量", "Service quality"},
      {"support.outcome", "服务结果", "Service outcome"},
  };
  std::vector<const SubIndicator*> subs;
  const Template t = DefaultTemplate();
  for (const Indicator& ind : t.indicators) {
    for (const SubIndicator& sub : ind.subs) subs.push_back(&sub);
  }
  ASSERT_EQ(subs.size(), expected.size());
  for (size_t j = 0; j < subs.size(); ++j) {
    SCOPED_TRACE(expected[j].key);
    EXPECT_EQ(subs[j]->key, expected[j].key);
    EXPECT_EQ(subs[j]->label.zh, expected[j].zh);
    EXPECT_EQ(subs[j]->label.en, expected[j].en);
    EXPECT_FALSE(subs[j]->description.zh.empty());
    EXPECT_FALSE(subs[j]->description.en.empty());
  }
}

TEST(DefaultTemplateTest, BandsAndValidity) {
  const Template t = DefaultTemplate();
  EXPECT_TRUE(ValidateTemplate(t).ok()) << ValidateTemplate(t);
  ASSERT_EQ(t.bands.size(), 4u);
  EXPECT_EQ(t.bands[3].label.en, "Highly commendable");
  // Both ends of 1-2, 3-5, 6-8, 9-10 find their band; 0 and 11 find none.
  const std::vector<std::pair<int, std::string>> cases = {
      {1, "不满意"}, {2, "不满意"}, {3, "需较大改进"},   {5, "需较大改进"},
      {6, "满意"},   {8, "满意"},   {9, "非常值得称赞"}, {10, "非常值得称赞"}};
  for (const auto& [score, zh] : cases) {
    const ScaleBand* band = FindBand(t, score);
    ASSERT_NE(band, nullptr) << score;
    EXPECT_EQ(band->label.zh, zh) << score;
  }
  EXPECT_EQ(FindBand(t, 0), nullptr);
  EXPECT_EQ(FindBand(t, 11), nullptr);
}

TEST(LocalizedTextTest, PicksByLocaleAndFallsBack) {
  const LocalizedText both{"满意", "Satisfied"};
  for (const char* locale : {"zh", "zh-CN", "zh_TW", "ZH-Hans"}) {
    EXPECT_EQ(both.Pick(locale), "满意") << locale;
  }
  for (const char* locale : {"en", "en-US", "", "fr", "zhx"}) {
    EXPECT_EQ(both.Pick(locale), "Satisfied") << locale;
  }
  // An empty language falls back to the other one.
  EXPECT_EQ((LocalizedText{"满意", ""}).Pick("en"), "满意");
  EXPECT_EQ((LocalizedText{"", "Satisfied"}).Pick("zh-CN"), "Satisfied");
}

struct Case {
  std::string name;
  std::function<void(Template&)> mutate;  // applied to DefaultTemplate()
  std::string error;  // exact InvalidArgument message; "" = accepted
};

// Names the case instead of dumping its bytes in failure messages.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ValidateTemplateTest : public testing::TestWithParam<Case> {};

TEST_P(ValidateTemplateTest, Matrix) {
  Template t = DefaultTemplate();
  GetParam().mutate(t);
  const absl::Status status = ValidateTemplate(t);
  if (GetParam().error.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(status.message(), GetParam().error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateTemplateTest,
    testing::ValuesIn(std::vector<Case>{
        // 30 + 30 + 39 = 99 and 30 + 30 + 41 = 101.
        {"Sum99", [](Template& t) { t.indicators[2].weight_percent = 39; },
         "indicators[2].weight_percent: weights sum to 99, must be 100"},
        {"Sum101", [](Template& t) { t.indicators[2].weight_percent = 41; },
         "indicators[2].weight_percent: weights sum to 101, must be 100"},
        {"ZeroWeight",
         [](Template& t) {
           t.indicators[0].weight_percent = 0;
           t.indicators[2].weight_percent = 70;
         },
         "indicators[0].weight_percent: 0 must be > 0"},
        {"NegativeWeight",
         [](Template& t) { t.indicators[1].weight_percent = -30; },
         "indicators[1].weight_percent: -30 must be > 0"},
        {"ZeroSubs", [](Template& t) { t.indicators[1].subs.clear(); },
         "indicators[1].subs: has 0, must have 1..20"},
        {"TwentyOneSubs",
         [](Template& t) { t.indicators[0] = MakeIndicator("big", 30, 21); },
         "indicators[0].subs: has 21, must have 1..20"},
        {"NoIndicators", [](Template& t) { t.indicators.clear(); },
         "indicators: has 0, must have 1..10"},
        {"ElevenIndicators",
         [](Template& t) {
           t.indicators = MakeIndicators(std::vector<int>(11, 9),  // Σ 99
                                         std::vector<int>(11, 1));
         },
         "indicators: has 11, must have 1..10"},
        {"DuplicateSubKey",
         [](Template& t) { t.indicators[2].subs[3].key = "info.seeking"; },
         "indicators[2].subs[3].key: duplicate key \"info.seeking\""},
        {"SubKeyEqualsIndicatorKey",
         [](Template& t) { t.indicators[1].subs[0].key = "info"; },
         "indicators[1].subs[0].key: duplicate key \"info\""},
        {"DuplicateIndicatorKey",
         [](Template& t) { t.indicators[2].key = "attitude"; },
         "indicators[2].key: duplicate key \"attitude\""},
        {"UppercaseKey", [](Template& t) { t.indicators[0].key = "Info"; },
         "indicators[0].key: must match [a-z0-9_.]{1,64}"},
        {"EmptySubKey", [](Template& t) { t.indicators[0].subs[1].key = ""; },
         "indicators[0].subs[1].key: must match [a-z0-9_.]{1,64}"},
        {"KeyOf65", [](Template& t) { t.indicators[0].key = FormRepeat("k", 65); },
         "indicators[0].key: must match [a-z0-9_.]{1,64}"},
        {"TemplateKey", [](Template& t) { t.key = "de fault"; },
         "key: must match [a-z0-9_.]{1,64}"},
        {"Version0", [](Template& t) { t.version = 0; },
         "version: 0 must be >= 1"},
        {"LabelEmptyInBoth",
         [](Template& t) {
           t.indicators[1].label = {"", ""};
         },
         "indicators[1].label: empty in both languages"},
        {"LabelOf201",
         [](Template& t) {
           t.indicators[0].subs[2].label.zh = FormRepeat("信", 201);
         },
         "indicators[0].subs[2].label.zh: longer than 200 characters"},
        {"LabelNotUtf8", [](Template& t) { t.name.en = "bad \xff"; },
         "name.en: not valid UTF-8"},
        {"LabelLineBreak",
         [](Template& t) { t.bands[0].label.en = "dis\nsatisfied"; },
         "bands[0].label.en: contains control characters"},
        {"DescriptionOf1001",
         [](Template& t) {
           t.indicators[2].subs[0].description.en = FormRepeat("a", 1001);
         },
         "indicators[2].subs[0].description.en: longer than 1000 characters"},
        {"ScaleMin0", [](Template& t) { t.scale_min = 0; },
         "scale_min: 0 must be 1"},
        {"ScaleMax5", [](Template& t) { t.scale_max = 5; },
         "scale_max: 5 must be 10"},
        {"OverlappingBands", [](Template& t) { t.bands[1].low = 2; },
         "bands[1].low: 2 overlaps bands[0] (1..2)"},
        {"BandGap", [](Template& t) { t.bands[2].low = 7; },
         "bands[2].low: 7 leaves 6..6 uncovered"},
        {"BandsStartAt2", [](Template& t) { t.bands[0].low = 2; },
         "bands[0].low: 2 must be 1, where the scale starts"},
        {"BandsEndAt9", [](Template& t) { t.bands[3].high = 9; },
         "bands[3].high: 9 leaves 10..10 uncovered"},
        {"BandBeyond10", [](Template& t) { t.bands[3].high = 11; },
         "bands[3].high: 11 is outside 9..10"},
        {"BandInverted",
         [](Template& t) {
           t.bands[1] = {3, 2, {"x", "x"}};
         },
         "bands[1].high: 2 is outside 3..10"},
        {"NoBands", [](Template& t) { t.bands.clear(); },
         "bands: must not be empty"},
        // Sub counts 16, 17, 19: lcm = 16 × 17 × 19 = 5168 > 2520.
        {"LcmTooLarge",
         [](Template& t) {
           t.indicators = MakeIndicators({30, 30, 40}, {16, 17, 19});
         },
         "indicators[2].subs: least common multiple of the sub-indicator "
         "counts is 5168, must be at most 2520"},
        // Accepted: the edge of each rule.
        {"Unchanged", [](Template&) {}, ""},
        {"OneIndicatorOfWeight100",
         [](Template& t) { t.indicators = MakeIndicators({100}, {1}); }, ""},
        {"TenIndicatorsOfTwentySubs",
         [](Template& t) {
           t.indicators = MakeIndicators(std::vector<int>(10, 10),
                                         std::vector<int>(10, 20));
         },
         ""},
        // Sub counts 8, 9, 5, 7: lcm = 8 × 9 × 5 × 7 = 2520, the maximum.
        {"LcmAtMaximum",
         [](Template& t) {
           t.indicators = MakeIndicators({25, 25, 25, 25}, {8, 9, 5, 7});
         },
         ""},
        {"KeyOf64", [](Template& t) { t.indicators[0].key = FormRepeat("k", 64); },
         ""},
        {"KeyCharacters",
         [](Template& t) { t.indicators[0].key = "info_2.x9"; }, ""},
        {"LabelOnlyInChinese",
         [](Template& t) { t.indicators[0].label.en = ""; }, ""},
        {"LabelOnlyInEnglish", [](Template& t) { t.name.zh = ""; }, ""},
        {"LabelOf200",
         [](Template& t) { t.indicators[0].label.zh = FormRepeat("信", 200); }, ""},
        {"DescriptionOf1000WithLineBreaks",
         [](Template& t) {
           t.indicators[0].subs[0].description.zh =
               FormRepeat("说", 996) + "\n\r\t。";  // 996 + 4 = 1000
         },
         ""},
        {"EmptyDescription",
         [](Template& t) {
           t.indicators[0].subs[0].description = {"", ""};
         },
         ""},
        {"OneBandForTheWholeScale",
         [](Template& t) {
           t.bands = {{1, 10, {"分", "score"}}};
         },
         ""},
        {"TenSingleScoreBands",
         [](Template& t) {
           t.bands.clear();
           for (int s = 1; s <= 10; ++s) {
             t.bands.push_back({s, s, {absl::StrCat(s), ""}});
           }
         },
         ""},
    }),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace survey::domain
