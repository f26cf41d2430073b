#include "domain/disclosure.h"

#include <algorithm>
#include <numeric>

namespace survey::domain {

Withheld ByThreshold(int64_t n, int64_t k) {
  if (n == 0) return Withheld::kNoData;
  if (n < k) return Withheld::kBelowThreshold;
  return Withheld::kNone;
}

std::vector<Withheld> SuppressSiblings(std::span<const int64_t> n, int64_t k) {
  std::vector<Withheld> out(n.size());
  int64_t hidden = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    out[i] = ByThreshold(n[i], k);
    if (out[i] == Withheld::kBelowThreshold) hidden += n[i];
  }
  // Released siblings, smallest first: the next ones to hide.
  std::vector<size_t> order(n.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return n[a] < n[b]; });
  for (size_t i : order) {
    if (hidden == 0 || hidden >= k) break;
    if (out[i] != Withheld::kNone) continue;
    out[i] = Withheld::kComplementary;
    hidden += n[i];
  }
  return out;
}

Withheld CombineParts(std::span<const Withheld> parts, int64_t total_n,
                      int64_t k) {
  bool any_data = false, any_hidden = false;
  for (Withheld w : parts) {
    if (w == Withheld::kCampaignOpen) return Withheld::kCampaignOpen;
    if (w == Withheld::kNoData) continue;
    any_data = true;
    if (w != Withheld::kNone) any_hidden = true;
  }
  if (!any_data || total_n == 0) return Withheld::kNoData;
  if (total_n < k) return Withheld::kBelowThreshold;
  return any_hidden ? Withheld::kComplementary : Withheld::kNone;
}

const char* WithheldName(Withheld w) {
  switch (w) {
    case Withheld::kNone: return "";
    case Withheld::kNoData: return "no_data";
    case Withheld::kBelowThreshold: return "below_threshold";
    case Withheld::kComplementary: return "complementary";
    case Withheld::kCampaignOpen: return "campaign_open";
  }
  return "unknown";
}

}  // namespace survey::domain
