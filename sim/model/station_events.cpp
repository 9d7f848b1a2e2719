// Samples and totals of queueing stations as trace events (misim/trace_event.hpp: kSample,
// kStationTotals), shared by the plain stages (Simulation) and the token path's stations.
#include "station_events.hpp"

#include <algorithm>

namespace misim {

/// The integral of a time-weighted quantity from its start to `now`.
double area_until(const TimeWeighted& tw, SimTime now) { return tw.mean(now) * static_cast<double>(now - tw.start()); }

TraceEvent sample_event(std::uint16_t station, SimTime now, std::uint32_t waiting, std::uint32_t busy,
                        double utilization) {
  TraceEvent e;
  e.kind = EventKind::kSample;
  e.time = e.begin = now;
  e.station = station;
  e.count = waiting;
  e.busy = busy;
  e.value = utilization;
  return e;
}

void emit_station_sample(Recorder& recorder, const Station& station, std::uint16_t index, SimTime now, SimTime interval,
                         double& area) {
  const double total = area_until(station.statistics().busy_servers, now);
  // After the warm-up restart the integral starts again from zero.
  const double used = total >= area ? total - area : total;
  area = total;
  const double span = static_cast<double>(std::min(interval, now - station.statistics().busy_servers.start()));
  const double utilization = span > 0 ? used / (span * station.config().servers) : 0.0;
  recorder.emit(sample_event(index, now, static_cast<std::uint32_t>(station.queue_length()),
                             static_cast<std::uint32_t>(station.busy_servers()), utilization));
}

void emit_station_totals(Recorder& recorder, const Station& station, std::uint16_t index, SimTime now) {
  const StationStatistics& s = station.statistics();
  TraceEvent e;
  e.kind = EventKind::kStationTotals;
  e.time = now;
  e.station = index;
  e.request = s.arrivals;
  e.service_start = static_cast<SimTime>(s.completed);
  e.begin = static_cast<SimTime>(s.rejected);
  e.value = station.utilization(now);
  recorder.emit(e);
}

}  // namespace misim
