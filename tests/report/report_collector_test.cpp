// ReportCollector: events land in the right time buckets, per-bucket percentiles and counts come
// out as fed, access pairs and lifecycle markers are tracked, memory stays bounded, and the hot
// events allocate nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "allocation_counter.hpp"
#include "misim/report.hpp"
#include "synthetic_fleet.hpp"

namespace misim {
namespace {

// 300 one-minute buckets over a 5-hour run.
RunInfo five_hours() {
  RunInfo run;
  run.duration = 5 * kHour;
  run.sample_interval = kMinute;
  run.stations = {{"imds", "endpoint", 50}, {"aad.eastus", "aad", 8}, {"checkout", "stage", 2}};
  run.operations = {"delete web-id"};
  run.faults = {"aad outage for 30m"};
  return run;
}

TraceEvent event(EventKind kind, SimTime time) {
  TraceEvent e;
  e.kind = kind;
  e.time = time;
  return e;
}

TraceEvent attempt(SimTime time, std::uint16_t status, bool cache_hit = false) {
  TraceEvent e = event(EventKind::kAttempt, time);
  e.begin = time - 2 * kMillisecond;
  e.station = 0;
  e.status = status;
  e.flags = cache_hit ? kFlagCacheHit : 0;
  return e;
}

TraceEvent access_change(SimTime time, std::uint32_t resource, std::uint16_t outcome) {
  TraceEvent e = event(EventKind::kAccessChange, time);
  e.resource = resource;
  e.target = 100;
  e.status = outcome;
  return e;
}

std::uint64_t count(const ReportCollector& c, std::size_t bucket, RequestOutcome o) {
  return c.outcomes()[bucket][static_cast<std::size_t>(o)];
}

TEST(ReportCollector, SplitsTheRunIntoRoundBucketsOfAClock) {
  ReportCollector c;
  c.on_begin(five_hours());
  EXPECT_EQ(c.bucket_count(), 300u);
  EXPECT_EQ(c.bucket_width(), kMinute);

  // 14 hours in at most 300 buckets: 168 s is rounded up to 3 minutes, so 280 buckets.
  RunInfo long_run = five_hours();
  long_run.duration = 14 * kHour;
  ReportCollector d;
  d.on_begin(long_run);
  EXPECT_EQ(d.bucket_width(), 3 * kMinute);
  EXPECT_EQ(d.bucket_count(), 280u);
}

TEST(ReportCollector, PutsAnInstantInTheBucketThatHoldsIt) {
  ReportCollector c;
  c.on_begin(five_hours());
  EXPECT_EQ(c.bucket_of(0), 0u);
  EXPECT_EQ(c.bucket_of(2 * kMinute - 1), 1u);
  EXPECT_EQ(c.bucket_of(2 * kMinute), 2u);
  EXPECT_EQ(c.bucket_of(5 * kHour), 299u);  // the end falls in the last bucket
  EXPECT_EQ(c.bucket_of(9 * kHour), 299u);  // and so does anything after it
  EXPECT_EQ(c.bucket_of(-kSecond), 0u);

  // Events out of order (a span ending before one that began earlier) still land right.
  c.on_event(attempt(7 * kMinute + kSecond, 200));
  c.on_event(attempt(3 * kMinute, 200));
  c.on_event(attempt(7 * kMinute + 2 * kSecond, 200));
  EXPECT_EQ(count(c, 7, RequestOutcome::k200), 2u);
  EXPECT_EQ(count(c, 3, RequestOutcome::k200), 1u);
}

TEST(ReportCollector, CountsAnswersByStatusAndCallsByOutcomePerBucket) {
  ReportCollector c;
  c.on_begin(five_hours());
  const SimTime t = 7 * kMinute + 30 * kSecond;
  for (int i = 0; i < 3; ++i) c.on_event(attempt(t, 200));
  c.on_event(attempt(t, 200, true));
  for (int i = 0; i < 2; ++i) c.on_event(attempt(t, 429));
  c.on_event(attempt(t, 503));
  c.on_event(attempt(t, 404));
  c.on_event(attempt(t, 302));
  TraceEvent cached = event(EventKind::kCall, t);
  cached.count = 5;
  cached.flags = kFlagCacheHit;
  c.on_event(cached);
  TraceEvent fresh = event(EventKind::kCall, t);
  fresh.count = 2;
  c.on_event(fresh);
  TraceEvent denied = event(EventKind::kCall, t);
  denied.count = 4;
  denied.status = 4;  // no role assignment
  denied.flags = kFlagCacheHit;
  c.on_event(denied);

  EXPECT_EQ(count(c, 7, RequestOutcome::k200), 3u);
  EXPECT_EQ(count(c, 7, RequestOutcome::k200Cached), 1u);
  EXPECT_EQ(count(c, 7, RequestOutcome::k429), 2u);
  EXPECT_EQ(count(c, 7, RequestOutcome::k5xx), 1u);
  EXPECT_EQ(count(c, 7, RequestOutcome::k404), 1u);
  EXPECT_EQ(count(c, 7, RequestOutcome::kOtherStatus), 1u);
  EXPECT_EQ(count(c, 7, RequestOutcome::kCallCached), 5u);
  EXPECT_EQ(count(c, 7, RequestOutcome::kCallGranted), 2u);
  EXPECT_EQ(count(c, 7, RequestOutcome::kCallDenied), 4u);
  EXPECT_EQ(count(c, 6, RequestOutcome::k200), 0u);
  EXPECT_EQ(c.outcome_total(RequestOutcome::k200), 3u);
}

TEST(ReportCollector, CountsAPlainStageServedAs200AndTurnedAwayAs5xx) {
  ReportCollector c;
  c.on_begin(five_hours());
  TraceEvent visit = event(EventKind::kStationVisit, 10 * kMinute);
  visit.station = 2;
  visit.begin = 10 * kMinute - 40 * kMillisecond;
  visit.flags = kFlagCustomer;
  c.on_event(visit);
  TraceEvent rejected = event(EventKind::kRejected, 10 * kMinute);
  rejected.station = 2;
  rejected.flags = kFlagCustomer;
  c.on_event(rejected);
  // A plain workload sent straight to AAD (`stage: aad`) counts too.
  visit.station = 1;
  c.on_event(visit);
  // AAD's visits and rejections within a token request's attempt are counted with the attempt.
  visit.flags = rejected.flags = 0;
  c.on_event(visit);
  rejected.station = 1;
  c.on_event(rejected);
  EXPECT_EQ(count(c, 10, RequestOutcome::k200), 2u);
  EXPECT_EQ(count(c, 10, RequestOutcome::k5xx), 1u);
}

TEST(ReportCollector, GivesPercentilesPerBucketPerStage) {
  ReportCollector c;
  c.on_begin(five_hours());
  // Bucket 5: acquisitions of 1..100 ms; bucket 6: 100 of 300 ms.
  for (int ms = 1; ms <= 100; ++ms) {
    TraceEvent r = event(EventKind::kTokenRequest, 5 * kMinute + ms * kMillisecond);
    r.begin = r.time - ms * kMillisecond;
    c.on_event(r);
    r.time = 6 * kMinute;
    r.begin = r.time - 300 * kMillisecond;
    c.on_event(r);
  }
  // AAD visits go to AAD's series, attempts to the endpoint's.
  TraceEvent visit = event(EventKind::kStationVisit, 5 * kMinute);
  visit.station = 1;
  visit.begin = visit.time - 80 * kMillisecond;
  c.on_event(visit);
  c.on_event(attempt(5 * kMinute, 200));

  const Histogram& b5 = c.acquisition_latency().buckets[5];
  EXPECT_EQ(b5.count(), 100u);
  EXPECT_NEAR(b5.percentile(0.50), 50e6, 50e6 * 0.01);
  EXPECT_NEAR(b5.percentile(0.90), 90e6, 90e6 * 0.01);
  EXPECT_NEAR(b5.percentile(0.99), 99e6, 99e6 * 0.01);
  EXPECT_NEAR(c.acquisition_latency().buckets[6].percentile(0.5), 300e6, 300e6 * 0.01);
  EXPECT_EQ(c.acquisition_latency().buckets[4].count(), 0u);

  ASSERT_NE(c.station_latency(1), nullptr);
  EXPECT_EQ(c.station_latency(1)->role, "aad");
  EXPECT_NEAR(c.station_latency(1)->buckets[5].percentile(0.5), 80e6, 80e6 * 0.01);
  ASSERT_NE(c.station_latency(0), nullptr);
  EXPECT_NEAR(c.station_latency(0)->buckets[5].percentile(0.5), 2e6, 2e6 * 0.01);
  EXPECT_EQ(c.station_latency(2), nullptr);  // no visit to the plain stage
}

TEST(ReportCollector, FoldsSamplesIntoTheBucketOfTheIntervalTheyDescribe) {
  ReportCollector c;
  c.on_begin(five_hours());
  // A sample at 02:00 describes 01:00-02:00 (the sample interval is a minute): bucket 1.
  TraceEvent s = event(EventKind::kSample, 2 * kMinute);
  s.station = 1;
  s.count = 6;
  s.busy = 8;
  s.value = 1.0;
  c.on_event(s);
  s.time = 3 * kMinute;
  s.count = 2;
  s.value = 0.5;
  c.on_event(s);
  const StationSeries::Bucket& b1 = c.stations()[1].buckets[1];
  EXPECT_EQ(b1.samples, 1u);
  EXPECT_EQ(b1.waiting, 6.0);
  EXPECT_EQ(b1.max_waiting, 6u);
  EXPECT_EQ(b1.utilisation, 1.0);
  EXPECT_EQ(c.stations()[1].buckets[2].waiting, 2.0);

  TraceEvent totals = event(EventKind::kStationTotals, 5 * kHour);
  totals.station = 1;
  totals.request = 1200;
  totals.service_start = 1190;
  totals.begin = 10;
  totals.value = 0.75;
  c.on_event(totals);
  EXPECT_TRUE(c.stations()[1].has_totals);
  EXPECT_EQ(c.stations()[1].arrivals, 1200u);
  EXPECT_EQ(c.stations()[1].completed, 1190u);
  EXPECT_EQ(c.stations()[1].rejected, 10u);
}

TEST(ReportCollector, TracksEachPairsAccessAndCountsPairsByStateOverTime) {
  ReportCollector c;
  c.on_begin(five_hours());
  c.on_event(access_change(5 * kMinute, 2, 0));   // pair 2 granted throughout
  c.on_event(access_change(10 * kMinute, 1, 0));  // pair 1 granted,
  c.on_event(access_change(20 * kMinute, 1, 1));  // denied (no token),
  c.on_event(access_change(20 * kMinute, 1, 1));  // (no change)
  c.on_event(access_change(30 * kMinute, 1, 0));  // granted again
  c.on_end(60 * kMinute, false);

  ASSERT_EQ(c.access_pairs().size(), 2u);
  EXPECT_EQ(c.pairs_with_denials(), 1u);
  const AccessPairTrack& p = c.access_pairs()[1];
  EXPECT_EQ(p.resource, 1u);
  EXPECT_EQ(p.first_denied, 20 * kMinute);
  EXPECT_EQ(p.first_denial, 1);
  EXPECT_EQ(p.changes, 2u);
  ASSERT_NE(p.detail, UINT32_MAX);
  const std::vector<AccessSegment>& s = c.access_segments()[p.detail];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].begin, 10 * kMinute);
  EXPECT_EQ(s[0].end, 20 * kMinute);
  EXPECT_EQ(s[0].outcome, 0);
  EXPECT_EQ(s[1].outcome, 1);
  EXPECT_EQ(s[1].end, 30 * kMinute);
  EXPECT_EQ(s[2].begin, 30 * kMinute);
  EXPECT_EQ(s[2].end, 60 * kMinute);
  EXPECT_EQ(c.access_pairs()[0].detail, UINT32_MAX);  // never denied: no history kept

