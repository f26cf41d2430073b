// Which figures may be released without describing fewer than k people,
// directly or by subtracting one released figure from another (DOMAIN.md §2,
// DESIGN.md §2).
//
// The model. The smallest unit is a "part": one subject's answers in one
// campaign (its frozen k applies). Parts that share a released parent are
// siblings: the employees of one department in one customer campaign (the
// parent is the department's figure), or the evaluating departments of one
// rated department in one cross-evaluation (the parent is its overall
// figure). Among siblings:
//   1. primary suppression: a part with 0 < n < k is hidden;
//   2. complementary suppression: while the hidden parts together hold fewer
//      than k answers (but more than 0), the smallest released sibling is
//      hidden too, so parent minus released parts reveals at least k people.
// Every larger figure (several campaigns, a quarter, a year) is released only
// if each of its parts with answers is released. So every released figure is
// either a parent or an exact sum of released parts, and any difference of
// released figures is a sum of released parts or of at least k hidden
// answers. While a campaign is OPEN its scores are withheld altogether, so
// watching a figure move cannot reveal one new answer.
#ifndef SURVEY_DOMAIN_DISCLOSURE_H_
#define SURVEY_DOMAIN_DISCLOSURE_H_

#include <cstdint>
#include <span>
#include <vector>

namespace survey::domain {

enum class Withheld {
  kNone,            // released
  kNoData,          // no answers
  kBelowThreshold,  // fewer than k answers
  kComplementary,   // hidden so that another hidden cell cannot be derived
  kCampaignOpen,    // scores appear once the campaign closes
};

// Returns kNoData for n == 0, kBelowThreshold for n < k, else kNone.
Withheld ByThreshold(int64_t n, int64_t k);

// Primary and complementary suppression of siblings with answer counts `n`
// (see above). Complementary cells are taken smallest n first, ties by lower
// index, so callers get the same answer for the same input: give siblings in
// a stable order (e.g. by employee number).
// REQUIRES: k >= 1, every n >= 0.
std::vector<Withheld> SuppressSiblings(std::span<const int64_t> n, int64_t k);

// A figure made of parts. `parts` are the parts' decisions, `total_n` their
// answers together, `k` the largest k among them. kNoData if every part is
// kNoData; kCampaignOpen if any part is; kBelowThreshold if total_n < k;
// kComplementary if any part with answers is hidden; else kNone.
Withheld CombineParts(std::span<const Withheld> parts, int64_t total_n,
                      int64_t k);

// "below_threshold", "complementary", ... for CSV and logs.
const char* WithheldName(Withheld w);

}  // namespace survey::domain

#endif  // SURVEY_DOMAIN_DISCLOSURE_H_
