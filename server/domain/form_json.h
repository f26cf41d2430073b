// The JSON form of a Template, as stored in survey_template.definition
// (sql/002_surveys.sql). Pure; no I/O.
//
// Shape (keys in this order when written):
//   {"key": "default", "version": 1, "name": {"zh": "…", "en": "…"},
//    "scale_min": 1, "scale_max": 10,
//    "indicators": [{"key": "info", "label": {…}, "weight_percent": 30,
//                    "subs": [{"key": "info.seeking", "label": {…},
//                              "description": {…}}, …]}, …],
//    "bands": [{"low": 1, "high": 2, "label": {…}}, …]}
// Text is written as raw UTF-8 (no \u escapes), so Chinese stays readable
// in the database and round-trips byte for byte.
#ifndef SURVEY_DOMAIN_FORM_JSON_H_
#define SURVEY_DOMAIN_FORM_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/form.h"

namespace survey::domain {

// Returns the JSON text of `t`. Never fails. TemplateFromJson of the result
// gives back `t` exactly, field for field.
// REQUIRES: every text of `t` is valid UTF-8 (ValidateTemplate ensures it);
// otherwise invalid bytes are written as U+FFFD and the round trip is lossy.
std::string TemplateToJson(const Template& t);

// Parses text written by TemplateToJson. Every field above is required;
// unknown fields are ignored (a newer server may add some). Returns the
// template, or InvalidArgument naming the first offending place, e.g.
//   "definition: not valid JSON"
//   "definition.indicators[1].weight_percent: expected an integer"
// Does not run ValidateTemplate: a stored template passed it when saved.
absl::StatusOr<Template> TemplateFromJson(std::string_view json);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_FORM_JSON_H_