  EXPECT_EQ(c.pairs_granted()[4], 0u);
  EXPECT_EQ(c.pairs_granted()[5], 1u);
  EXPECT_EQ(c.pairs_granted()[15], 2u);
  EXPECT_EQ(c.pairs_granted()[25], 1u);
  EXPECT_EQ(c.pairs_denied()[25], 1u);
  EXPECT_EQ(c.pairs_denied_peak()[29], 1u);
  EXPECT_EQ(c.pairs_denied()[30], 0u);
  EXPECT_EQ(c.pairs_denied_peak()[30], 1u);  // denied at the bucket's start
  EXPECT_EQ(c.pairs_granted()[200], 2u);
}

TEST(ReportCollector, KeepsTheHistoryOfOnlyTheFirstDeniedPairs) {
  ReportCollector c({.buckets = 300, .detailed_pairs = 2});
  c.on_begin(five_hours());
  for (std::uint32_t r = 0; r < 5; ++r) c.on_event(access_change(kMinute, r, 0));
  for (std::uint32_t r = 0; r < 5; ++r) c.on_event(access_change(kMinute * (10 + r), r, 4));
  c.on_end(5 * kHour, false);
  EXPECT_EQ(c.pairs_with_denials(), 5u);
  EXPECT_EQ(c.access_segments().size(), 2u);
  EXPECT_NE(c.access_pairs()[0].detail, UINT32_MAX);
  EXPECT_NE(c.access_pairs()[1].detail, UINT32_MAX);
  EXPECT_EQ(c.access_pairs()[2].detail, UINT32_MAX);
  EXPECT_EQ(c.access_pairs()[4].first_denied, 14 * kMinute);
  EXPECT_EQ(c.pairs_denied()[14], 5u);
}

