// Faults on the timeline: AAD degraded (slower, failing a share of requests) or down (503, or no
// answer at all: clients time out), the token endpoints down (503) or updating (410), MIRP down,
// and a certificate whose rolls fail until it expires; each seen by a client through its retries.
#include <gtest/gtest.h>

#include <map>
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
  SimulationConfig config = load_config(steady("none"));
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
  SimulationConfig config = load_config(steady("none"));
  FaultConfig failing = window(FaultConfig::Kind::kAadDegradation, 30 * kMinute, 60 * kMinute);
  failing.error_rate = 1.0;
  config.token_path.faults.push_back(failing);
  Simulation sim(config);
  sim.run();
  EXPECT_EQ(sim.token_statistics().by_status.at(500), 30U);  // one call a minute for 30 minutes
  EXPECT_EQ(sim.token_statistics().by_status.at(200), 89U);  // the other calls, 00:01 to 01:59
}

TEST(AadDegradation, AnErrorRateFailsAboutThatShareOfRequests) {
  SimulationConfig config = load_config(steady("none"));
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
  SimulationConfig config = load_config(steady("msal"));
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
  SimulationConfig config = load_config(steady("msal"));
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

/// The times of the attempts answered `status`, and how the acquisitions ended.
std::vector<SimTime> answered(const Attempts& attempts, int status) {
  std::vector<SimTime> out;
  for (const auto& a : attempts.list) {
    if (a.status == status) out.push_back(a.time);
  }
  return out;
}

TEST(EndpointUpdate, A404WindowIsRetriedOnEachProfiles404Schedule) {
  // The endpoints answer 404 "updating" from 00:00:30 to 00:01:45 (azure-facts.md:17). The first
  // call is at 00:01:00. azure-identity-python retries 404 0.8, 1.6, 3.2, 6.4 and 12.8 s apart
  // (azure-facts.md:27), all inside the window, then gives up; MSAL 1, 2 and 4 s apart (:25).
  const std::string window = "timeline:\n  - {at: 30s, update: {status: 404, for: 75s}}\n";
  const std::string python_text = steady("azure-identity-python") + window;
  Simulation python(load_config(python_text));
  ASSERT_EQ(python.config().token_path.faults.at(0).status, 404);
  Attempts attempts;
  python.attach(attempts, TraceLevel::kRequests);
  python.advance(5 * kMinute);
  const std::vector<SimTime> expected = {kMinute,
                                         kMinute + 800 * kMillisecond,
                                         kMinute + 2400 * kMillisecond,
                                         kMinute + 5600 * kMillisecond,
                                         kMinute + 12 * kSecond,
                                         kMinute + 24800 * kMillisecond};
  EXPECT_EQ(answered(attempts, 404), expected);
  EXPECT_TRUE(answered(attempts, 410).empty());
  EXPECT_EQ(python.token_statistics().failed_acquisitions, 1U);
  // After the window the call at 00:02:00 gets its token (IMDS 1 ms, AAD 40 ms).
  ASSERT_FALSE(answered(attempts, 200).empty());
  EXPECT_EQ(answered(attempts, 200).front(), 2 * kMinute + 41 * kMillisecond);

  const std::string msal_text = steady("msal") + window;
  Simulation msal(load_config(msal_text));
  Attempts msal_attempts;
  msal.attach(msal_attempts, TraceLevel::kRequests);
  msal.advance(5 * kMinute);
  const std::vector<SimTime> msal_expected = {kMinute, kMinute + kSecond, kMinute + 3 * kSecond, kMinute + 7 * kSecond};
  EXPECT_EQ(answered(msal_attempts, 404), msal_expected);
}

TEST(EndpointUpdate, A410WindowStaysTheDefaultAndIsNotRetriedByAzureIdentityPython) {
  // Without `status` an update answers 410. azure-identity-python does not retry 410 (it retries
  // 404, 429 and 5xx: azure-facts.md:27), so the acquisition fails at its first answer.
  const std::string text = steady("azure-identity-python") + "timeline:\n  - {at: 30s, update: {for: 75s}}\n";
  Simulation python(load_config(text));
  ASSERT_EQ(python.config().token_path.faults.at(0).status, 410);
  EXPECT_EQ(describe(python.config().token_path.faults.at(0)),
            "token endpoints (IMDS) updating (410) from 00:00:30.000 to 00:01:45.000");
  Attempts attempts;
  python.attach(attempts, TraceLevel::kRequests);
  python.advance(5 * kMinute);
  EXPECT_EQ(answered(attempts, 410), std::vector<SimTime>{kMinute});
  EXPECT_TRUE(answered(attempts, 404).empty());
  EXPECT_EQ(python.token_statistics().retries, 0U);
  EXPECT_EQ(python.token_statistics().failed_acquisitions, 1U);
}

TEST(EndpointUpdate, AnOverlapping410WindowAnswersBeforeA404One) {
  SimulationConfig config = load_config(steady("msal"));
  FaultConfig not_found = window(FaultConfig::Kind::kEndpointUpdate, 30 * kSecond, 105 * kSecond);
  not_found.status = 404;
  config.token_path.faults.push_back(not_found);
  config.token_path.faults.push_back(window(FaultConfig::Kind::kEndpointUpdate, 30 * kSecond, 65 * kSecond));
  EXPECT_EQ(describe(not_found), "token endpoints (IMDS) updating (404) from 00:00:30.000 to 00:01:45.000");
  Simulation sim(config);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.advance(5 * kMinute);
  // 410 at 1:00 (both windows); MSAL's 410 rule waits 10 s. At 1:10 only the 404 window is left:
  // 404, and MSAL's 404 rule goes on from its second retry (2 s, then 4 s), then gives up.
  EXPECT_EQ(answered(attempts, 410), std::vector<SimTime>{kMinute});
  const std::vector<SimTime> expected = {70 * kSecond, 72 * kSecond, 76 * kSecond};
  EXPECT_EQ(answered(attempts, 404), expected);
}

// ---- the timeline's faults, as the scenario language writes them --------------------------------

constexpr const char* kFaultEstate = R"(name: faults
duration: 2h
services:
  aad: {regions: [eu, us]}
topology:
  identities: [{name: app-id}]
  resources:
    - {name: web, type: vm, count: 3, user_assigned: [app-id]}
    - {name: vault, type: key_vault}
timeline:
)";

