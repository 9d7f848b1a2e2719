// Client request timeouts for slow answers: a client gives up an attempt whose answer has not come
// within its profile's request_timeout, counts 408 and retries as its profile says; AAD's late
// answer is not delivered to it, but still fills the endpoint's token cache (docs/model.md,
// "Client timeouts").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "misim/client_profile.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/trace_event.hpp"
#include "model_test_support.hpp"

namespace misim {
namespace {

using model_test::load_config;

/// The attempts at the endpoint and AAD's station visits, in order.
struct Events : EventSink {
  void on_event(const TraceEvent& e) override {
    if (e.kind == EventKind::kAttempt) attempts.push_back(e);
    if (e.kind == EventKind::kStationVisit && e.station != 0) aad_visits.push_back(e);
    if (e.kind == EventKind::kTokenRequest) acquisitions.push_back(e);
  }
  [[nodiscard]] std::size_t count(int status) const {
    std::size_t n = 0;
    for (const TraceEvent& e : attempts) n += e.status == status ? 1 : 0;
    return n;
  }
  std::vector<TraceEvent> attempts;
  std::vector<TraceEvent> aad_visits;
  std::vector<TraceEvent> acquisitions;
};

// One VM calls every minute from 00:01:00; IMDS takes 1 ms, AAD `aad` exactly, multiplied by
// `factor` from 00:00:30 for an hour.
std::string slow_aad(const std::string& client, const std::string& aad, const std::string& factor, bool imds_cache) {
  return R"(name: slow
duration: 2h
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: )" +
         std::string(imds_cache ? "true" : "false") + R"(}
  aad: {servers: 8, latency: {dist: constant, value: )" +
         aad + R"(}}
topology:
  resources:
    - {name: vm, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/min, arrivals: constant, client: )" +
         client + R"(}
timeline:
  - {at: 30s, degrade: {service: aad, latency_factor: )" +
         factor + R"(, for: 1h}}
)";
}

SimTime ms(std::int64_t n) { return n * kMillisecond; }

TEST(ClientTimeout, ADegradedAadSlowerThanTheTimeoutGives408sRetriedOnTheProfilesSchedule) {
  // AAD takes 1 s x 3 = 3 s; azure-identity-python waits 2 s (azure-facts.md:27), counts 408 and
  // retries 0.8, 1.6, 3.2, 6.4 and 12.8 s later, then gives up. IMDS has no cache here.
  Simulation sim(load_config(slow_aad("azure-identity-python", "1s", "3", false)));
  Events events;
  sim.attach(events, TraceLevel::kRequests);
  sim.advance(100 * kSecond);
  const SimTime timeout = builtin_client_profile("azure-identity-python")->request_timeout;
  ASSERT_EQ(timeout, 2 * kSecond);
  const std::vector<SimTime> sent = {kMinute, ms(62'800), ms(66'400), ms(71'600), ms(80'000), ms(94'800)};
  ASSERT_EQ(events.attempts.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(events.attempts[i].status, 408) << i;
    EXPECT_EQ(events.attempts[i].begin, sent[i]) << i;
    EXPECT_EQ(events.attempts[i].time, sent[i] + timeout) << i;
  }
  EXPECT_EQ(sim.token_statistics().by_status.at(408), 6U);
  EXPECT_EQ(sim.token_statistics().by_status.count(200), 0U);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 1U);
  // AAD served every attempt, 3 s after it reached AAD, and issued six tokens nobody received.
  ASSERT_EQ(events.aad_visits.size(), 6U);
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(events.aad_visits[i].time, sent[i] + ms(3001)) << i;
  EXPECT_EQ(sim.token_statistics().tokens_issued, 6U);
}

TEST(ClientTimeout, AnAnswerJustUnderTheTimeoutIsDelivered) {
  // AAD takes 1 s x 1.99 = 1.99 s, plus IMDS's 1 ms: 1.991 s, under python's 2 s.
  Simulation sim(load_config(slow_aad("azure-identity-python", "1s", "1.99", false)));
  Events events;
  sim.attach(events, TraceLevel::kRequests);
  sim.advance(100 * kSecond);
  ASSERT_EQ(events.attempts.size(), 1U);
  EXPECT_EQ(events.attempts[0].status, 200);
  EXPECT_EQ(events.attempts[0].time, kMinute + ms(1991));
  EXPECT_EQ(sim.token_statistics().by_status.count(408), 0U);
  EXPECT_EQ(sim.token_statistics().retries, 0U);
}

TEST(ClientTimeout, TheLateAnswerIsNotDeliveredButFillsTheEndpointsCache) {
  // AAD takes 10 s x 4 = 40 s; MSAL waits 30 s, then retries 1, 2 and 4 s later (azure-facts.md:25).
  // The first attempt's token reaches IMDS at 1:40.001, after the client gave up at 1:30: IMDS
  // caches it (it asked AAD for itself), so the third attempt, at 2:03, is answered from IMDS's
  // cache. The client receives one token, once.
  Simulation sim(load_config(slow_aad("msal", "10s", "4", true)));
  Events events;
  sim.attach(events, TraceLevel::kRequests);
  sim.advance(150 * kSecond);
  const SimTime timeout = builtin_client_profile("msal")->request_timeout;
  ASSERT_EQ(events.attempts.size(), 3U);
  EXPECT_EQ(events.attempts[0].status, 408);
  EXPECT_EQ(events.attempts[0].time, kMinute + timeout);
  EXPECT_EQ(events.attempts[1].status, 408);
  EXPECT_EQ(events.attempts[1].begin, kMinute + timeout + kSecond);
  EXPECT_EQ(events.attempts[1].time, kMinute + 2 * timeout + kSecond);
  EXPECT_EQ(events.attempts[2].status, 200);
  EXPECT_EQ(events.attempts[2].begin, kMinute + 2 * timeout + 3 * kSecond);
  EXPECT_NE(events.attempts[2].flags & kFlagCacheHit, 0);
  EXPECT_EQ(sim.token_statistics().endpoint_cache_hits, 1U);
  // One acquisition, ended once with its token; the late answer at 1:40.001 made no attempt.
  ASSERT_EQ(events.acquisitions.size(), 1U);
  EXPECT_EQ(events.acquisitions[0].status, 200);
  EXPECT_EQ(events.acquisitions[0].time, events.attempts[2].time);
  ASSERT_GE(events.aad_visits.size(), 1U);
  EXPECT_EQ(events.aad_visits[0].time, kMinute + ms(40'001));
  EXPECT_EQ(events.aad_visits[0].request, events.attempts[0].request);
  EXPECT_EQ(sim.token_statistics().by_status.at(408), 2U);
  EXPECT_EQ(sim.token_statistics().by_status.at(200), 1U);
  EXPECT_EQ(sim.token_statistics().acquisitions, 1U);
}

TEST(ClientTimeout, AQueueAtAadLongerThanTheTimeoutGives408s) {
  // One AAD server taking 1.5 s, and 4 VMs asking at once (call_at_start): the third waits 1.5 s
  // in the queue and would be answered at 4.5 s, after python's 2 s timeout.
  Simulation sim(load_config(R"(name: queue
duration: 10s
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: false}
  aad: {servers: 1, latency: {dist: constant, value: 1500ms}}
topology:
  resources:
    - {name: vm, type: vm, count: 4, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: azure-identity-python, call_at_start: true}
)"));
  Events events;
  sim.attach(events, TraceLevel::kRequests);
  sim.advance(2 * kSecond + kMillisecond);
  // At 2 s: the first answered at 1.501 s; the other three given up at 2 s.
  EXPECT_EQ(events.count(200), 1U);
  EXPECT_EQ(events.count(408), 3U);
  for (const TraceEvent& e : events.attempts) {
    if (e.status == 408) {
      EXPECT_EQ(e.time - e.begin, 2 * kSecond);
    }
  }
}

}  // namespace
}  // namespace misim
