// The survey form (template): indicators, sub-indicators, weights and scale
// bands, as described in DOMAIN.md §2. A template is plain data; scoring.h
// and submission.h interpret it.
#ifndef SURVEY_DOMAIN_FORM_H_
#define SURVEY_DOMAIN_FORM_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace survey::domain {

// Text in both languages of the product.
struct LocalizedText {
  std::string zh;
  std::string en;

  // Returns the text for `locale`: `zh` when the locale's language subtag is
  // "zh" (case-insensitive: "zh", "zh-CN", "zh_TW", "ZH-Hans"), `en` for any
  // other locale including "". When the chosen language is empty the other
  // one is returned, so a template filled in one language still displays.
  const std::string& Pick(std::string_view locale) const;
};

struct SubIndicator {
  std::string key;  // stable across versions, e.g. "info.seeking"
  LocalizedText label;
  LocalizedText description;  // what the rater judges; may be empty
};

struct Indicator {
  std::string key;  // stable across versions, e.g. "info"
  LocalizedText label;
  int weight_percent = 0;  // the weights of a template sum to 100
  std::vector<SubIndicator> subs;
};

// Labels a contiguous range of the answer scale, e.g. 9..10 "highly
// commendable". Both ends are inclusive.
struct ScaleBand {
  int low = 0;
  int high = 0;
  LocalizedText label;
};

struct Template {
  std::string key;  // e.g. "default"
  int version = 0;  // 1 for the first version; a change creates version + 1
  LocalizedText name;
  std::vector<Indicator> indicators;
  std::vector<ScaleBand> bands;  // ascending, covering scale_min..scale_max
  // The appraisal documents fix the scale at 1..10; ValidateTemplate rejects
  // anything else. The fields exist so messages and checks can quote them.
  int scale_min = 1;
  int scale_max = 10;

  // Returns the number of sub-indicators over all indicators, i.e. the number
  // of scores a response carries (9 for DefaultTemplate()).
  int SubIndicatorCount() const;
};

// Returns the form of DOMAIN.md §2: key "default", version 1, indicators
// "info" (30 %), "attitude" (30 %) and "support" (40 %) with nine
// sub-indicators, Chinese and English labels and descriptions, and the four
// bands 1-2, 3-5, 6-8, 9-10. The result passes ValidateTemplate.
Template DefaultTemplate();

// Checks a template that HR wants to save. Returns OK if it is usable, or
// InvalidArgument whose message starts with the path of the first offending
// field, e.g. "indicators[1].weight_percent: weights sum to 90, must be 100".
// The rules:
//  - key, every indicator key and every sub-indicator key match
//    [a-z0-9_.]{1,64}; indicator and sub-indicator keys are unique together
//    (reports address both by key);
//  - version >= 1;
//  - 1..10 indicators, each with 1..20 sub-indicators;
//  - weight_percent > 0 for every indicator and the weights sum to exactly
//    100 (the sum error names the last indicator);
//  - the least common multiple of the indicators' sub-indicator counts is at
//    most kMaxSubCountLcm, so exact totals fit 64-bit sums (see scoring.h);
//  - name and every label: valid UTF-8, no control characters, at most 200
//    code points in each language, non-empty in at least one language;
//  - descriptions: valid UTF-8, no control characters except line breaks and
//    tabs, at most 1000 code points in each language; may be empty;
//  - scale_min == 1 and scale_max == 10;
//  - bands in ascending order, each low <= high, together covering 1..10
//    with neither gap nor overlap.
absl::Status ValidateTemplate(const Template& t);

// Any template whose indicators each have at most 10 sub-indicators passes:
// lcm(1..10) == 2520.
inline constexpr int kMaxSubCountLcm = 2520;

// Returns the band containing `score`, or nullptr if none does (only possible
// for a score outside the scale, or for a template that fails validation).
const ScaleBand* FindBand(const Template& t, int score);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_FORM_H_