TEST(ReportCollector, KeepsAFlappingPairsOutcomesPerBucketPastItsSegments) {
  ReportCollector c({.buckets = 300, .detailed_pairs = 50, .segments_per_pair = 4});
  c.on_begin(five_hours());
  // Denied for 10 s every minute from 01:00 to 02:00, then granted for good.
  c.on_event(access_change(0, 1, 0));
  for (SimTime m = 60; m < 120; ++m) {
    c.on_event(access_change(m * kMinute, 1, 1));
    c.on_event(access_change(m * kMinute + 10 * kSecond, 1, 0));
  }
  c.on_end(5 * kHour, false);
  const AccessPairTrack& p = c.access_pairs()[0];
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.changes, 120u);
  const std::vector<std::uint8_t>& bits = c.access_bits()[p.detail];
  EXPECT_EQ(bits[30], 0b01);  // granted only
  EXPECT_EQ(bits[60], 0b11);  // granted and denied (no token) within the minute
  EXPECT_EQ(bits[119], 0b11);
  EXPECT_EQ(bits[120], 0b01);
  EXPECT_EQ(bits[299], 0b01);  // until the end
}

TEST(ReportCollector, KeepsOperationsAndFaultWindowsAsMarkers) {
  ReportCollector c;
  c.on_begin(five_hours());
  TraceEvent op = event(EventKind::kOperation, 15 * kMinute);
  op.status = 1;
  c.on_event(op);
  TraceEvent fault = event(EventKind::kFault, 20 * kMinute);
  fault.status = 1;
  fault.station = 1;
  c.on_event(fault);
  fault.time = 50 * kMinute;
  fault.status = 0;
  c.on_event(fault);
  TraceEvent refused = event(EventKind::kOperation, 70 * kMinute);
  refused.status = 0;
  c.on_event(refused);
  fault.time = 80 * kMinute;  // opens again and is still open at the end
  fault.status = 1;
  c.on_event(fault);
  c.on_end(5 * kHour, false);

  ASSERT_EQ(c.markers().size(), 4u);
  EXPECT_EQ(c.markers()[0].kind, LifecycleMarker::Kind::kOperation);
  EXPECT_TRUE(c.markers()[0].applied);
  EXPECT_EQ(c.markers()[1].kind, LifecycleMarker::Kind::kFault);
  EXPECT_EQ(c.markers()[1].begin, 20 * kMinute);
  EXPECT_EQ(c.markers()[1].end, 50 * kMinute);
  EXPECT_FALSE(c.markers()[2].applied);
  EXPECT_EQ(c.markers()[3].end, 5 * kHour);
}

