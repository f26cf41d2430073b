#include "domain/form.h"

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

constexpr int kMaxIndicators = 10;
constexpr int kMaxSubsPerIndicator = 20;
constexpr size_t kMaxKeyLength = 64;
constexpr size_t kMaxLabelCodePoints = 200;
constexpr size_t kMaxDescriptionCodePoints = 1000;

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.';
    if (!ok) return false;
  }
  return true;
}

// `keys` collects every key seen so far: reports and stored aggregates are
// keyed by indicator and sub-indicator key alike, so one namespace.
absl::Status CheckKey(const std::string& path, const std::string& key,
                      std::set<std::string>* keys) {
  if (!IsValidKey(key)) return Invalid(path, "must match [a-z0-9_.]{1,64}");
  if (!keys->insert(key).second) {
    return Invalid(path, absl::StrCat("duplicate key \"", key, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckText(const std::string& path, const std::string& text,
                       size_t max_code_points, bool allow_line_breaks) {
  if (!IsValidUtf8(text)) return Invalid(path, "not valid UTF-8");
  if (HasControlChars(text, allow_line_breaks)) {
    return Invalid(path, "contains control characters");
  }
  if (CountCodePoints(text) > max_code_points) {
    return Invalid(
        path, absl::StrCat("longer than ", max_code_points, " characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabel(const std::string& path, const LocalizedText& label) {
  // Labels are single-line: they become headings and table cells.
  if (auto s = CheckText(path + ".zh", label.zh, kMaxLabelCodePoints, false);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckText(path + ".en", label.en, kMaxLabelCodePoints, false);
      !s.ok()) {
    return s;
  }
  if (label.zh.empty() && label.en.empty()) {
    return Invalid(path, "empty in both languages");
  }
  return absl::OkStatus();
}

absl::Status CheckDescription(const std::string& path,
                              const LocalizedText& text) {
  if (auto s =
          CheckText(path + ".zh", text.zh, kMaxDescriptionCodePoints, true);
      !s.ok()) {
    return s;
  }
  return CheckText(path + ".en", text.en, kMaxDescriptionCodePoints, true);
}

absl::Status CheckIndicators(const Template& t) {
  const int count = static_cast<int>(t.indicators.size());
  if (count < 1 || count > kMaxIndicators) {
    return Invalid("indicators", absl::StrCat("has ", count, ", must have 1..",
                                              kMaxIndicators));
  }
  std::set<std::string> keys;
  int64_t weight_sum = 0;
  int64_t lcm = 1;
  for (int i = 0; i < count; ++i) {
    const Indicator& ind = t.indicators[i];
    const std::string path = absl::StrCat("indicators[", i, "]");
    if (auto s = CheckKey(path + ".key", ind.key, &keys); !s.ok()) return s;
    if (auto s = CheckLabel(path + ".label", ind.label); !s.ok()) return s;
    if (ind.weight_percent <= 0) {
      return Invalid(path + ".weight_percent",
                     absl::StrCat(ind.weight_percent, " must be > 0"));
    }
    weight_sum += ind.weight_percent;
    const int subs = static_cast<int>(ind.subs.size());
    if (subs < 1 || subs > kMaxSubsPerIndicator) {
      return Invalid(
          path + ".subs",
          absl::StrCat("has ", subs, ", must have 1..", kMaxSubsPerIndicator));
    }
    lcm = std::lcm(lcm, static_cast<int64_t>(subs));
    for (int j = 0; j < subs; ++j) {
      const SubIndicator& sub = ind.subs[j];
      const std::string sub_path = absl::StrCat(path, ".subs[", j, "]");
      if (auto s = CheckKey(sub_path + ".key", sub.key, &keys); !s.ok()) {
        return s;
      }
      if (auto s = CheckLabel(sub_path + ".label", sub.label); !s.ok()) {
        return s;
      }
      if (auto s = CheckDescription(sub_path + ".description", sub.description);
          !s.ok()) {
        return s;
      }
    }
  }
  const std::string last = absl::StrCat("indicators[", count - 1, "]");
  if (weight_sum != 100) {
    return Invalid(
        last + ".weight_percent",
        absl::StrCat("weights sum to ", weight_sum, ", must be 100"));
  }
  if (lcm > kMaxSubCountLcm) {
    return Invalid(last + ".subs",
                   absl::StrCat("least common multiple of the sub-indicator "
                                "counts is ",
                                lcm, ", must be at most ", kMaxSubCountLcm));
  }
  return absl::OkStatus();
}

absl::Status CheckBands(const Template& t) {
  if (t.bands.empty()) return Invalid("bands", "must not be empty");
  // Walking in order with `next` as the first uncovered score finds gaps,
  // overlaps and disorder with one comparison each.
  int next = t.scale_min;
  for (size_t i = 0; i < t.bands.size(); ++i) {
    const ScaleBand& band = t.bands[i];
    const std::string path = absl::StrCat("bands[", i, "]");
    if (i == 0 && band.low != t.scale_min) {
      return Invalid(path + ".low",
                     absl::StrCat(band.low, " must be ", t.scale_min,
                                  ", where the scale starts"));
    }
    if (band.low < next) {
      const ScaleBand& prev = t.bands[i - 1];
      return Invalid(path + ".low",
                     absl::StrCat(band.low, " overlaps bands[", i - 1, "] (",
                                  prev.low, "..", prev.high, ")"));
    }
    if (band.low > next) {
      return Invalid(path + ".low",
                     absl::StrCat(band.low, " leaves ", next, "..",
                                  band.low - 1, " uncovered"));
    }
    if (band.high < band.low || band.high > t.scale_max) {
      return Invalid(path + ".high", absl::StrCat(band.high, " is outside ",
                                                  band.low, "..", t.scale_max));
    }
    if (auto s = CheckLabel(path + ".label", band.label); !s.ok()) return s;
    next = band.high + 1;
  }
  if (next != t.scale_max + 1) {
    return Invalid(absl::StrCat("bands[", t.bands.size() - 1, "].high"),
                   absl::StrCat(next - 1, " leaves ", next, "..", t.scale_max,
                                " uncovered"));
  }
  return absl::OkStatus();
}

SubIndicator Sub(std::string key, std::string zh, std::string en,
                 std::string zh_description, std::string en_description) {
  return SubIndicator{std::move(key),
                      {std::move(zh), std::move(en)},
                      {std::move(zh_description), std::move(en_description)}};
}

}  // namespace

const std::string& LocalizedText::Pick(std::string_view locale) const {
  const bool chinese =
      locale.size() >= 2 && absl::ascii_tolower(locale[0]) == 'z' &&
      absl::ascii_tolower(locale[1]) == 'h' &&
      (locale.size() == 2 || locale[2] == '-' || locale[2] == '_');
  const std::string& preferred = chinese ? zh : en;
  const std::string& other = chinese ? en : zh;
  return preferred.empty() ? other : preferred;
}

int Template::SubIndicatorCount() const {
  int count = 0;
  for (const Indicator& ind : indicators) {
    count += static_cast<int>(ind.subs.size());
  }
  return count;
}

Template DefaultTemplate() {
  Template t;
  t.key = "default";
  t.version = 1;
  t.name = {"客户评价表", "Customer evaluation form"};
  t.indicators = {
      {"info",
       {"信息沟通", "Information communication"},
       30,
       {Sub("info.seeking", "寻求信息", "Seeking information",
            "建立沟通渠道，主动询问，及早发现合作中的问题。",
            "Builds a channel, actively asks, and finds problems in the "
            "cooperation early."),
        Sub("info.providing", "提供信息", "Providing information",
            "按时提供我们所需的信息，从不拖延，数据准确。",
            "Provides what we need on time, never late, with accurate data."),
        Sub("info.guidance", "业务指导", "Business guidance",
            "提供我们所需的专业知识，并指导我方人员。",
            "Gives us the professional knowledge we need and coaches our "
            "staff.")}},
      {"attitude",
       {"服务态度", "Service attitude"},
       30,
       {Sub("attitude.responsibility", "责任意识", "Sense of responsibility",
            "不推卸责任，跟进到底，工作细致，不因疏忽出错。",
            "Never shirks its responsibility, follows through, is careful "
            "and makes no errors from negligence."),
        Sub("attitude.service", "服务态度", "Service attitude",
            "服务热情，从不抱怨。",
            "Is warm while serving us and never complains.")}},
      {"support",
       {"支持合作", "Support & cooperation"},
       40,
       {Sub("support.relations", "关系融洽", "Harmonious relations",
            "合作愉快，不因职责或权利发生争执。",
            "Cooperation is pleasant, with no disputes over duties or "
            "rights."),
        Sub("support.timeliness", "服务及时", "Timeliness",
            "按时提供我们所要求的产品或服务。",
            "Delivers the products or services we ask for on time."),
        Sub("support.quality", "服务质量", "Service quality",
            "产品或服务满足我们要求的程度。",
            "How far the product or service meets our requirements."),
        Sub("support.outcome", "服务结果", "Service outcome",
            "是否出现因缺乏支持而影响我方工作的情况；此类情况越少，得分越高。",
            "Whether missing support ever blocked our work; the fewer such "
            "cases, the higher the score.")}},
  };
  t.bands = {
      {1, 2, {"不满意", "Dissatisfied"}},
      {3, 5, {"需较大改进", "Needs major improvement"}},
      {6, 8, {"满意", "Satisfied"}},
      {9, 10, {"非常值得称赞", "Highly commendable"}},
  };
  return t;
}

absl::Status ValidateTemplate(const Template& t) {
  std::set<std::string> template_key;
  if (auto s = CheckKey("key", t.key, &template_key); !s.ok()) return s;
  if (t.version < 1) {
    return Invalid("version", absl::StrCat(t.version, " must be >= 1"));
  }
  if (auto s = CheckLabel("name", t.name); !s.ok()) return s;
  // Scoring, histograms and the 100-point conversion assume 1..10.
  if (t.scale_min != 1) {
    return Invalid("scale_min", absl::StrCat(t.scale_min, " must be 1"));
  }
  if (t.scale_max != 10) {
    return Invalid("scale_max", absl::StrCat(t.scale_max, " must be 10"));
  }
  if (auto s = CheckIndicators(t); !s.ok()) return s;
  return CheckBands(t);
}

const ScaleBand* FindBand(const Template& t, int score) {
  for (const ScaleBand& band : t.bands) {
    if (score >= band.low && score <= band.high) return &band;
  }
  return nullptr;
}

}  // namespace survey::domain
