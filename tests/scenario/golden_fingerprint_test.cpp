// Golden fingerprints (issue 9, "Determinism"): every scenario under scenarios/, run at its own seed
// and params, must give the fingerprint recorded in tests/scenario/golden_fingerprints.txt. The
// fingerprint hashes everything that happened in the run, so any change of behaviour, intended or
// not, shows here as a list of scenario, expected and actual value. After an intended change,
// regenerate the file with tools/update-golden-fingerprints and commit it with the change.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "misim/fingerprint.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = MISIM_SOURCE_DIR;
const fs::path kGolden = kRoot / "tests" / "scenario" / "golden_fingerprints.txt";
constexpr const char* kRegenerate =
    "If the change of behaviour is intended, regenerate the file with\n"
    "  tools/update-golden-fingerprints [BUILD_DIR]\n"
    "and commit it with the change (docs/reliability.md, \"Golden fingerprints\").";

/// scenarios/x.yaml -> fingerprint, from the golden file.
std::map<std::string, std::string> golden() {
  std::map<std::string, std::string> out;
  std::ifstream in(kGolden);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string file;
    std::string fingerprint;
    words >> file >> fingerprint;
    out[file] = fingerprint;
  }
  return out;
}

/// Every scenario, relative to the source tree, as the golden file names it.
std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "scenarios")) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      files.push_back(fs::relative(entry.path(), kRoot).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(GoldenFingerprints, EveryScenarioRunsToItsRecordedFingerprint) {
  const std::map<std::string, std::string> expected = golden();
  ASSERT_FALSE(expected.empty()) << kGolden << " is missing or empty. " << kRegenerate;
  std::string differences;
  for (const std::string& file : scenario_files()) {
    Result<Scenario> scenario = load_scenario_file((kRoot / file).string());
    ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
    Simulation sim(scenario->simulation);
    sim.run();
    const std::string actual = to_hex64(sim.fingerprint());
    const auto it = expected.find(file);
    const std::string want = it == expected.end() ? "(not in the golden file)" : it->second;
    if (want != actual) differences += "  " + file + "\n      expected " + want + "\n      actual   " + actual + "\n";
  }
  EXPECT_TRUE(differences.empty()) << "fingerprints differ from " << kGolden.string() << ":\n"
                                   << differences << kRegenerate;
}

TEST(EstateBuiltBesideTheCheck, GivesEveryScenarioItsGoldenFingerprint) {
  // `misim run` hands the Simulation the estate the loader built on a second thread while it
  // checked the scenario (load_scenario_file with a Directory): the run must be the same run.
  const std::map<std::string, std::string> expected = golden();
  ASSERT_FALSE(expected.empty()) << kGolden << " is missing or empty. " << kRegenerate;
  std::string differences;
  for (const std::string& file : scenario_files()) {
    Directory estate;
    Result<Scenario> scenario = load_scenario_file((kRoot / file).string(), {}, estate);
    ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
    Simulation sim(scenario->simulation, std::move(estate));
    sim.run();
    const std::string actual = to_hex64(sim.fingerprint());
    const auto it = expected.find(file);
    const std::string want = it == expected.end() ? "(not in the golden file)" : it->second;
    if (want != actual) differences += "  " + file + "\n      expected " + want + "\n      actual   " + actual + "\n";
  }
  EXPECT_TRUE(differences.empty()) << "fingerprints differ from " << kGolden.string() << ":\n" << differences;
}

TEST(EstateBuiltBesideTheCheck, IsNotHandedOutWhenTheCheckFails) {
  // The estate's own operations fail, or the timeline's on it: the error is the loader's, at its
  // place, and the Directory given to the loader is left empty (built estates are dropped).
  for (const auto& [file, place] : {std::pair{"user-assigned-attached-twice.yaml", std::pair{7, 44}},
                                    std::pair{"timeline-unknown-entity.yaml", std::pair{8, 23}}}) {
    Directory estate;
    Result<Scenario> scenario = load_scenario_file((kRoot / "tests" / "bad_scenarios" / file).string(), {}, estate);
    ASSERT_FALSE(scenario.ok()) << file;
    EXPECT_EQ(scenario.error().place.line, place.first) << file;
    EXPECT_EQ(scenario.error().place.column, place.second) << file;
    EXPECT_EQ(estate.count(EntityKind::kResource), 0U) << file;
    EXPECT_EQ(estate.count(EntityKind::kIdentity), 0U) << file;
  }
}

TEST(GoldenFingerprints, NamesOnlyScenariosThatExist) {
  const std::vector<std::string> files = scenario_files();
  for (const auto& [file, fingerprint] : golden()) {
    EXPECT_TRUE(std::binary_search(files.begin(), files.end(), file))
        << kGolden.string() << " names " << file << ", which is not under scenarios/. " << kRegenerate;
    EXPECT_EQ(fingerprint.size(), 16U) << file;
  }
}

}  // namespace
}  // namespace misim