TEST(TimelineFaults, EveryKindIsWrittenInTheTimeline) {
  const std::string text = std::string(kFaultEstate) +
                           "  - {at: 10m, outage: {service: aad, region: eu, mode: timeouts, for: 5m}}\n"
                           "  - {at: 10m, outage: {service: imds, resource: web-1, for: 5m}}\n"
                           "  - {at: 10m, outage: {service: mirp, for: 5m}}\n"
                           "  - {at: 20m, degrade: {service: aad, latency_factor: 4, error_rate: 5%, for: 30m}}\n"
                           "  - {at: 30m, update: {resource: web, for: 70s}}\n"
                           "  - {at: 40m, update: {for: 10s}}\n"
                           "  - {at: 50m, cert_roll_failure: {identity: app-id, for: 5h}}\n";
  const SimulationConfig config = load_config(text);
  const std::vector<FaultConfig>& f = config.token_path.faults;
  ASSERT_EQ(f.size(), 7U);
  EXPECT_EQ(f[0].kind, FaultConfig::Kind::kAadOutage);
  EXPECT_TRUE(f[0].timeouts);
  EXPECT_EQ(f[0].region, "eu");
  EXPECT_EQ(f[1].kind, FaultConfig::Kind::kEndpointOutage);
  EXPECT_FALSE(f[1].timeouts);
  EXPECT_EQ(f[1].resources, std::vector<std::string>{"web-1"});
  EXPECT_EQ(f[2].kind, FaultConfig::Kind::kMirpOutage);
  EXPECT_EQ(f[3].kind, FaultConfig::Kind::kAadDegradation);
  EXPECT_EQ(f[3].latency_factor, 4.0);
  EXPECT_DOUBLE_EQ(f[3].error_rate, 0.05);
  EXPECT_EQ(f[4].kind, FaultConfig::Kind::kEndpointUpdate);
  EXPECT_EQ(f[4].resources, (std::vector<std::string>{"web-0", "web-1", "web-2"}));
  EXPECT_EQ(f[4].end - f[4].start, 70 * kSecond);
  EXPECT_TRUE(f[5].resources.empty());
  EXPECT_EQ(f[6].kind, FaultConfig::Kind::kCertificateRollFailure);
  EXPECT_EQ(f[6].identities, std::vector<std::string>{"app-id"});
  EXPECT_EQ(f[6].end, 2 * kHour);  // cut at the end of the run
  EXPECT_EQ(describe(f[1]), "token endpoints (IMDS) of web-1 down from 00:10:00.000 to 00:15:00.000");
  EXPECT_EQ(describe(f[6]), "certificate rolls of app-id failing from 00:50:00.000 to 02:00:00.000");
}

