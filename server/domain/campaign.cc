#include "domain/campaign.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "domain/period.h"
#include "domain/text.h"

namespace survey::domain {
namespace {

constexpr size_t kMaxTitleCodePoints = 200;
constexpr size_t kMaxTemplateKeyLength = 64;

// A word table per enum keeps parse and format from drifting apart.
template <typename E>
struct Word {
  E value;
  std::string_view word;
};

constexpr Word<CampaignKind> kKindWords[] = {
    {CampaignKind::kCustomerSatisfaction, "customer_satisfaction"},
    {CampaignKind::kCrossEvaluation, "cross_evaluation"}};
constexpr Word<CampaignState> kStateWords[] = {
    {CampaignState::kDraft, "draft"},
    {CampaignState::kOpen, "open"},
    {CampaignState::kClosed, "closed"}};
constexpr Word<SubjectKind> kSubjectWords[] = {
    {SubjectKind::kEmployee, "employee"},
    {SubjectKind::kDepartment, "department"}};
constexpr Word<InvitationState> kInvitationWords[] = {
    {InvitationState::kUnused, "unused"},
    {InvitationState::kUsed, "used"},
    {InvitationState::kRevoked, "revoked"}};

template <typename E, size_t N>
absl::StatusOr<E> ParseWord(const Word<E> (&table)[N], std::string_view what,
                            std::string_view word) {
  std::string accepted;
  for (const Word<E>& w : table) {
    if (w.word == word) return w.value;
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ",
                    std::string(w.word));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown ", std::string(what), " \"", std::string(word),
      "\"; expected one of ", accepted));
}

template <typename E, size_t N>
std::string_view WordOf(const Word<E> (&table)[N], E value) {
  for (const Word<E>& w : table) {
    if (w.value == value) return w.word;
  }
  return "?";  // unreachable for a valid enum value
}

absl::Status InvalidCampaign(std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("campaign.", std::string(field), ": ", std::string(what)));
}

bool IsTemplateKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxTemplateKeyLength) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  });
}

