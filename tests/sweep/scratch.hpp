// A scratch folder per test under the system's temporary directory, removed afterwards, with a
// small queueing scenario (a gateway station fed by Poisson arrivals, its rate and servers as
// params) that runs in milliseconds.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "read_file.hpp"

namespace misim::testing_sweep {

namespace fs = std::filesystem;

inline constexpr const char* kGatewayScenario = R"(# a gateway queue: two params to sweep
name: gateway
seed: 5
duration: 2m
params:
  rate: 40/s
  servers: 2
services:
  gateway: {servers: ${servers}, latency: {dist: exponential, mean: 40ms}}
workload:
  - {stage: gateway, rate: ${rate}}
)";

class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("misim_sweep_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);  // kept for a look when a test failed
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& path) { return test_support::read_file(path); }
  fs::path dir_;
};

}  // namespace misim::testing_sweep
