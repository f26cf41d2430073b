#include "domain/form_json.h"

#include <climits>
#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace survey::domain {
namespace {

// ordered_json keeps the documented key order when writing; reading does
// not care about order.
using WJson = nlohmann::ordered_json;
using RJson = nlohmann::json;

WJson TextToJson(const LocalizedText& text) {
  return WJson{{"zh", text.zh}, {"en", text.en}};
}

absl::Status Invalid(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", std::string(what)));
}

// Looks up a required member of an object. nlohmann's own accessors throw on
// type mismatches; every check is made here first so none ever does.
absl::StatusOr<const RJson*> Member(const RJson& object,
                                    const std::string& path,
                                    const char* name) {
  if (!object.is_object()) return Invalid(path, "expected an object");
  auto it = object.find(name);
  if (it == object.end()) {
    return Invalid(absl::StrCat(path, ".", name), "missing");
  }
  return &*it;
}

absl::Status ReadString(const RJson& object, const std::string& path,
                        const char* name, std::string* out) {
  absl::StatusOr<const RJson*> v = Member(object, path, name);
  if (!v.ok()) return v.status();
  if (!(*v)->is_string()) {
    return Invalid(absl::StrCat(path, ".", name), "expected a string");
  }
  *out = (*v)->get_ref<const std::string&>();
  return absl::OkStatus();
}

absl::Status ReadInt(const RJson& object, const std::string& path,
                     const char* name, int* out) {
  absl::StatusOr<const RJson*> v = Member(object, path, name);
  if (!v.ok()) return v.status();
  const std::string field = absl::StrCat(path, ".", name);
  if ((*v)->is_number_unsigned()) {
    uint64_t u = (*v)->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT_MAX)) return Invalid(field, "too large");
    *out = static_cast<int>(u);
    return absl::OkStatus();
  }
  if (!(*v)->is_number_integer()) return Invalid(field, "expected an integer");
  int64_t i = (*v)->get<int64_t>();
  if (i < INT_MIN || i > INT_MAX) return Invalid(field, "out of range");
  *out = static_cast<int>(i);
  return absl::OkStatus();
}

absl::Status ReadText(const RJson& object, const std::string& path,
                      const char* name, LocalizedText* out) {
  absl::StatusOr<const RJson*> v = Member(object, path, name);
  if (!v.ok()) return v.status();
  const std::string field = absl::StrCat(path, ".", name);
  if (absl::Status s = ReadString(**v, field, "zh", &out->zh); !s.ok()) {
    return s;
  }
  return ReadString(**v, field, "en", &out->en);
}

absl::StatusOr<const RJson*> ReadArray(const RJson& object,
                                       const std::string& path,
                                       const char* name) {
  absl::StatusOr<const RJson*> v = Member(object, path, name);
  if (!v.ok()) return v.status();
  if (!(*v)->is_array()) {
    return Invalid(absl::StrCat(path, ".", name), "expected an array");
  }
  return *v;
}

absl::Status ReadSub(const RJson& j, const std::string& path,
                     SubIndicator* out) {
  if (absl::Status s = ReadString(j, path, "key", &out->key); !s.ok()) return s;
  if (absl::Status s = ReadText(j, path, "label", &out->label); !s.ok()) {
    return s;
  }
  return ReadText(j, path, "description", &out->description);
}

absl::Status ReadIndicator(const RJson& j, const std::string& path,
                           Indicator* out) {
  if (absl::Status s = ReadString(j, path, "key", &out->key); !s.ok()) return s;
  if (absl::Status s = ReadText(j, path, "label", &out->label); !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadInt(j, path, "weight_percent", &out->weight_percent);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const RJson*> subs = ReadArray(j, path, "subs");
  if (!subs.ok()) return subs.status();
  for (size_t i = 0; i < (*subs)->size(); ++i) {
    SubIndicator sub;
    if (absl::Status s =
            ReadSub((**subs)[i], absl::StrCat(path, ".subs[", i, "]"), &sub);
        !s.ok()) {
      return s;
    }
    out->subs.push_back(std::move(sub));
  }
  return absl::OkStatus();
}

absl::Status ReadBand(const RJson& j, const std::string& path,
                      ScaleBand* out) {
  if (absl::Status s = ReadInt(j, path, "low", &out->low); !s.ok()) return s;
  if (absl::Status s = ReadInt(j, path, "high", &out->high); !s.ok()) return s;
  return ReadText(j, path, "label", &out->label);
}

}  // namespace

std::string TemplateToJson(const Template& t) {
  WJson indicators = WJson::array();
  for (const Indicator& ind : t.indicators) {
    WJson subs = WJson::array();
    for (const SubIndicator& sub : ind.subs) {
      subs.push_back(WJson{{"key", sub.key},
                           {"label", TextToJson(sub.label)},
                           {"description", TextToJson(sub.description)}});
    }
    indicators.push_back(WJson{{"key", ind.key},
                               {"label", TextToJson(ind.label)},
                               {"weight_percent", ind.weight_percent},
                               {"subs", std::move(subs)}});
  }
  WJson bands = WJson::array();
  for (const ScaleBand& band : t.bands) {
    bands.push_back(WJson{{"low", band.low},
                          {"high", band.high},
                          {"label", TextToJson(band.label)}});
  }
  WJson j{{"key", t.key},
          {"version", t.version},
          {"name", TextToJson(t.name)},
          {"scale_min", t.scale_min},
          {"scale_max", t.scale_max},
          {"indicators", std::move(indicators)},
          {"bands", std::move(bands)}};
  // replace: never throw on invalid UTF-8 (see the header's REQUIRES).
  return j.dump(-1, ' ', /*ensure_ascii=*/false,
                WJson::error_handler_t::replace);
}

absl::StatusOr<Template> TemplateFromJson(std::string_view json) {
  const std::string root = "definition";
  RJson j = RJson::parse(json, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Invalid(root, "not valid JSON");
  Template t;
  if (absl::Status s = ReadString(j, root, "key", &t.key); !s.ok()) return s;
  if (absl::Status s = ReadInt(j, root, "version", &t.version); !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadText(j, root, "name", &t.name); !s.ok()) return s;
  if (absl::Status s = ReadInt(j, root, "scale_min", &t.scale_min); !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadInt(j, root, "scale_max", &t.scale_max); !s.ok()) {
    return s;
  }
  absl::StatusOr<const RJson*> indicators = ReadArray(j, root, "indicators");
  if (!indicators.ok()) return indicators.status();
  for (size_t i = 0; i < (*indicators)->size(); ++i) {
    Indicator ind;
    if (absl::Status s = ReadIndicator(
            (**indicators)[i], absl::StrCat(root, ".indicators[", i, "]"), &ind);
        !s.ok()) {
      return s;
    }
    t.indicators.push_back(std::move(ind));
  }
  absl::StatusOr<const RJson*> bands = ReadArray(j, root, "bands");
  if (!bands.ok()) return bands.status();
  for (size_t i = 0; i < (*bands)->size(); ++i) {
    ScaleBand band;
    if (absl::Status s =
            ReadBand((**bands)[i], absl::StrCat(root, ".bands[", i, "]"), &band);
        !s.ok()) {
      return s;
    }
    t.bands.push_back(std::move(band));
  }
  return t;
}

}  // namespace survey::domain