absl::Status CheckTitle(std::string_view field, const std::string& text) {
  if (!IsValidUtf8(text)) return InvalidCampaign(field, "not valid UTF-8");
  // A title is one line: it heads the form in the app.
  if (HasControlChars(text, /*allow_line_breaks=*/false)) {
    return InvalidCampaign(field, "contains control characters");
  }
  if (CountCodePoints(text) > kMaxTitleCodePoints) {
    return InvalidCampaign(field, absl::StrCat("longer than ", kMaxTitleCodePoints,
                                       " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CampaignKind> ParseCampaignKind(std::string_view word) {
  return ParseWord(kKindWords, "campaign kind", word);
}
absl::StatusOr<CampaignState> ParseCampaignState(std::string_view word) {
  return ParseWord(kStateWords, "campaign state", word);
}
absl::StatusOr<SubjectKind> ParseSubjectKind(std::string_view word) {
  return ParseWord(kSubjectWords, "subject kind", word);
}
absl::StatusOr<InvitationState> ParseInvitationState(std::string_view word) {
  return ParseWord(kInvitationWords, "invitation state", word);
}
std::string_view CampaignKindName(CampaignKind kind) {
  return WordOf(kKindWords, kind);
}
std::string_view CampaignStateName(CampaignState state) {
  return WordOf(kStateWords, state);
}
std::string_view SubjectKindName(SubjectKind kind) {
  return WordOf(kSubjectWords, kind);
}
std::string_view InvitationStateName(InvitationState state) {
  return WordOf(kInvitationWords, state);
}

absl::Status ValidateNewCampaign(const Campaign& c) {
  if (absl::StatusOr<Period> p = Period::Parse(c.period); !p.ok()) {
    return InvalidCampaign("period", std::string(p.status().message()));
  }
  if (!IsTemplateKey(c.template_key)) {
    return InvalidCampaign("template_key", "must match [a-z0-9_.]{1,64}");
  }
  if (c.template_version < 0) {
    return InvalidCampaign("template_version",
                   absl::StrCat(c.template_version,
                                " must be 0 (latest) or a version >= 1"));
  }
  if (absl::Status s = CheckTitle("title.zh", c.title.zh); !s.ok()) return s;
  if (absl::Status s = CheckTitle("title.en", c.title.en); !s.ok()) return s;
  if (c.anonymity_k < kMinAnonymityK) {
    return InvalidCampaign("anonymity_k",
                   absl::StrCat("must be at least ", kMinAnonymityK, ", got ",
                                c.anonymity_k));
  }
  if (c.comment_k < c.anonymity_k) {
    return InvalidCampaign("comment_k",
                   absl::StrCat("must be at least anonymity_k (",
                                c.anonymity_k, "), got ", c.comment_k));
  }
  if (c.state != CampaignState::kDraft) {
    return InvalidCampaign("state", "a new campaign starts as draft");
  }
  return absl::OkStatus();
}

absl::StatusOr<CampaignState> Transition(CampaignState from,
                                         CampaignState to) {
  if (from == to) return to;
  if ((from == CampaignState::kDraft && to == CampaignState::kOpen) ||
      (from == CampaignState::kOpen && to == CampaignState::kClosed)) {
    return to;
  }
  std::string reason;
  if (from == CampaignState::kClosed) {
    reason = "a closed campaign cannot be reopened";
  } else if (to == CampaignState::kDraft) {
    reason = "an opened campaign cannot return to draft";
  } else {
    reason = "open it before closing it";
  }
  return absl::FailedPreconditionError(
      absl::StrCat("campaign is ", std::string(CampaignStateName(from)), "; ",
                   reason));
}

absl::Status ValidatePairs(const std::vector<Department>& departments,
                           const std::vector<DepartmentPair>& pairs) {
  std::map<std::string, bool> active;  // code -> active
  for (const Department& d : departments) active[d.code] = d.active;
  std::map<DepartmentPair, size_t> seen;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const std::string path = absl::StrCat("pairs[", i, "]");
    const auto check = [&](const std::string& code,
                           const char* field) -> absl::Status {
      auto it = active.find(code);
      if (it == active.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".", field, ": unknown department \"", code, "\""));
      }
      if (!it->second) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".", field, ": department \"", code, "\" is inactive"));
      }
      return absl::OkStatus();
    };
    if (absl::Status s = check(pairs[i].first, "evaluating_department_code");
        !s.ok()) {
      return s;
    }
    if (absl::Status s = check(pairs[i].second, "rated_department_code");
        !s.ok()) {
      return s;
    }
    if (pairs[i].first == pairs[i].second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a department cannot rate itself"));
    }
    auto [it, inserted] = seen.emplace(pairs[i], i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": repeats pairs[", it->second, "]"));
    }
  }
  return absl::OkStatus();
}

std::vector<MatrixEntry> CrossEvaluationMatrix(
    const std::vector<Department>& departments,
    const std::vector<Employee>& employees,
    const std::vector<DepartmentPair>& pairs) {
  // Ordered maps give the documented order without a separate sort.
  std::map<std::string, std::vector<std::string>> members;  // active only
  for (const Department& d : departments) {
    if (d.active) members[d.code];
  }
  std::vector<const Employee*> sorted;
  for (const Employee& e : employees) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const Employee* a, const Employee* b) {
              return a->employee_no < b->employee_no;
            });
  for (const Employee* e : sorted) {
    auto it = members.find(e->department_code);
    if (e->active && it != members.end()) it->second.push_back(e->employee_no);
  }
  std::vector<DepartmentPair> all = pairs;
  if (all.empty()) {
    for (const auto& [evaluating, unused] : members) {
      for (const auto& [rated, unused2] : members) {
        if (evaluating != rated) all.emplace_back(evaluating, rated);
      }
    }
  }
  std::vector<MatrixEntry> out;
  for (const auto& [evaluating, rated] : all) {
    auto from = members.find(evaluating);
    if (from == members.end() || !members.contains(rated) ||
        evaluating == rated) {
      continue;
    }
    for (const std::string& member : from->second) {
      out.push_back({evaluating, rated, member});
    }
  }
  return out;
}

}  // namespace survey::domain
