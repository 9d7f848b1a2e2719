// report.html in a real browser (label `browser`): headless Chromium opens the page and must log no
// console message and no script error, parse it into a DOM with its charts, and draw it. Skipped
// when chromium is not on PATH (`tools/setup --browser` installs Debian's chromium). Chromium runs
// with --no-sandbox (its sandbox needs user namespaces, which containers and root often lack), a
// profile of its own, and under `timeout` so a hung browser fails the test instead of blocking ctest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "misim/report.hpp"
#include "read_file.hpp"
#include "synthetic_fleet.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;

constexpr int kBrowserTimeoutSeconds = 90;

/// chromium's path from PATH, or empty.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(dir) / name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return {};
}

using test_support::read_file;

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not on PATH (tools/setup --browser installs it)";
    dir_ = fs::temp_directory_path() / ("misim-report-browser-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  /// Runs headless chromium on `page` with `mode` (--dump-dom or --screenshot=...); returns its
  /// exit status, and its stdout and stderr in out/err.
  int open(const fs::path& page, const std::string& mode, std::string& out, std::string& err) {
    const fs::path out_file = dir_ / "stdout.txt", err_file = dir_ / "stderr.txt";
    const std::string command =
        "timeout -k 10 " + std::to_string(kBrowserTimeoutSeconds) + " '" + chromium_ +
        "' --headless --disable-gpu --no-sandbox --no-first-run --no-default-browser-check "
        "--user-data-dir='" +
        (dir_ / "profile").string() + "' --enable-logging=stderr --v=0 --window-size=1400,2400 --hide-scrollbars " +
        mode + " 'file://" + page.string() + "' > '" + out_file.string() + "' 2> '" + err_file.string() + "'";
    const int status = std::system(command.c_str());
    out = read_file(out_file);
    err = read_file(err_file);
    return status;
  }

  /// The lines of chromium's log that report the page's console or a script error.
  static std::vector<std::string> page_errors(const std::string& log) {
    std::vector<std::string> errors;
    std::stringstream lines(log);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos ||
          line.find("Refused to") != std::string::npos || line.find("Failed to load resource") != std::string::npos) {
        errors.push_back(line);
      }
    }
    return errors;
  }

  fs::path write_report() {
    const testing::SyntheticFleet fleet{.vms = 2000, .denied = 100};
    ReportCollector collector;
    testing::feed_synthetic_fleet(collector, fleet);
    const Directory dir = testing::synthetic_fleet_directory(fleet);
    ReportInput in;
    in.collector = &collector;
    in.scenario_name = "synthetic fleet";
    in.description = "A synthetic fleet of 2,000 VMs; AAD east is down 12:00-12:30.";
    in.seed = 7;
    in.params = {{"vms", "2000"}};
    in.directory = &dir;
    const fs::path page = dir_ / "report.html";
    std::ofstream(page, std::ios::binary) << render_report_html(in);
    return page;
  }

  std::string chromium_;
  fs::path dir_;
};

TEST_F(Browser, OpensTheReportWithoutConsoleErrors) {
  const fs::path page = write_report();
  std::string dom, log;
  const int status = open(page, "--dump-dom", dom, log);
  ASSERT_EQ(status, 0) << "chromium failed or timed out:\n" << log;
  const std::vector<std::string> errors = page_errors(log);
  EXPECT_TRUE(errors.empty()) << errors.size() << " console messages, the first: " << errors.front();
  // The browser built the page: its sections and charts are in the DOM.
  EXPECT_NE(dom.find("<section id=\"latency\">"), std::string::npos);
  EXPECT_NE(dom.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(dom.find("<svg class=\"graph\""), std::string::npos);
}

TEST_F(Browser, DrawsTheReport) {
  const fs::path page = write_report();
  const fs::path shot = dir_ / "report.png";
  std::string out, log;
  const int status = open(page, "--screenshot='" + shot.string() + "'", out, log);
  ASSERT_EQ(status, 0) << "chromium failed or timed out:\n" << log;
  EXPECT_TRUE(page_errors(log).empty());
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 10'000u);  // a picture, not a blank page
  EXPECT_EQ(read_file(shot).substr(1, 3), "PNG");
}

TEST_F(Browser, TheCheckSeesAScriptError) {
  // A deliberately broken page: the check must catch what it exists to catch.
  const fs::path page = dir_ / "broken.html";
  std::ofstream(page) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>x</title></head><body>"
                         "<script>console.error('boom'); notDefined();</script></body></html>";
  std::string dom, log;
  ASSERT_EQ(open(page, "--dump-dom", dom, log), 0) << log;
  EXPECT_GE(page_errors(log).size(), 2u) << log;
}

}  // namespace
}  // namespace misim