TEST(TimelineFaults, NamesAndRegionsAreCheckedWhereTheyAreWritten) {
  const auto error = [](const std::string& entry) {
    Result<Scenario> s = load_scenario_text(std::string(kFaultEstate) + entry, "test.yaml");
    return s.ok() ? std::string("loaded") : s.error().to_string();
  };
  EXPECT_EQ(error("  - {at: 10m, outage: {service: aad, region: asia, for: 5m}}\n"),
            "test.yaml:11:46: error: 'region' must be one of AAD's regions, 'eu' or 'us' (services: {aad: "
            "{regions: [...]}}), not 'asia'");
  EXPECT_EQ(error("  - {at: 10m, update: {resource: wb, for: 5m}}\n"),
            "test.yaml:11:34: error: timeline entry #1 'update' 'resource': no resource named 'wb' in the topology "
            "or the timeline (did you mean 'web'?)");
  EXPECT_EQ(error("  - {at: 10m, outage: {service: aad, resource: web-1, for: 5m}}\n"),
            "test.yaml:11:48: error: timeline entry #1 'outage' 'resource' names the hosts whose token endpoint "
            "(imds) fails; it does not go with service 'aad'");
  EXPECT_EQ(error("  - {at: 10m, degrade: {service: aad, for: 5m}}\n"),
            "test.yaml:11:24: error: timeline entry #1 'degrade' needs 'latency_factor' (e.g. 4), 'error_rate' (e.g. "
            "5%) or both");
  EXPECT_EQ(error("  - {at: 10m, degrade: {service: aad, error_rate: 120%, for: 5m}}\n"),
            "test.yaml:11:51: error: timeline entry #1 'degrade' 'error_rate': expected a share such as 5% or 0.05 "
            "(0% to 100%), got '120%'");
  // An identity the timeline creates later may be named.
  EXPECT_EQ(error("  - {at: 10m, cert_roll_failure: {identity: late-id, for: 5m}}\n"
                  "  - {at: 20m, create_user_assigned: {name: late-id}}\n"),
            "loaded");
}

// One VM calls every minute without any token cache, so each call asks AAD; two VMs for per-host faults.
constexpr const char* kTwoVms = R"(name: two-vms
duration: 1h
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: false}
  aad: {servers: 8, latency: {dist: constant, value: 40ms}}
