// The resource guard (docs/reliability.md): the loader estimates a run's memory from the counts it
// reads, before it expands a template or builds anything, and refuses a scenario above the limit
// at the count that crosses it, naming the estimate and the limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "misim/scenario.hpp"

namespace misim {
namespace {

using testing::HasSubstr;

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;

Result<Scenario> load(const std::string& text, std::uint64_t limit) {
  ScenarioOverrides o;
  o.max_memory = limit;
  return load_scenario_text(text, "t.yaml", o);
}

TEST(ResourceGuard, RefusesTenMillionVmsAtTheirCountBeforeExpandingThem) {
  const auto start = std::chrono::steady_clock::now();
  Result<Scenario> s =
      load("name: x\nduration: 1h\ntopology:\n  resources:\n    - {name: web, type: vm, count: 1e7}\n", 1 * kGiB);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().place.line, 5);
  EXPECT_EQ(s.error().place.column, 36);
  EXPECT_THAT(s.error().message, HasSubstr("this scenario would need about 11.7 GiB of memory, above the limit of "
                                           "1.0 GiB (--max-memory): resource 'web' here adds 10,000,000 resources"));
  EXPECT_LT(seconds, 0.1) << "the guard must refuse before expanding the template";
}

TEST(ResourceGuard, MultipliesTemplatesOfPrincipalsAndScopesBeforeAssigning) {
  Result<Scenario> s = load(R"(name: x
duration: 1h
topology:
  identities: [{name: id, count: 100000}]
  resources: [{name: vault, type: key_vault, count: 100000}]
  role_assignments: [{principal: id, role: Reader, scope: vault}]
)",
                            8 * kGiB);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().place.line, 6);
  EXPECT_THAT(s.error().message, HasSubstr("adds 10,000,000,000 role assignments"));
}

TEST(ResourceGuard, CountsACallingTemplateListedManyTimesBeforeCopyingIt) {
  std::string from = "[web";
  for (int i = 0; i < 999; ++i) from += ", web";
  Result<Scenario> s = load(
      "name: x\nduration: 1h\ntopology:\n  identities: [{name: id}]\n  resources:\n"
      "    - {name: web, type: vm, count: 100000, user_assigned: [id]}\n"
      "    - {name: vault, type: key_vault}\nworkload:\n  - {from: " +
          from + "], target: vault, rate: 1/min}\n",
      2 * kGiB);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().place.line, 9);
  EXPECT_THAT(s.error().message, HasSubstr("workload #1 'from' here adds 100,000,000 calling resources"));
}

TEST(ResourceGuard, CountsTheRequestsAnOverloadedUnlimitedQueueHolds) {
  // 1,000,000/s into a stage that serves 1,000/s for a day: about 86 billion requests wait.
  Result<Scenario> s =
      load("name: x\nduration: 1d\nservices: {g: {latency: 1ms}}\nworkload: [{stage: g, rate: 1000000/s}]\n", 8 * kGiB);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().place.line, 4);
  EXPECT_THAT(s.error().message, HasSubstr("stage 'g', offered more than its servers take"));
  EXPECT_THAT(s.error().message, HasSubstr("queued requests"));
  // A bounded queue rejects instead, and a stable stage keeps its queue short: both are accepted.
  EXPECT_TRUE(load("name: x\nduration: 1d\nservices: {g: {latency: 1ms, queue_capacity: 1000}}\n"
                   "workload: [{stage: g, rate: 1000000/s}]\n",
                   8 * kGiB)
                  .ok());
  EXPECT_TRUE(
      load("name: x\nduration: 1d\nservices: {g: {latency: 1ms}}\nworkload: [{stage: g, rate: 900/s}]\n", 8 * kGiB)
          .ok());
}

