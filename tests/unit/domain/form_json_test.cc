#include "domain/form_json.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace survey::domain {
namespace {

void ExpectSameText(const LocalizedText& a, const LocalizedText& b,
                    const std::string& path) {
  EXPECT_EQ(a.zh, b.zh) << path << ".zh";
  EXPECT_EQ(a.en, b.en) << path << ".en";
}

// Field-by-field equality, naming the first differing path on failure.
void ExpectSameTemplate(const Template& a, const Template& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.version, b.version);
  ExpectSameText(a.name, b.name, "name");
  EXPECT_EQ(a.scale_min, b.scale_min);
  EXPECT_EQ(a.scale_max, b.scale_max);
  ASSERT_EQ(a.indicators.size(), b.indicators.size());
  for (size_t i = 0; i < a.indicators.size(); ++i) {
    const Indicator& x = a.indicators[i];
    const Indicator& y = b.indicators[i];
    const std::string path = absl::StrCat("indicators[", i, "]");
    EXPECT_EQ(x.key, y.key) << path;
    ExpectSameText(x.label, y.label, path + ".label");
    EXPECT_EQ(x.weight_percent, y.weight_percent) << path;
    ASSERT_EQ(x.subs.size(), y.subs.size()) << path;
    for (size_t j = 0; j < x.subs.size(); ++j) {
      const std::string sub = absl::StrCat(path, ".subs[", j, "]");
      EXPECT_EQ(x.subs[j].key, y.subs[j].key) << sub;
      ExpectSameText(x.subs[j].label, y.subs[j].label, sub + ".label");
      ExpectSameText(x.subs[j].description, y.subs[j].description,
                     sub + ".description");
    }
  }
  ASSERT_EQ(a.bands.size(), b.bands.size());
  for (size_t i = 0; i < a.bands.size(); ++i) {
    const std::string path = absl::StrCat("bands[", i, "]");
    EXPECT_EQ(a.bands[i].low, b.bands[i].low) << path;
    EXPECT_EQ(a.bands[i].high, b.bands[i].high) << path;
    ExpectSameText(a.bands[i].label, b.bands[i].label, path + ".label");
  }
}

TEST(FormJsonTest, DefaultTemplateRoundTripsExactly) {
  const Template t = DefaultTemplate();
  absl::StatusOr<Template> back = TemplateFromJson(TemplateToJson(t));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameTemplate(*back, t);
  // And writing it again gives the very same text.
  EXPECT_EQ(TemplateToJson(*back), TemplateToJson(t));
}

TEST(FormJsonTest, ChineseIsWrittenAsRawUtf8) {
  const std::string json = TemplateToJson(DefaultTemplate());
  EXPECT_NE(json.find("\"zh\":\"信息沟通\""), std::string::npos) << json;
  EXPECT_EQ(json.find("\\u"), std::string::npos) << json;
  EXPECT_EQ(json.rfind("{\"key\":\"default\",\"version\":1,", 0), 0u) << json;
}

TEST(FormJsonTest, AwkwardTextAndNumbersRoundTrip) {
  Template t;
  t.key = "odd.key_1";
  t.version = 2147483647;
  t.name = {"引号\"与\\反斜杠 😀", ""};
  t.scale_min = -3;  // not valid for ValidateTemplate, but data must survive
  t.scale_max = 0;
  t.indicators = {
      {"a", {"", "Line"}, 100,
       {{"a.b", {"子", "sub"}, {"多行\n说明\t制表", "O'Brien; DROP TABLE x"}},
        {"a.c", {"\xe2\x80\x8b", "zero width"}, {"", ""}}}},
      {"empty", {"空", "no subs"}, -5, {}}};
  t.bands = {{1, 10, {"全部", "all"}}, {-1, 0, {"", ""}}};
  absl::StatusOr<Template> back = TemplateFromJson(TemplateToJson(t));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameTemplate(*back, t);
}

TEST(FormJsonTest, UnknownFieldsAreIgnored) {
  std::string json = TemplateToJson(DefaultTemplate());
  json.insert(1, "\"added_later\":{\"x\":[1,2]},");
  absl::StatusOr<Template> back = TemplateFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameTemplate(*back, DefaultTemplate());
}

struct BadCase {
  std::string name;
  std::string json;
  std::string message_prefix;
};

// A valid minimal definition with one part replaced.
std::string Minimal(const std::string& indicators = R"([{"key":"i","label":{"zh":"z","en":"e"},"weight_percent":100,"subs":[{"key":"s","label":{"zh":"z","en":"e"},"description":{"zh":"","en":""}}]}])",
                    const std::string& version = "1") {
  return absl::StrCat(
      R"({"key":"k","version":)", version,
      R"(,"name":{"zh":"名","en":"n"},"scale_min":1,"scale_max":10,"indicators":)",
      indicators, R"(,"bands":[{"low":1,"high":10,"label":{"zh":"z","en":"e"}}]})");
}

TEST(FormJsonTest, MinimalHelperIsValid) {
  absl::StatusOr<Template> t = TemplateFromJson(Minimal());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name.zh, "名");
  ASSERT_EQ(t->indicators.size(), 1u);
  EXPECT_EQ(t->indicators[0].subs[0].key, "s");
  EXPECT_TRUE(ValidateTemplate(*t).ok()) << ValidateTemplate(*t);
}

TEST(FormJsonTest, MalformedInputNamesThePlace) {
  const std::vector<BadCase> cases = {
      {"empty", "", "definition: not valid JSON"},
      {"truncated", Minimal().substr(0, 40), "definition: not valid JSON"},
      {"not an object", "[1,2]", "definition: expected an object"},
      {"bad utf8", "{\"key\":\"\xff\"}", "definition: not valid JSON"},
      {"missing key", R"({"version":1})", "definition.key: missing"},
      {"string version", Minimal(R"([])", R"("1")"),
       "definition.version: expected an integer"},
      {"float version", Minimal(R"([])", "1.5"),
       "definition.version: expected an integer"},
      {"huge version", Minimal(R"([])", "4294967296"),
       "definition.version: too large"},
      {"negative huge", Minimal(R"([])", "-4294967296"),
       "definition.version: out of range"},
      {"indicators not array", Minimal(R"({})"),
       "definition.indicators: expected an array"},
      {"indicator not object", Minimal(R"([3])"),
       "definition.indicators[0]: expected an object"},
      {"label not text", Minimal(R"([{"key":"i","label":"x"}])"),
       "definition.indicators[0].label: expected an object"},
      {"weight missing",
       Minimal(R"([{"key":"i","label":{"zh":"","en":""}}])"),
       "definition.indicators[0].weight_percent: missing"},
      {"weight float",
       Minimal(R"([{"key":"i","label":{"zh":"","en":""},"weight_percent":30.0}])"),
       "definition.indicators[0].weight_percent: expected an integer"},
      {"sub description missing",
       Minimal(R"([{"key":"i","label":{"zh":"","en":""},"weight_percent":1,"subs":[{"key":"s","label":{"zh":"","en":""}}]}])"),
       "definition.indicators[0].subs[0].description: missing"},
      {"en not string",
       Minimal(R"([{"key":"i","label":{"zh":"","en":null}}])"),
       "definition.indicators[0].label.en: expected a string"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Template> t = TemplateFromJson(c.json);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(t.status().message()).rfind(c.message_prefix, 0), 0u)
        << t.status();
  }
}

}  // namespace
}  // namespace survey::domain