topology:
  identities: [{name: app-id}]
  resources:
    - {name: vm, type: vm, count: 2, user_assigned: [app-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: app-id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {name: calls, from: vm, target: vault, rate: 1/min, arrivals: constant, client: none}
timeline:
  - {at: 10m, outage: {service: imds, resource: vm-1, for: 20m}}
)";

TEST(EndpointOutage, OnOneResourceFailsOnlyThatResourcesRequests) {
  Simulation sim(load_config(kTwoVms));
  struct PerHost : EventSink {
    void on_event(const TraceEvent& e) override {
      if (e.kind == EventKind::kAttempt) statuses[{e.resource, e.status}].push_back(e.time);
    }
    std::map<std::pair<std::uint32_t, int>, std::vector<SimTime>> statuses;
  } seen;
  sim.attach(seen, TraceLevel::kRequests);
  sim.run();
  const std::uint32_t vm0 = sim.directory().lookup_resource("vm-0")->index();
  const std::uint32_t vm1 = sim.directory().lookup_resource("vm-1")->index();
  EXPECT_EQ(seen.statuses.count(std::pair(vm0, 503)), 0U);
  EXPECT_EQ(seen.statuses[std::pair(vm0, 200)].size(), 59U);
  // vm-1 calls at 00:10 ... 00:29 into the outage: 20 calls answered 503 at once, no retries.
  const std::vector<SimTime>& down = seen.statuses[std::pair(vm1, 503)];
  ASSERT_EQ(down.size(), 20U);
  EXPECT_EQ(down.front(), 10 * kMinute);
  EXPECT_EQ(down.back(), 29 * kMinute);
  EXPECT_EQ(seen.statuses[std::pair(vm1, 200)].size(), 39U);
}

TEST(EndpointUpdate, OnOneResourceAnswers410OnlyThere) {
  std::string text = kTwoVms;
  text.replace(text.find("outage: {service: imds, resource: vm-1, for: 20m}"), 49,
               "update: {resource: vm-1, for: 20m}");
  Simulation sim(load_config(text));
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  EXPECT_EQ(sim.token_statistics().by_status.at(410), 20U);  // vm-1's calls at 00:10 ... 00:29
  EXPECT_EQ(sim.token_statistics().by_status.at(200), 59U + 39U);
}

TEST(EndpointOutage, InTimeoutModeLetsTheClientWaitItsRequestTimeout) {
  std::string text = kTwoVms;
  text.replace(text.find("resource: vm-1, for"), 19, "resource: vm-1, mode: timeouts, for");
  Simulation sim(load_config(text));
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  // The client (none: no retries) waits 30 s for each of vm-1's 20 calls in the window, then gives up.
  std::size_t timed_out = 0;
  for (const auto& a : attempts.list) {
    if (a.status != 408) continue;
    ++timed_out;
    EXPECT_EQ(a.latency, builtin_client_profile("none")->request_timeout);
  }
  EXPECT_EQ(timed_out, 20U);
  EXPECT_EQ(sim.token_statistics().by_status.count(503), 0U);
}

TEST(AadOutage, InTimeoutModeClientsWaitTheirRequestTimeoutAndRetry) {
  // MSAL caches; AAD answers nothing from 00:00:30 to 00:10:00. The first call at 00:01:00 waits
  // 30 s (msal's request timeout), counts 408, and retries 1, 2 and 4 s later (azure-facts.md:25).
  SimulationConfig config = load_config(steady("msal"));
  FaultConfig silent = window(FaultConfig::Kind::kAadOutage, 30 * kSecond, 10 * kMinute);
  silent.timeouts = true;
  config.token_path.faults.push_back(silent);
  Simulation sim(config);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  ASSERT_GE(attempts.list.size(), 5U);
  const SimTime timeout = builtin_client_profile("msal")->request_timeout;
  const SimTime sent[] = {kMinute, kMinute + timeout + kSecond, kMinute + 2 * timeout + 3 * kSecond,
                          kMinute + 3 * timeout + 7 * kSecond};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(attempts.list[i].status, 408) << "attempt " << i;
    EXPECT_EQ(attempts.list[i].time - attempts.list[i].latency, sent[i]) << "attempt " << i;
    EXPECT_EQ(attempts.list[i].latency, timeout) << "attempt " << i;
  }
  // MSAL gives up after three retries (calls meanwhile wait for it); the acquisitions started at
  // 1, 4 and 7 min fail so, and the one at 10 min, after the outage, gets its token.
  EXPECT_EQ(sim.token_statistics().by_status.at(408), 12U);
  EXPECT_EQ(attempts.list[12].status, 200);
  EXPECT_EQ(attempts.list[12].time, 10 * kMinute + 41 * kMillisecond);
}

// ---- certificates: a roll that fails long enough lets the certificate expire -------------------

// Short certificates (valid 10 h, rolled after 5 h, retried every 30 min) so that a day shows all.
constexpr const char* kCertificates = R"(name: certificates
duration: 24h
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: false}
  aad: {latency: {dist: constant, value: 40ms}, token_lifetime: 1h}
  mirp: {cert_validity: 10h, cert_roll_after: 5h, roll_retry_interval: 30m}
  propagation: {identity_replication: {dist: constant, value: 10s}, rbac_delay: {dist: constant, value: 1m}}
topology:
  resources:
    - {name: vm, type: vm}
    - {name: vault, type: key_vault}
workload:
  - {name: calls, from: vm, target: vault, rate: 1/min, arrivals: constant, client: none, start: 10m}
timeline:
  - {at: 0s, create_user_assigned: {name: app-id}}
  - {at: 0s, attach: {identity: app-id, to: vm}}
  - {at: 0s, assign: {principal: app-id, role: Key Vault Secrets User, scope: vault}}
)";

/// Each endpoint answer: its time and status.
struct Statuses : EventSink {
  void on_event(const TraceEvent& e) override {
    if (e.kind == EventKind::kAttempt) list.emplace_back(e.time, e.status);
    if (e.kind == EventKind::kCertificate) certificates.emplace_back(e.time, e.status);
  }
  std::vector<std::pair<SimTime, int>> list;
  std::vector<std::pair<SimTime, int>> certificates;
};