TEST(ResourceGuard, EstimatesTheLibrarysCapacityScenarioAboveWhatItMeasured) {
  // scenarios/capacity/aad-outage.yaml's estate at 100,000 VMs: a run measured 246 MiB at peak
  // (docs/reliability.md); the estimate must be above it, and not wildly.
  Result<Scenario> s = load(R"(name: fleet
duration: 14h
topology:
  identities: [{name: web-id}, {name: batch-id}]
  resources:
    - {name: web, type: vm, count: 100000, user_assigned: [web-id]}
    - {name: batch, type: vm, count: 500, user_assigned: [batch-id]}
    - {name: vault, type: key_vault}
  role_assignments:
    - {principal: web-id, role: Key Vault Secrets User, scope: vault}
    - {principal: batch-id, role: Key Vault Secrets User, scope: vault}
workload:
  - {name: web-app, from: web, target: vault, rate: 1/10min, client: msal}
  - {name: batch-job, from: batch, target: vault, rate: 1/min, client: msal, start: 730m}
)",
                            8 * kGiB);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->estimate.resources, 100501U);
  EXPECT_EQ(s->estimate.attachments, 100500U);
  EXPECT_EQ(s->estimate.calling_resources, 100500U);
  EXPECT_GT(s->estimate.bytes, 246 * kMiB);
  EXPECT_LT(s->estimate.bytes, 2 * 246 * kMiB);
}

TEST(ResourceGuard, ASmallScenarioIsWellUnderAnyLimit) {
  Result<Scenario> s = load("name: x\nduration: 1h\n", 64 * kMiB);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_LT(s->estimate.bytes, 64 * kMiB);
  EXPECT_FALSE(load("name: x\nduration: 1h\n", 1 * kMiB).ok()) << "misim itself needs more than 1 MiB";
}

TEST(ResourceGuard, CountsTheEventsOfArmsOutageWindows) {
  // Each ARM outage schedules its start and its end, as the other faults do; the operations ARM
  // throttles or holds keep one event each, counted with the timeline.
  const std::string base = "name: x\nduration: 10h\ntopology: {resources: [{name: vault, type: key_vault}]}\n";
  Result<Scenario> without = load(base + "timeline:\n  - {at: 1h, delete: vault}\n", 64 * kMiB);
  Result<Scenario> with = load(base +
                                   "timeline:\n  - {at: 1h, delete: vault}\n"
                                   "  - {at: 2h, outage: {service: arm, for: 10m}}\n"
                                   "  - {at: 3h, outage: {service: arm, for: 10m, mode: timeouts}}\n",
                               64 * kMiB);
  ASSERT_TRUE(without.ok()) << without.error().to_string();
  ASSERT_TRUE(with.ok()) << with.error().to_string();
  EXPECT_EQ(with->estimate.pending_events, without->estimate.pending_events + 4);
}

TEST(ResourceGuard, TheDefaultLimitIsHalfTheMachinesMemoryOrLess) {
  EXPECT_GT(default_max_memory(), 256 * kMiB);
  EXPECT_LT(default_max_memory(), 1024 * kGiB * 1024);
}

TEST(MemorySize, ReadsBinaryAndDecimalUnits) {
  EXPECT_EQ(*parse_memory_size("512MiB"), 512 * kMiB);
  EXPECT_EQ(*parse_memory_size("4GiB"), 4 * kGiB);
  EXPECT_EQ(*parse_memory_size("4gib"), 4 * kGiB);
  EXPECT_EQ(*parse_memory_size("4G"), 4 * kGiB);
  EXPECT_EQ(*parse_memory_size("2GB"), 2'000'000'000U);
  EXPECT_EQ(*parse_memory_size("1.5GiB"), 3 * kGiB / 2);
  EXPECT_EQ(*parse_memory_size("1048576"), kMiB);
  for (const char* bad : {"", "GiB", "-1GiB", "0", "4 GiB", "4XB", "nan", "1e30GiB"})
    EXPECT_FALSE(parse_memory_size(bad).ok()) << bad;
}

TEST(MemorySize, IsWrittenWithABinaryUnit) {
  EXPECT_EQ(format_memory_size(512), "512 B");
  EXPECT_EQ(format_memory_size(1536), "1.5 KiB");
  EXPECT_EQ(format_memory_size(4 * kGiB), "4.0 GiB");
  EXPECT_EQ(format_memory_size(300 * kGiB), "300 GiB");
}

}  // namespace
}  // namespace misim
