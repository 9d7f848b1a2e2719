// ReportCollector: the run's events folded into time buckets for report.html (misim/report.hpp).
//
// Everything that grows is sized in on_begin (buckets, stations) or grows with lifecycle events
// (access pairs, markers, names), so on_event for calls, attempts and samples allocates nothing.
#include <algorithm>

#include "misim/report.hpp"

namespace misim {

namespace {

// What a station is to the report, from StationInfo::role.
enum StationRole : std::uint8_t {
  kRoleEndpoint,  // latency and answers come from kAttempt, not from its visits
  kRoleAad,
  kRolePlainStage,  // a plain stage's customers are requests: served (200) or turned away (503)
  kRoleOther,       // e.g. MIRP: latency from visits, but its visits are not requests
};

StationRole role_of(const std::string& role) {
  if (role == "endpoint") return kRoleEndpoint;
  if (role == "aad") return kRoleAad;
  if (role == "stage") return kRolePlainStage;
  return kRoleOther;
}

RequestOutcome outcome_of_status(std::uint16_t status, bool cache_hit) {
  switch (status) {
    case 200:
      return cache_hit ? RequestOutcome::k200Cached : RequestOutcome::k200;
    case 400:
      return RequestOutcome::k400;
    case 401:
      return RequestOutcome::k401;
    case 404:
      return RequestOutcome::k404;
    case 410:
      return RequestOutcome::k410;
    case 429:
      return RequestOutcome::k429;
    default:
      return status >= 500 && status < 600 ? RequestOutcome::k5xx : RequestOutcome::kOtherStatus;
  }
}

constexpr std::uint8_t kGranted = 0;  // AccessOutcome::kGranted

/// The smallest round width at or above `width`, so buckets start at clock readings (12:03, not
/// 12:02:48): 1, 2, 5 times a power of ten below a second, then steps of a clock.
SimTime round_bucket_width(SimTime width) {
  constexpr SimTime kClockSteps[] = {kSecond,      2 * kSecond,  3 * kSecond,  4 * kSecond,  5 * kSecond,  6 * kSecond,
                                     10 * kSecond, 12 * kSecond, 15 * kSecond, 20 * kSecond, 30 * kSecond, kMinute,
                                     2 * kMinute,  3 * kMinute,  4 * kMinute,  5 * kMinute,  6 * kMinute,  10 * kMinute,
                                     12 * kMinute, 15 * kMinute, 20 * kMinute, 30 * kMinute, kHour,        2 * kHour,
                                     3 * kHour,    4 * kHour,    6 * kHour,    8 * kHour,    12 * kHour,   kDay};
  if (width <= 1) return 1;
  if (width < kSecond) {
    for (SimTime decade = 1;; decade *= 10) {
      for (SimTime m : {1, 2, 5}) {
        if (m * decade >= width) return m * decade;
      }
    }
  }
  for (SimTime step : kClockSteps) {
    if (step >= width) return step;
  }
  return (width + kDay - 1) / kDay * kDay;
}

}  // namespace

std::string_view to_string(RequestOutcome outcome) noexcept {
  switch (outcome) {
    case RequestOutcome::k200:
      return "200 from the service";
    case RequestOutcome::k200Cached:
      return "200 from the endpoint's cache";
    case RequestOutcome::k400:
      return "400";
    case RequestOutcome::k401:
      return "401";
    case RequestOutcome::k404:
      return "404";
    case RequestOutcome::k410:
      return "410";
    case RequestOutcome::k429:
      return "429";
    case RequestOutcome::k5xx:
      return "5xx";
    case RequestOutcome::kOtherStatus:
      return "other";
    case RequestOutcome::kCallCached:
      return "granted, token from the SDK cache";
    case RequestOutcome::kCallGranted:
      return "granted, new token";
    case RequestOutcome::kCallDenied:
      return "denied";
  }
  return "unknown";
}

ReportCollector::ReportCollector(ReportCollectorOptions options) : options_(options) {
  options_.buckets = std::max<std::size_t>(options_.buckets, 1);
}

void ReportCollector::on_begin(const RunInfo& run) {
  run_ = run;
  // A run without a duration (or "until the queue empties") still gets buckets: an hour's worth,
  // the last one taking everything after.
  const SimTime span = run.duration > 0 && run.duration != kForever ? run.duration : kHour;
  bucket_width_ =
      round_bucket_width((span + static_cast<SimTime>(options_.buckets) - 1) / static_cast<SimTime>(options_.buckets));
  bucket_count_ = static_cast<std::size_t>((span + bucket_width_ - 1) / bucket_width_);
  current_ = 0;
  current_begin_ = INT64_MIN;
  current_end_ = bucket_width_;

  latency_.assign(1, LatencySeries{"token acquisition", "acquisition", std::vector<Histogram>(bucket_count_)});
  station_series_.assign(run.stations.size(), 0);
  station_role_.resize(run.stations.size());
  for (std::size_t s = 0; s < run.stations.size(); ++s) station_role_[s] = role_of(run.stations[s].role);
  outcomes_.assign(bucket_count_, {});
  stations_.assign(run.stations.size(), StationSeries{});
  for (StationSeries& s : stations_) s.buckets.assign(bucket_count_, {});

  pairs_.clear();
  pair_index_.clear();
  segments_.clear();
  bits_.clear();
  granted_delta_.assign(bucket_count_, 0);
  denied_delta_.assign(bucket_count_, 0);
  pairs_granted_.assign(bucket_count_, 0);
  pairs_denied_.assign(bucket_count_, 0);
  pairs_denied_peak_.assign(bucket_count_, 0);
  markers_.clear();
  open_faults_.assign(run.faults.size(), 0);
  propagation_.assign(bucket_count_, 0);
}

std::size_t ReportCollector::bucket_of(SimTime t) const noexcept {
  if (t <= 0 || bucket_count_ == 0) return 0;
  return std::min(static_cast<std::size_t>(t / bucket_width_), bucket_count_ - 1);
}

std::size_t ReportCollector::move_to_bucket(SimTime t) noexcept {
  current_ = bucket_of(t);
  current_begin_ = current_ == 0 ? INT64_MIN : static_cast<SimTime>(current_) * bucket_width_;
  current_end_ = current_ + 1 == bucket_count_ ? INT64_MAX : static_cast<SimTime>(current_ + 1) * bucket_width_;
  return current_;
}

void ReportCollector::on_entity(const EntityInfo& entity) {
  const auto kind = static_cast<std::size_t>(entity.kind);
  if (kind < names_.size() && entity.index < options_.named_entities) {
    auto& names = names_[kind];
    if (names.size() <= entity.index) names.resize(entity.index + 1, {0, 0});
    names[entity.index] = {static_cast<std::uint32_t>(name_arena_.size()),
                           static_cast<std::uint32_t>(entity.name.size())};
    name_arena_.append(entity.name);
  }
  // Entities come in runs of one type (a template's instances): skip the map while it repeats.
  if (last_type_count_ == nullptr || last_type_.first != entity.kind || last_type_.second != entity.type) {
    last_type_ = {entity.kind, std::string(entity.type)};
    last_type_count_ = &entity_types_[last_type_];
  }
  ++*last_type_count_;
}

std::string_view ReportCollector::entity_name(EntityKind kind, std::uint32_t index) const noexcept {
  const auto k = static_cast<std::size_t>(kind);
  if (k >= names_.size() || index >= names_[k].size()) return {};
  const auto [offset, length] = names_[k][index];
  const std::string_view arena = name_arena_;
  return arena.substr(offset, length);
}

void ReportCollector::record_latency(std::uint16_t station, std::size_t bucket, SimTime latency) {
  if (station >= station_series_.size()) return;
  std::uint16_t& series = station_series_[station];
  if (series == 0) {
    // Once per station: the series appears with its first event.
    series = static_cast<std::uint16_t>(latency_.size());
    const StationInfo& info = run_.stations[station];
    latency_.push_back(LatencySeries{info.name, info.role, std::vector<Histogram>(bucket_count_)});
  }
  latency_[series].buckets[bucket].record(static_cast<double>(latency));
}

const LatencySeries* ReportCollector::station_latency(std::uint16_t station) const noexcept {
  if (station >= station_series_.size() || station_series_[station] == 0) return nullptr;
  return &latency_[station_series_[station]];
}

void ReportCollector::on_event(const TraceEvent& event) {
  if (bucket_count_ == 0) return;  // no on_begin: nothing to fold into
  ++events_;
  switch (event.kind) {
    case EventKind::kCall: {
      const std::size_t b = bucket_for(event.time);
      const RequestOutcome o = event.status != kGranted             ? RequestOutcome::kCallDenied
                               : (event.flags & kFlagCacheHit) != 0 ? RequestOutcome::kCallCached
                                                                    : RequestOutcome::kCallGranted;
      outcomes_[b][static_cast<std::size_t>(o)] += event.count != 0 ? event.count : 1;
      break;
    }
    case EventKind::kAttempt: {
      const std::size_t b = bucket_for(event.time);
      const bool cache_hit = (event.flags & kFlagCacheHit) != 0;
      ++outcomes_[b][static_cast<std::size_t>(outcome_of_status(event.status, cache_hit))];
      record_latency(event.station, b, event.time - event.begin);
      break;
    }
    case EventKind::kTokenRequest: {
      const std::size_t b = bucket_for(event.time);
      latency_.front().buckets[b].record(static_cast<double>(event.time - event.begin));
      break;
    }
    case EventKind::kStationVisit: {
      if (event.station >= station_role_.size()) break;
      const auto role = static_cast<StationRole>(station_role_[event.station]);
      if (role == kRoleEndpoint) break;  // its attempts carry the latency
      const std::size_t b = bucket_for(event.time);
      record_latency(event.station, b, event.time - event.begin);
      // A plain workload's customer is a request of its own (also when its stage is AAD's).
      if (role == kRolePlainStage || (event.flags & kFlagCustomer) != 0) {
        ++outcomes_[b][static_cast<std::size_t>(RequestOutcome::k200)];
      }
      break;
    }
    case EventKind::kRejected: {
      if ((event.flags & kFlagCustomer) == 0) break;  // a token request's rejection shows in its attempt
      ++outcomes_[bucket_for(event.time)][static_cast<std::size_t>(RequestOutcome::k5xx)];
      break;
    }
    case EventKind::kSample: {
      if (event.station >= stations_.size()) break;
      // A sample describes the interval that just ended: file it under the interval's middle.
      const std::size_t b = bucket_of(event.time - run_.sample_interval / 2);
      StationSeries::Bucket& s = stations_[event.station].buckets[b];
      ++s.samples;
      s.waiting += event.count;
      s.max_waiting = std::max(s.max_waiting, event.count);
      s.busy += event.busy;
      s.utilisation += event.value;
      break;
    }
    case EventKind::kStationTotals: {
      if (event.station >= stations_.size()) break;
      StationSeries& s = stations_[event.station];
      s.has_totals = true;
      s.arrivals = event.request;
      s.completed = static_cast<std::uint64_t>(event.service_start);
      s.rejected = static_cast<std::uint64_t>(event.begin);
      s.utilisation = event.value;
      break;
    }
    case EventKind::kAccessChange:
      on_access_change(event);
      break;
    case EventKind::kOperation:
    case EventKind::kFault:
      on_marker(event);
      break;
    case EventKind::kRoleVisibility:
    case EventKind::kIdentityReplicated:
    case EventKind::kCertificate:
      ++propagation_[bucket_for(event.time)];
      break;
  }
}

void ReportCollector::count_pair_state(std::size_t bucket, std::uint8_t from, std::uint8_t to, bool first) {
  if (!first) {
    if (from == kGranted) {
      --granted_delta_[bucket];
      --granted_now_;
    } else {
      --denied_delta_[bucket];
      --denied_now_;
    }
  }
  if (to == kGranted) {
    ++granted_delta_[bucket];
    ++granted_now_;
  } else {
    ++denied_delta_[bucket];
    ++denied_now_;
  }
  pairs_denied_peak_[bucket] = std::max(pairs_denied_peak_[bucket], denied_now_);
}

void ReportCollector::on_access_change(const TraceEvent& event) {
  const std::size_t b = bucket_for(event.time);
  const auto outcome = static_cast<std::uint8_t>(event.status);
  const std::uint64_t key = static_cast<std::uint64_t>(event.resource) << 32 | event.target;
  const auto [pair, inserted] = pair_index_.find_or_add(key, static_cast<std::uint32_t>(pairs_.size()));
  if (inserted) {
    AccessPairTrack p;
    p.resource = event.resource;
    p.target = event.target;
    p.first_seen = p.state_since = event.time;
    p.state = outcome;
    pairs_.push_back(p);
    count_pair_state(b, 0, outcome, true);
  } else {
    AccessPairTrack& p = pairs_[pair];
    if (p.state == outcome) return;
    count_pair_state(b, p.state, outcome, false);
    if (p.detail != UINT32_MAX) {
      mark_outcome(p.detail, p.state_since, event.time, p.state);
      if (segments_[p.detail].size() < options_.segments_per_pair) {
        segments_[p.detail].push_back({p.state_since, event.time, p.state});
      } else {
        p.truncated = true;
      }
    }
    p.state = outcome;
    p.state_since = event.time;
    ++p.changes;
  }
  AccessPairTrack& p = pairs_[pair];
  if (outcome == kGranted || p.first_denied != kForever) return;
  p.first_denied = event.time;
  p.first_denial = outcome;
  ++pairs_with_denials_;
  // The first pairs to be denied get a bar of their own. Until now such a pair was granted since
  // its first call (this is its first denial), so its history is one granted stretch.
  if (segments_.size() < options_.detailed_pairs) {
    p.detail = static_cast<std::uint32_t>(segments_.size());
    std::vector<AccessSegment>& history = segments_.emplace_back();
    bits_.emplace_back(bucket_count_, 0);
    if (p.first_seen < event.time) {
      history.push_back({p.first_seen, event.time, kGranted});
      mark_outcome(p.detail, p.first_seen, event.time, kGranted);
    }
  }
}

void ReportCollector::mark_outcome(std::uint32_t detail, SimTime from, SimTime to, std::uint8_t outcome) {
  if (to <= from || outcome >= 8) return;
  std::vector<std::uint8_t>& bits = bits_[detail];
  const auto bit = static_cast<std::uint8_t>(1u << outcome);
  for (std::size_t b = bucket_of(from), last = bucket_of(to - 1); b <= last; ++b) bits[b] |= bit;
}

void ReportCollector::on_marker(const TraceEvent& event) {
  if (event.kind == EventKind::kFault && event.status == 0) {
    // A window closes: find the marker its opening made.
    if (event.count < open_faults_.size() && open_faults_[event.count] != 0) {
      markers_[open_faults_[event.count] - 1].end = event.time;
      open_faults_[event.count] = 0;
    }
    return;
  }
  if (markers_.size() >= options_.markers) {
    ++markers_dropped_;
    return;
  }
  LifecycleMarker m;
  m.begin = m.end = event.time;
  m.index = event.count;
  m.station = event.station;
  if (event.kind == EventKind::kFault) {
    m.kind = LifecycleMarker::Kind::kFault;
    m.end = kForever;  // until its end arrives
    if (event.count >= open_faults_.size()) open_faults_.resize(event.count + 1, 0);
    open_faults_[event.count] = static_cast<std::uint32_t>(markers_.size() + 1);
  } else {
    m.applied = event.status != 0;
  }
  markers_.push_back(m);
}

void ReportCollector::on_end(SimTime now, bool interrupted) {
  end_time_ = now;
  interrupted_ = interrupted;
  ended_ = true;
  for (LifecycleMarker& m : markers_) {
    if (m.end == kForever) m.end = now;
  }
  std::fill(open_faults_.begin(), open_faults_.end(), 0);
  for (AccessPairTrack& p : pairs_) {
    if (p.detail == UINT32_MAX) continue;
    std::vector<AccessSegment>& history = segments_[p.detail];
    if (p.state_since < now) history.push_back({p.state_since, now, p.state});
    mark_outcome(p.detail, p.state_since, now, p.state);
  }
  // Pair counts at the end of each bucket from the changes within it; the peak of denied pairs
  // includes the count a bucket started with.
  std::int64_t granted = 0, denied = 0;
  for (std::size_t b = 0; b < bucket_count_; ++b) {
    const std::int64_t denied_at_start = denied;
    granted += granted_delta_[b];
    denied += denied_delta_[b];
    pairs_granted_[b] = static_cast<std::uint32_t>(granted);
    pairs_denied_[b] = static_cast<std::uint32_t>(denied);
    pairs_denied_peak_[b] =
        std::max({pairs_denied_peak_[b], static_cast<std::uint32_t>(denied_at_start), pairs_denied_[b]});
  }
}

std::uint64_t ReportCollector::outcome_total(RequestOutcome outcome) const noexcept {
  std::uint64_t total = 0;
  for (const auto& b : outcomes_) total += b[static_cast<std::size_t>(outcome)];
  return total;
}

}  // namespace misim