TEST(CertificateRoll, AFailureLongEnoughExpiresTheCertificateAndARollAfterItRecovers) {
  // Issued at 0 h (expires 10 h); the roll due at 5 h fails until the fault ends at 11:45, retried
  // every 30 min: the certificate expires at 10 h, AAD refuses the identity's tokens (401) from
  // then on, and the retry at 12:00 renews it.
  const std::string text =
      std::string(kCertificates) + "  - {at: 4h, cert_roll_failure: {identity: app-id, for: 465m}}\n";
  Simulation sim(load_config(text));
  Statuses seen;
  sim.attach(seen, TraceLevel::kRequests);
  sim.run();
  SimTime first_refused = kForever;
  SimTime last_refused = -1;
  for (const auto& [time, status] : seen.list) {
    if (status == 401) {
      first_refused = std::min(first_refused, time);
      last_refused = std::max(last_refused, time);
      EXPECT_GE(time, 10 * kHour);
      EXPECT_LT(time, 12 * kHour);
    } else {
      EXPECT_EQ(status, 200) << "at " << format_clock(time);
      EXPECT_TRUE(time < 10 * kHour || time > 12 * kHour) << "at " << format_clock(time);
    }
  }
  EXPECT_EQ(first_refused, 10 * kHour + 41 * kMillisecond);  // the call at 10:00, through IMDS and AAD
  EXPECT_EQ(last_refused, 11 * kHour + 59 * kMinute + 41 * kMillisecond);
  const TokenPathStatistics& stats = sim.token_statistics();
  EXPECT_EQ(stats.certificate_roll_failures, 14U);  // 05:00, 05:30, ..., 11:30
  EXPECT_EQ(stats.certificates_expired, 1U);
  EXPECT_EQ(stats.certificate_rolls, 3U);  // 12:00, then on schedule at 17:00 and 22:00
  EXPECT_EQ(stats.by_status.at(401), 120U);
  // The trace tells it: issued, 10 failed rolls, expired at 10:00, 4 more failed rolls, rolled at 12:00.
  ASSERT_GE(seen.certificates.size(), 17U);
  EXPECT_EQ(seen.certificates[0], std::make_pair(SimTime{0}, 1));
  EXPECT_EQ(seen.certificates[1], std::make_pair(5 * kHour, 3));
  EXPECT_EQ(seen.certificates[11], std::make_pair(10 * kHour, 0));
  EXPECT_EQ(seen.certificates[12], std::make_pair(10 * kHour, 3));
  EXPECT_EQ(seen.certificates[16], std::make_pair(12 * kHour, 2));
}

TEST(CertificateRoll, AShortFailureIsRetriedBeforeTheCertificateExpires) {
  const std::string text =
      std::string(kCertificates) + "  - {at: 4h, cert_roll_failure: {identity: app-id, for: 2h}}\n";
  Simulation sim(load_config(text));
  sim.run();
  const TokenPathStatistics& stats = sim.token_statistics();
  EXPECT_EQ(stats.certificate_roll_failures, 2U);  // 05:00 and 05:30; the retry at 06:00 succeeds
  EXPECT_EQ(stats.certificates_expired, 0U);
  EXPECT_EQ(stats.by_status.count(401), 0U);
  EXPECT_EQ(stats.certificate_rolls, 4U);  // 06:00, 11:00, 16:00, 21:00
}

TEST(MirpOutage, AnIdentityCreatedDuringItIsUnknownUntilMirpIssuesItsCertificate) {
  // MIRP is down from 0 h to 2 h, so the identity created at 00:30 gets its certificate at 2 h and
  // reaches the endpoints 10 s later; until then IMDS answers 400 "Identity not found".
  std::string text = kCertificates;
  for (std::size_t at = text.find("{at: 0s,"); at != std::string::npos; at = text.find("{at: 0s,", at)) {
    text.replace(at, 8, "{at: 30m,");
  }
  text += "  - {at: 0s, outage: {service: mirp, for: 2h}}\n";
  Simulation sim(load_config(text));
  Statuses seen;
  sim.attach(seen, TraceLevel::kRequests);
  sim.advance(3 * kHour);
  ASSERT_FALSE(seen.certificates.empty());
  EXPECT_EQ(seen.certificates.front(), std::make_pair(2 * kHour, 1));
  for (const auto& [time, status] : seen.list) {
    EXPECT_EQ(status, time < 2 * kHour + 10 * kSecond ? 400 : 200) << "at " << format_clock(time);
  }
  EXPECT_EQ(sim.token_statistics().certificates_issued, 1U);
}

}  // namespace
}  // namespace misim
