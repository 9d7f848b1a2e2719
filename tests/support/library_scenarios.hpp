// The scenario library (every .yaml file under scenarios/, at any depth) for the tests that check or
// run each of its files, and a test name for each file. The test defines MISIM_SOURCE_DIR.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#ifndef MISIM_SOURCE_DIR
#error "library_scenarios.hpp needs MISIM_SOURCE_DIR (target_compile_definitions)"
#endif

namespace misim::test_support {

/// The library's files, MISIM_SOURCE_DIR/scenarios/..., sorted.
inline std::vector<std::string> library_scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(MISIM_SOURCE_DIR "/scenarios")) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The file's path under scenarios/ without ".yaml", each character but letters and digits as '_'
/// (capacity/aad-outage.yaml: capacity_aad_outage), for a parameterized test's name.
inline std::string library_test_name(const std::string& file) {
  std::string rel = std::filesystem::relative(file, MISIM_SOURCE_DIR "/scenarios").replace_extension("").string();
  std::replace_if(
      rel.begin(), rel.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return rel;
}

}  // namespace misim::test_support
