// Faults on the timeline: AAD degraded (slower, failing a share of requests), the token endpoints
// down (503) or updating (410), each seen by a client through its retries.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/trace_event.hpp"

namespace misim {
namespace {

SimulationConfig load(const std::string& text) {
  Result<Scenario> s = load_scenario_text(text, "test.yaml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return s.ok() ? std::move(s).value().simulation : SimulationConfig{};
}

/// The attempts at the endpoint: when each ended, its status and how long it took.
struct Attempts : EventSink {
  struct Attempt {
    SimTime time;
    int status;
    SimTime latency;
  };
  void on_event(const TraceEvent& e) override {
    if (e.kind == EventKind::kAttempt) list.push_back({e.time, e.status, e.time - e.begin});
  }
  std::vector<Attempt> list;
};

// One VM without a token cache asks for a token every minute; IMDS takes 1 ms, AAD 40 ms exactly.
constexpr const char* kSteady = R"(name: steady
duration: 2h
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: false}
  aad: {servers: 8, latency: {dist: constant, value: 40ms}}
topology:
  resources:
    - {name: vm, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/min, arrivals: constant, client: CLIENT}
)";

std::string steady(const std::string& client) {
  std::string text = kSteady;
  text.replace(text.find("CLIENT"), 6, client);
  return text;
}

FaultConfig window(FaultConfig::Kind kind, SimTime start, SimTime end) {
  FaultConfig f;
  f.kind = kind;
  f.start = start;
  f.end = end;
  return f;
}

TEST(AadDegradation, MultipliesServiceTimesOnlyInsideItsWindow) {
  SimulationConfig config = load(steady("none"));
  FaultConfig slow = window(FaultConfig::Kind::kAadDegradation, 30 * kMinute, 60 * kMinute);
  slow.latency_factor = 3.0;
  config.token_path.faults.push_back(slow);
  Simulation sim(config);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  ASSERT_FALSE(attempts.list.empty());
  for (const auto& a : attempts.list) {
    const bool inside = a.time - a.latency >= 30 * kMinute && a.time < 60 * kMinute;
    EXPECT_EQ(a.latency, inside ? 121 * kMillisecond : 41 * kMillisecond) << "at " << format_clock(a.time);
  }
}

TEST(AadDegradation, AnErrorRateOfOneFailsEveryRequestWith500) {
  SimulationConfig config = load(steady("none"));
  FaultConfig failing = window(FaultConfig::Kind::kAadDegradation, 30 * kMinute, 60 * kMinute);
  failing.error_rate = 1.0;
  config.token_path.faults.push_back(failing);
  Simulation sim(config);
  sim.run();
  EXPECT_EQ(sim.token_statistics().by_status.at(500), 30U);  // one call a minute for 30 minutes
  EXPECT_EQ(sim.token_statistics().by_status.at(200), 89U);  // the other calls, 00:01 to 01:59
}

TEST(AadDegradation, AnErrorRateFailsAboutThatShareOfRequests) {
  SimulationConfig config = load(steady("none"));
  config.token_path.calls.front().rate_per_second = 10.0;
  FaultConfig failing = window(FaultConfig::Kind::kAadDegradation, 0, 2 * kHour);
  failing.error_rate = 0.25;
  config.token_path.faults.push_back(failing);
  Simulation sim(config);
  sim.run();
  const double errors = static_cast<double>(sim.token_statistics().by_status.at(500));
  const double total = errors + static_cast<double>(sim.token_statistics().by_status.at(200));
  EXPECT_NEAR(errors / total, 0.25, 0.01);  // 72,000 requests: the standard error is 0.0016
}

TEST(EndpointOutage, Answers503AndMsalRetriesThenGivesUp) {
  SimulationConfig config = load(steady("msal"));
  config.token_path.faults.push_back(window(FaultConfig::Kind::kEndpointOutage, 0, kHour));
  Simulation sim(config);
  sim.advance(kHour - kSecond);
  // The first call at 00:01 gets 503 and MSAL retries 1, 2 and 4 s later (azure-facts.md:25).
  EXPECT_GE(sim.token_statistics().by_status.at(503), 4U);
  EXPECT_EQ(sim.token_statistics().by_status.count(200), 0U);
  sim.run();
  EXPECT_GE(sim.token_statistics().by_status.at(200), 1U);  // after the outage
}

TEST(EndpointUpdate, Answers410UntilTheUpdateEndsAndMsalRetries410TenSecondsApart) {
  SimulationConfig config = load(steady("msal"));
  // The first call is at 00:01:00; the endpoints update from 00:00:30 to 00:01:45.
  config.token_path.faults.push_back(window(FaultConfig::Kind::kEndpointUpdate, 30 * kSecond, 105 * kSecond));
  Simulation sim(config);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.advance(5 * kMinute);
  // 410 at 1:00, 1:10, ..., 1:40; the retry at 1:50 gets its token (MSAL: 7 retries 10 s apart).
  std::vector<SimTime> gone;
  SimTime first_ok = -1;
  for (const auto& a : attempts.list) {
    if (a.status == 410) gone.push_back(a.time);
    if (a.status == 200 && first_ok < 0) first_ok = a.time;
  }
  ASSERT_EQ(gone.size(), 5U);
  for (std::size_t i = 0; i < gone.size(); ++i) EXPECT_EQ(gone[i], kMinute + static_cast<SimTime>(i) * 10 * kSecond);
  EXPECT_EQ(first_ok, kMinute + 50 * kSecond + 41 * kMillisecond);
}

}  // namespace
}  // namespace misim
