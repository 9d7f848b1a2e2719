// Synthetic traces for the converter tests, shaped as misim's model emits them
// (sim/model/token_path.cpp): an attempt's AAD visit just before the attempt's answer, the
// request's record just after its last attempt, the calls that waited for the token right after.
//
//   SyntheticTrace t = SyntheticTrace::standard();
//   feed(t, consumer);                       // header, entities, events in time order, footer
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "misim/trace_convert.hpp"
#include "misim/trace_file.hpp"

namespace misim::testing {

// Station numbers of the synthetic run, as the model numbers them: the endpoint, AAD, plain stages.
inline constexpr std::uint16_t kImds = 0;
inline constexpr std::uint16_t kAad = 1;
inline constexpr std::uint16_t kCheckout = 2;
// Entity indices.
inline constexpr std::uint32_t kVault = 0;      // resource 0: the target
inline constexpr std::uint32_t kFirstHost = 1;  // resources 1..: hosts web-0, web-1, ...
inline constexpr std::uint32_t kWebId = 0;      // identity 0
inline constexpr std::uint32_t kAssignment = 0;

/// One attempt of a token request: how the endpoint dealt with it (kRefusedByAad: answered by
/// AAD without a visit, as in an outage or for its throttle).
struct AttemptSpec {
  enum class Path {
    kEndpointLimit,
    kEndpointCache,
    kServedByAad,
    kRejectedByAad,
    kRefusedByAad
  } path = Path::kServedByAad;
  std::uint16_t status = 200;
  SimTime endpoint_latency = 2 * kMillisecond;
  SimTime aad_wait = 0;
  SimTime aad_service = 40 * kMillisecond;
  SimTime retry_delay = 0;  // before the next attempt
};

struct SyntheticTrace {
  TraceHeader header;
  std::vector<TraceEntity> entities;
  std::vector<TraceEvent> events;  // in emission order once sorted()
  TraceFooter footer;

  /// The run's header and entity table: `hosts` VMs web-0..., identity web-id, target vault.
  static SyntheticTrace with_hosts(std::uint32_t hosts, TraceLevel level = TraceLevel::kAll);
  /// A small run with one of everything: requests with retries, a cache hit, an endpoint 429, AAD
  /// waits, a plain stage's customers and a rejection, lifecycle events, calls, samples, totals.
  static SyntheticTrace standard();

  /// Appends a token request's events; returns when it ended.
  SimTime add_request(std::uint64_t id, std::uint32_t host, SimTime begin, const std::vector<AttemptSpec>& attempts,
                      std::uint32_t waiting_calls = 1, bool background = false);
  void add(const TraceEvent& e) { events.push_back(e); }
  /// Orders events by time, keeping the order of additions at equal times (emission order).
  void sort();
};

/// Feeds the whole trace to a consumer, as convert() would from a file.
Status feed(const SyntheticTrace& trace, TraceConsumer& consumer);
/// Writes the trace to a file (trace.pb's format) through TraceWriter, as a run does.
Status write_trace_file(const SyntheticTrace& trace, const std::string& path);

/// Appends a token request's events in emission order (not sorted among other requests').
SimTime append_request(std::vector<TraceEvent>& out, std::uint64_t id, std::uint32_t host, SimTime begin,
                       const std::vector<AttemptSpec>& attempts, std::uint32_t waiting_calls, bool background);

/// An endless run of token requests (each an endpoint 429, a retry through AAD, a call) and plain
/// stage customers, started every `spacing` on `hosts` hosts in turn and made as they are needed,
/// so a test can stream millions of events without holding them. Requests of one host overlap.
class RequestStream {
 public:
  RequestStream(std::uint32_t hosts, SimTime spacing) : hosts_(hosts), spacing_(spacing) {}
  /// The next event in emission order.
  TraceEvent next();
  /// Requests started so far.
  [[nodiscard]] std::uint64_t requests() const noexcept { return next_request_; }

 private:
  struct Entry {
    TraceEvent event;
    std::uint64_t sequence;
  };
  void start_request();
  std::uint32_t hosts_;
  SimTime spacing_;
  std::uint64_t next_request_ = 0;
  std::uint64_t sequence_ = 0;
  std::vector<Entry> heap_;  // events made but not yet given out, by (time, sequence)
  std::vector<TraceEvent> scratch_;
};

}  // namespace misim::testing