TEST(ReportCollector, KeepsNamesUpToItsBoundAndCountsEveryType) {
  ReportCollector c({.buckets = 300, .detailed_pairs = 50, .segments_per_pair = 256, .named_entities = 100});
  c.on_begin(five_hours());
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const std::string name = "web-" + std::to_string(i);
    c.on_entity({EntityKind::kResource, i, "vm", name, 0});
  }
  c.on_entity({EntityKind::kResource, 1000, "key_vault", "vault", 0});
  EXPECT_EQ(c.entity_name(EntityKind::kResource, 42), "web-42");
  EXPECT_EQ(c.entity_name(EntityKind::kResource, 500), "");
  EXPECT_EQ(c.entity_name(EntityKind::kIdentity, 0), "");
  const auto& types = c.entity_types();
  EXPECT_EQ(types.at({EntityKind::kResource, "vm"}), 1000u);
  EXPECT_EQ(types.at({EntityKind::kResource, "key_vault"}), 1u);
}

TEST(ReportCollector, AllocatesNothingForCallsSamplesAndCacheHits) {
  ReportCollector c;
  c.on_begin(five_hours());
  TraceEvent call = event(EventKind::kCall, 0);
  call.count = 1;
  call.flags = kFlagCacheHit;
  TraceEvent sample = event(EventKind::kSample, 0);
  sample.station = 1;
  const counting::AllocationCount before = counting::allocation_count();
  for (SimTime t = 0; t < 5 * kHour; t += kSecond) {
    call.time = t;
    c.on_event(call);
    if (t % kMinute == 0) {
      sample.time = t;
      c.on_event(sample);
    }
  }
  const counting::AllocationCount made = counting::allocation_count() - before;
  EXPECT_EQ(made.allocations, 0u);
  EXPECT_EQ(c.outcome_total(RequestOutcome::kCallCached), 5u * 3600u);
}

