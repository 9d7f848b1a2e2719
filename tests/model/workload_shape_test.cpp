// Workloads over time: daily profiles and bursts shape the arrival rate (thinning), and resources
// the timeline creates start calling when they appear.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/trace_event.hpp"
#include "model_test_support.hpp"

namespace misim {
namespace {

using model_test::load;

/// Collects the times of the events of one kind.
class TimesOf : public EventSink {
 public:
  explicit TimesOf(EventKind kind) : kind_(kind) {}
  void on_event(const TraceEvent& e) override {
    if (e.kind == kind_) times.push_back(e.kind == EventKind::kStationVisit ? e.begin : e.time);
  }
  std::vector<SimTime> times;

 private:
  EventKind kind_;
};

// A plain station fed 10/s, with a profile that is 0 at night, 1 by day and 4 from 12:00 to 13:00.
constexpr const char* kDaily = R"(name: daily
duration: 24h
services:
  frontend: {servers: 1000, latency: {dist: constant, value: 1ms}}
workload:
  - stage: frontend
    rate: 10/s
    profile: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
)";

/// When each arrival at a station came (its visit's start) in a run of the scenario in `text`.
std::vector<SimTime> arrival_times(const std::string& text) {
  Simulation sim(load(text).simulation);
  TimesOf arrivals(EventKind::kStationVisit);
  sim.attach(arrivals, TraceLevel::kRequests);
  sim.run();
  return arrivals.times;
}

TEST(DailyProfile, ArrivalsPerHourFollowTheMultipliers) {
  std::array<double, 24> per_hour{};
  for (SimTime t : arrival_times(kDaily)) per_hour[static_cast<std::size_t>(t / kHour)] += 1.0;
  for (int h = 0; h < 6; ++h) EXPECT_EQ(per_hour[h], 0.0) << "hour " << h;
  EXPECT_EQ(per_hour[23], 0.0);
  // 36,000 expected per ordinary hour: a Poisson count, so 5 standard deviations is 950.
  for (int h : {6, 9, 15, 22}) EXPECT_NEAR(per_hour[h], 36000.0, 5 * std::sqrt(36000.0)) << "hour " << h;
  EXPECT_NEAR(per_hour[12], 144000.0, 5 * std::sqrt(144000.0));
}

// 1/s constant, and a burst of 30x from 00:10 for 5 minutes.
constexpr const char* kBurst = R"(name: burst
duration: 30m
services:
  frontend: {servers: 1000, latency: {dist: constant, value: 1ms}}
workload:
  - {stage: frontend, rate: 1/s, arrivals: constant, bursts: [{at: 00:10, for: 5m, factor: 30}]}
)";

TEST(Burst, MultipliesAConstantRateInsideItsWindowOnly) {
  int before = 0, during = 0, after = 0;
  for (SimTime t : arrival_times(kBurst)) {
    if (t < 10 * kMinute)
      ++before;
    else if (t < 15 * kMinute)
      ++during;
    else
      ++after;
  }
  EXPECT_NEAR(before, 600, 1);
  EXPECT_NEAR(during, 9000, 30);  // one every 33.3 ms
  EXPECT_NEAR(after, 900, 2);
}

// Ten VMs are created at 09:00 and call at start-up, within 30 s; then once an hour.
constexpr const char* kScaleOut = R"(name: scale-out
duration: 11h
topology:
  resources:
    - {name: vault, type: key_vault}
  role_assignments: []
timeline:
  - at: 09:00
    create_resource: {name: web, type: vm, count: 10, system_assigned: true}
workload:
  - {from: web, target: vault, rate: 1/h, client: msal, call_at_start: true, start_jitter: 30s}
)";

TEST(ScaleOut, ResourcesCreatedByTheTimelineCallFromTheirCreation) {
  Simulation sim(load(kScaleOut).simulation);
  TimesOf calls(EventKind::kCall);
  sim.attach(calls, TraceLevel::kAll);
  sim.run();
  ASSERT_GE(calls.times.size(), 10U);
  for (SimTime t : calls.times) EXPECT_GE(t, 9 * kHour);
  int first_minute = 0;
  for (SimTime t : calls.times) first_minute += t < 9 * kHour + kMinute ? 1 : 0;
  EXPECT_EQ(first_minute, 10) << "each new VM calls once at start-up, within the 30 s jitter";
  EXPECT_EQ(sim.access_pairs().size(), 10U);
}

}  // namespace
}  // namespace misim
