// Section 3 weights and section 4 gate / tier table, table-driven.
#include "attribution/signals.hpp"

#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/attribution/signal_shorthand.hpp"

namespace ats::attribution {
namespace {

using namespace signal_shorthand;

TEST(SignalWeights, AreTheSpecsExactly) {
  EXPECT_EQ(SignalWeight(CL), 40);
  EXPECT_EQ(SignalWeight(CH), 30);
  EXPECT_EQ(SignalWeight(RP), 15);
  EXPECT_EQ(SignalWeight(RA), 8);
  EXPECT_EQ(SignalWeight(RM), 10);
  EXPECT_EQ(SignalWeight(RO), 5);
  EXPECT_EQ(SignalWeight(TS), 5);
  EXPECT_EQ(SignalWeight(Signal::kLedger), 0);
}

TEST(SignalNames, AreTheWireNames) {
  EXPECT_EQ(SignalName(CL), "commit_link");
  EXPECT_EQ(SignalName(RP), "revision_parent");
  EXPECT_EQ(SignalName(RA), "revision_ancestor");
  EXPECT_EQ(SignalName(RM), "range_match");
  EXPECT_EQ(SignalName(RO), "range_overlap");
  EXPECT_EQ(SignalName(CH), "content_hash");
  EXPECT_EQ(SignalName(TS), "timestamp_match");
  EXPECT_EQ(SignalName(Signal::kLedger), "ledger");
}

TEST(SignalSet, IteratesInCanonicalOrderWhateverTheInsertionOrder) {
  SignalSet s = Set({TS, CH, RM, RP, CL});
  std::vector<std::string> names;
  s.ForEach([&](Signal x) { names.emplace_back(SignalName(x)); });
  EXPECT_EQ(names, (std::vector<std::string>{"commit_link", "revision_parent", "range_match",
                                             "content_hash", "timestamp_match"}));
}

TEST(SignalSet, ScoreSumsWeightsAndAddingTwiceCountsOnce) {
  EXPECT_EQ(Set({}).Score(), 0);
  EXPECT_EQ(Set({CL, RP, RM, CH, TS}).Score(), 100);
  EXPECT_EQ(Set({CL, CL, TS}).Score(), 45);
  EXPECT_EQ(Set({RA}).Score(), 8);
}

struct GateCase {
  const char* name;
  SignalSet signals;
  bool passes;
};

TEST(Gate, EveryRule) {
  const GateCase cases[] = {
      {"nothing", Set({}), false},
      {"timestamp alone", Set({TS}), false},
      {"commit_link alone", Set({CL, TS}), false},
      {"content_hash alone", Set({CH, TS}), false},
      {"revision_parent alone", Set({RP, TS}), false},
      {"revision_ancestor alone", Set({RA, TS}), false},
      {"revision_parent + content_hash", Set({RP, CH, TS}), false},
      {"revision_ancestor + commit_link", Set({RA, CL}), false},
      {"range_match alone", Set({RM}), true},
      {"range_overlap alone", Set({RO}), true},
      {"range_match + timestamp", Set({RM, TS}), true},
      {"commit_link + content_hash", Set({CL, CH}), true},
      {"commit_link + revision_parent", Set({CL, RP}), true},
      {"commit_link + revision_parent + timestamp", Set({CL, RP, TS}), true},
      {"content_hash + range_overlap", Set({CH, RO}), true},
      {"ledger is not structural", Set({Signal::kLedger}), false},
  };
  for (const GateCase& c : cases) EXPECT_EQ(PassesGate(c.signals), c.passes) << c.name;
}

struct TierCase {
  const char* name;
  SignalSet signals;
  int score;
  std::optional<int> tier;
  double confidence;
};

TEST(Tier, EveryBoundaryAtAndJustBelow) {
  const TierCase cases[] = {
      {"all five = 100", Set({CL, RP, RM, CH, TS}), 100, 1, 1.0},
      {"95 with CL and CH", Set({CL, RP, RO, CH, TS}), 95, 1, 1.0},
      {"90 (just below 95)", Set({CL, RP, CH, TS}), 90, 2, 0.999},
      // 95 is unreachable without content_hash: every other signal together (even the reserved
      // revision_ancestor and both range signals) makes 83, tier 2.
      {"everything but content_hash = 83", Set({CL, RP, RA, RM, RO, TS}), 83, 2, 0.999},
      {"80", Set({CL, RO, CH, TS}), 80, 2, 0.999},
      {"75 (just below 80)", Set({CL, CH, TS}), 75, 3, 0.95},
      {"60 via CL+RP+TS", Set({CL, RP, TS}), 60, 3, 0.95},
      {"60 via RP+RM+CH+TS", Set({RP, RM, CH, TS}), 60, 3, 0.95},
      {"55 via CL+RM+TS", Set({CL, RM, TS}), 55, 4, 0.85},
      {"55 via RP+RO+CH+TS", Set({RP, RO, CH, TS}), 55, 4, 0.85},
      {"45", Set({CH, RM, TS}), 45, 4, 0.85},
      {"40 (just below 45)", Set({CH, RO, TS}), 40, 5, 0.70},
      {"25", Set({RP, RO, TS}), 25, 5, 0.70},
      {"20 (just below 25)", Set({RP, TS}), 20, 6, 0.40},
      {"15", Set({RM, TS}), 15, 6, 0.40},
      {"10", Set({RO, TS}), 10, 6, 0.40},
      {"5", Set({TS}), 5, 6, 0.40},
      {"0", Set({}), 0, std::nullopt, 0.0},
  };
  for (const TierCase& c : cases) {
    EXPECT_EQ(c.signals.Score(), c.score) << c.name;
    EXPECT_EQ(TierFor(c.signals), c.tier) << c.name;
    EXPECT_DOUBLE_EQ(ConfidenceForTier(TierFor(c.signals)), c.confidence) << c.name;
  }
}

TEST(Tier, ConfidenceTable) {
  EXPECT_DOUBLE_EQ(ConfidenceForTier(1), 1.0);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(2), 0.999);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(3), 0.95);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(4), 0.85);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(5), 0.70);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(6), 0.40);
  EXPECT_DOUBLE_EQ(ConfidenceForTier(std::nullopt), 0.0);
}

}  // namespace
}  // namespace ats::attribution