/// Keeps every event, to replay a run into a collector without the cost of making it.
class EventRecording : public EventSink {
 public:
  void on_begin(const RunInfo& run) override { run_ = run; }
  void on_event(const TraceEvent& e) override { events_.push_back(e); }
  void on_end(SimTime now, bool) override { end_ = now; }

  /// Replays into `sink` (on_begin, the events, on_end) and returns the seconds it took.
  double replay(EventSink& sink) const {
    const auto start = std::chrono::steady_clock::now();
    sink.on_begin(run_);
    for (const TraceEvent& e : events_) sink.on_event(e);
    sink.on_end(end_, false);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  /// Replays the events only (into a sink that has seen them once: its series have their size).
  double replay_events(EventSink& sink) const {
    const auto start = std::chrono::steady_clock::now();
    for (const TraceEvent& e : events_) sink.on_event(e);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  [[nodiscard]] std::size_t size() const { return events_.size(); }

 private:
  RunInfo run_;
  std::vector<TraceEvent> events_;
  SimTime end_ = 0;
};

TEST(ReportCollector, FoldsAFleetRunInAFewNanosecondsAnEvent) {
  const testing::SyntheticFleet fleet{.vms = 2000, .denied = 100};
  EventRecording recording;
  testing::feed_synthetic_fleet(recording, fleet);
  ReportCollector c;
  const double first = recording.replay(c);
  EXPECT_EQ(c.events(), recording.size());
  EXPECT_EQ(c.access_pairs().size(), fleet.vms);
  EXPECT_EQ(c.pairs_with_denials(), fleet.denied);
  EXPECT_EQ(c.markers().size(), 3u);
  // Once the series have grown to the run's range, an event costs what it costs all run long.
  constexpr int kPasses = 5;
  double steady = 0;
  for (int pass = 0; pass < kPasses; ++pass) steady += recording.replay_events(c);
  const auto events = static_cast<double>(recording.size());
  const double ns_per_event = steady * 1e9 / (events * kPasses);
  std::printf(
      "collector: %zu events of a synthetic fleet run (calls, token requests, attempts, AAD visits, "
      "samples, access changes): %.1f ns/event, %.1f ns/event in the first pass (series growing)\n",
      recording.size(), ns_per_event, first * 1e9 / events);
  RecordProperty("ns_per_event", std::to_string(ns_per_event));

  // Calls served from the SDK's cache dominate a fleet run; a few thousand of them (in cache, so
  // this measures the collector, not memory) over and over.
  std::vector<TraceEvent> calls;
  for (SimTime t = 0; t < fleet.duration; t += fleet.duration / 4096) {
    TraceEvent e = event(EventKind::kCall, t);
    e.count = 1;
    e.flags = kFlagCacheHit;
    calls.push_back(e);
  }
  EventSink& sink = c;
  constexpr int kCallPasses = 1000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < kCallPasses; ++pass) {
    for (const TraceEvent& e : calls) sink.on_event(e);
  }
  const double call_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double ns_per_call = call_seconds * 1e9 / static_cast<double>(calls.size() * kCallPasses);
  std::printf("collector: %.2f ns per call event (%zu events)\n", ns_per_call, calls.size() * kCallPasses);
  RecordProperty("ns_per_call_event", std::to_string(ns_per_call));
}

}  // namespace
}  // namespace misim
