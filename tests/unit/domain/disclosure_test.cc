#include "domain/disclosure.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace survey::domain {
namespace {

using W = Withheld;

TEST(DisclosureTest, ThresholdMatrix) {
  // n = 2, 4, 5, 6, 12 against k = 5.
  EXPECT_EQ(ByThreshold(0, 5), W::kNoData);
  EXPECT_EQ(ByThreshold(2, 5), W::kBelowThreshold);
  EXPECT_EQ(ByThreshold(4, 5), W::kBelowThreshold);
  EXPECT_EQ(ByThreshold(5, 5), W::kNone);
  EXPECT_EQ(ByThreshold(6, 5), W::kNone);
  EXPECT_EQ(ByThreshold(12, 5), W::kNone);
}

TEST(DisclosureTest, OneSmallSiblingTakesTheNextSmallestWithIt) {
  // 2 is hidden; hidden total 2 < 5, so the smallest released (6, index 1)
  // goes too: 8 >= 5. 12 and 7 stay.
  std::vector<int64_t> n = {12, 6, 2, 7};
  EXPECT_EQ(SuppressSiblings(n, 5),
            (std::vector<W>{W::kNone, W::kComplementary, W::kBelowThreshold, W::kNone}));
}

TEST(DisclosureTest, SmallSiblingsThatTogetherReachKNeedNoComplement) {
  std::vector<int64_t> n = {3, 2, 9, 0};
  EXPECT_EQ(SuppressSiblings(n, 5),
            (std::vector<W>{W::kBelowThreshold, W::kBelowThreshold, W::kNone, W::kNoData}));
}

TEST(DisclosureTest, TiesGoToTheLowerIndex) {
  std::vector<int64_t> n = {6, 1, 6};
  EXPECT_EQ(SuppressSiblings(n, 5),
            (std::vector<W>{W::kComplementary, W::kBelowThreshold, W::kNone}));
}

TEST(DisclosureTest, AllReleasedWhenNothingIsSmall) {
  std::vector<int64_t> n = {5, 6, 0};
  EXPECT_EQ(SuppressSiblings(n, 5), (std::vector<W>{W::kNone, W::kNone, W::kNoData}));
}

TEST(DisclosureTest, CombinePartsRules) {
  std::vector<W> none = {W::kNone, W::kNoData, W::kNone};
  EXPECT_EQ(CombineParts(none, 12, 5), W::kNone);
  std::vector<W> open = {W::kNone, W::kCampaignOpen};
  EXPECT_EQ(CombineParts(open, 12, 5), W::kCampaignOpen);
  std::vector<W> small = {W::kNone, W::kBelowThreshold};
  EXPECT_EQ(CombineParts(small, 9, 5), W::kComplementary);
  std::vector<W> tiny = {W::kBelowThreshold, W::kNoData};
  EXPECT_EQ(CombineParts(tiny, 3, 5), W::kBelowThreshold);
  std::vector<W> empty = {W::kNoData, W::kNoData};
  EXPECT_EQ(CombineParts(empty, 0, 5), W::kNoData);
}

// The subtraction attack. A department of E employees answered in M
// campaigns (one a month). Released figures, exactly as the report service
// releases them: per employee and month (siblings in that month's campaign),
// per department and month (the parent), per employee over the quarter and
// per department over the quarter (combinations of parts). Every figure is
// a set of atoms (employee, month). The attacker subtracts from each
// released figure every set of pairwise disjoint released figures inside it;
// what is left must describe nobody or at least k people.
struct Figure {
  std::vector<bool> atoms;
  int64_t n = 0;
};

// Returns how many subtractions leave 0 < n < k; prints the first.
int SmallRemainders(const std::vector<Figure>& released,
                    const std::vector<int64_t>& atom_n, int64_t k,
                    std::string* first) {
  int leaks = 0;
  const size_t A = atom_n.size();
  for (size_t p = 0; p < released.size(); ++p) {
    const Figure& parent = released[p];
    std::vector<size_t> inside;
    for (size_t q = 0; q < released.size(); ++q) {
      if (q == p) continue;
      bool contained = true;
      for (size_t a = 0; a < A; ++a) {
        if (released[q].atoms[a] && !parent.atoms[a]) contained = false;
      }
      if (contained) inside.push_back(q);
    }
    std::vector<bool> used(A, false);
    std::function<void(size_t, int64_t)> search = [&](size_t from, int64_t taken) {
      int64_t rest = parent.n - taken;
      if (rest != 0 && rest < k && leaks++ == 0) {
        *first = "figure " + std::to_string(p) + " minus released parts leaves " +
                 std::to_string(rest);
      }
      for (size_t i = from; i < inside.size(); ++i) {
        const Figure& f = released[inside[i]];
        bool disjoint = true;
        for (size_t a = 0; a < A; ++a) {
          if (f.atoms[a] && used[a]) disjoint = false;
        }
        if (!disjoint) continue;
        for (size_t a = 0; a < A; ++a) {
          if (f.atoms[a]) used[a] = true;
        }
        search(i + 1, taken + f.n);
        for (size_t a = 0; a < A; ++a) {
          if (f.atoms[a]) used[a] = false;
        }
      }
    };
    search(0, 0);
  }
  return leaks;
}

TEST(DisclosureTest, NoSubtractionAmongReleasedFiguresRevealsASmallGroup) {
  std::mt19937_64 rng(20261123);
  const int64_t k = 5;
  for (int round = 0; round < 300; ++round) {
    const size_t E = 2 + rng() % 3, M = 1 + rng() % 3;
    std::vector<int64_t> atom_n(E * M);
    for (auto& n : atom_n) n = (rng() % 3 == 0) ? static_cast<int64_t>(rng() % 4)
                                                : static_cast<int64_t>(rng() % 12);
    auto atom = [&](size_t e, size_t m) { return m * E + e; };
    std::vector<std::vector<Withheld>> part(M);  // [month][employee]
    std::vector<Figure> released;
    auto figure = [&](const std::vector<size_t>& atoms) {
      Figure f{std::vector<bool>(E * M, false), 0};
      for (size_t a : atoms) {
        f.atoms[a] = true;
        f.n += atom_n[a];
      }
      return f;
    };
    for (size_t m = 0; m < M; ++m) {
      std::vector<int64_t> n(E);
      std::vector<size_t> all;
      for (size_t e = 0; e < E; ++e) {
        n[e] = atom_n[atom(e, m)];
        all.push_back(atom(e, m));
      }
      part[m] = SuppressSiblings(n, k);
      for (size_t e = 0; e < E; ++e) {
        if (part[m][e] == Withheld::kNone) released.push_back(figure({atom(e, m)}));
      }
      Figure dept = figure(all);
      if (ByThreshold(dept.n, k) == Withheld::kNone) released.push_back(dept);
    }
    // Quarters: an employee's months, and the department's months.
    std::vector<Withheld> dept_months;
    std::vector<size_t> dept_atoms;
    int64_t dept_n = 0;
    for (size_t e = 0; e < E; ++e) {
      std::vector<Withheld> parts;
      std::vector<size_t> atoms;
      int64_t total = 0;
      for (size_t m = 0; m < M; ++m) {
        parts.push_back(part[m][e]);
        atoms.push_back(atom(e, m));
        total += atom_n[atom(e, m)];
      }
      if (CombineParts(parts, total, k) == Withheld::kNone) {
        released.push_back(figure(atoms));
      }
    }
    for (size_t m = 0; m < M; ++m) {
      int64_t n = 0;
      for (size_t e = 0; e < E; ++e) {
        n += atom_n[atom(e, m)];
        dept_atoms.push_back(atom(e, m));
      }
      dept_months.push_back(ByThreshold(n, k));
      dept_n += n;
    }
    if (CombineParts(dept_months, dept_n, k) == Withheld::kNone) {
      released.push_back(figure(dept_atoms));
    }
    std::string first;
    ASSERT_EQ(SmallRemainders(released, atom_n, k, &first), 0)
        << "round " << round << ": " << first;
  }
}

// The attack must be able to fail: without complementary suppression the
// department minus the released employees reveals the small one.
TEST(DisclosureTest, TheAttackCatchesAMissingComplement) {
  std::vector<int64_t> atom_n = {12, 2};
  std::vector<Figure> released = {
      {{true, false}, 12},  // employee 0
      {{true, true}, 14},   // the department
  };
  std::string first;
  EXPECT_EQ(SmallRemainders(released, atom_n, 5, &first), 1);  // 14 - 12 = 2
  EXPECT_EQ(first, "figure 1 minus released parts leaves 2");
}

}  // namespace
}  // namespace survey::domain
