// Proto <-> domain conversions. Pure; no validation beyond mapping enums
// (validation is the domain's job).
#ifndef SURVEY_API_CONVERT_H_
#define SURVEY_API_CONVERT_H_

#include "domain/org.h"
#include "survey/v1/common.pb.h"

namespace survey::api {

domain::Department FromProto(const v1::Department& d);
// An unspecified post type or position maps to the domain's "other";
// ValidatePostType/Position reject it first where it matters.
domain::Employee FromProto(const v1::Employee& e);
void ToProto(const domain::Department& d, v1::Department* out);
void ToProto(const domain::Employee& e, v1::Employee* out);

}  // namespace survey::api

#endif  // SURVEY_API_CONVERT_H_
