// Samples and totals of queueing stations as trace events; private to sim/model.
#pragma once

#include <cstdint>

#include "misim/station.hpp"
#include "misim/time_weighted.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// The integral of a time-weighted quantity from its start (or warm-up restart) to `now`.
double area_until(const TimeWeighted& tw, SimTime now);

/// A kSample event: `waiting` customers, `busy` in service, `utilization` over the last interval.
TraceEvent sample_event(std::uint16_t station, SimTime now, std::uint32_t waiting, std::uint32_t busy,
                        double utilization);

/// Emits a kSample of `station`; `area` is its busy-time integral at the previous sample (updated).
void emit_station_sample(Recorder& recorder, const Station& station, std::uint16_t index, SimTime now, SimTime interval,
                         double& area);

/// Emits the kStationTotals of `station` at `now`.
void emit_station_totals(Recorder& recorder, const Station& station, std::uint16_t index, SimTime now);

}  // namespace misim
