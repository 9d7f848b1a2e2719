// The trace file's cost: TraceWriter against a hand-written writer of the same fields, the reader,
// and a whole M/M/5 run traced at `all` against the same run untraced.
//
//   BM_TraceWrite/<mix>          TraceWriter (protobuf records, 1 MiB buffer, XXH3 checksum) into
//                                a file, kEventsPerIteration events an iteration; close (fsync)
//                                untimed, as it is once a run
//   BM_TraceWriteBaseline/<mix>  the same events, each field that is not zero written as a
//                                varint after a 16-bit presence mask, through stdio's fwrite with a
//                                1 MiB buffer: what a plain hand-written binary log costs
//   BM_TraceRead/<mix>           TraceReader over a trace of the same events
//   BM_TraceMMc_None, _All       M/M/5 at utilisation 0.9 on Engine + Station (as BM_MMc_Engine),
//                                each departure emitted as a kStationVisit through a Recorder:
//                                with no sink (--trace none), or with a TraceWriter (--trace all)
//
// Mixes: 0 = a token-path run at `all` (per token request: calls, the request, its attempts, an
// AAD visit on a cache miss, and periodic samples); 1 = a plain stage (one kStationVisit per
// customer, the validation scenarios). Counters: bytes_per_event (the file's size per event) and
// items_per_second (events a second).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "misim/distribution.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"
#include "misim/station.hpp"
#include "misim/trace_event.hpp"
#include "misim/trace_file.hpp"

namespace misim::bench {
namespace {

constexpr std::int64_t kEventsPerIteration = 1'000'000;
constexpr std::size_t kPoolSize = 1 << 16;  // distinct events cycled through (fits in L2)

/// A scratch directory removed at exit.
const std::string& scratch_dir() {
  static const struct Dir {
    std::string path;
    Dir() {
      std::string pattern = (std::filesystem::temp_directory_path() / "misim-trace-bench-XXXXXX").string();
      path = ::mkdtemp(pattern.data());
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir;
  return dir.path;
}

TraceHeader bench_header() {
  TraceHeader h;
  h.misim_version = "bench";
  h.scenario = "trace_bench";
  h.level = TraceLevel::kAll;
  h.run.duration = 3600 * kSecond;
  h.run.stations = {{"imds", "endpoint", 50'000}, {"aad.eastus", "aad", 64}, {"stage", "stage", 5}};
  return h;
}

/// Events of a token-path run: 10,000 VMs calling 3 targets, tokens cached at IMDS 9 times in 10.
std::vector<TraceEvent> token_path_mix() {
  std::vector<TraceEvent> out;
  out.reserve(kPoolSize);
  RandomStream rng(1, 0, purpose("bench.trace.mix"));
  SimTime now = 0;
  std::uint64_t request = 0;
  while (out.size() < kPoolSize) {
    now += 1 + static_cast<SimTime>(rng.below(200'000));  // about 10k token requests a second
    const auto vm = static_cast<std::uint32_t>(rng.below(10'000));
    const auto target = static_cast<std::uint32_t>(10'000 + rng.below(3));
    const auto identity = vm;  // system-assigned
    for (int c = 0; c < 4; ++c) {
      TraceEvent call;
      call.kind = EventKind::kCall;
      call.time = now;
      call.resource = vm;
      call.target = target;
      call.identity = identity;
      call.count = 1 + static_cast<std::uint32_t>(rng.below(3));
      call.flags = kFlagCacheHit;
      out.push_back(call);
    }
    ++request;
    const bool cache_hit = rng.below(10) != 0;
    const SimTime begin = now - 2'000'000 - static_cast<SimTime>(rng.below(40'000'000));
    if (!cache_hit) {
      TraceEvent visit;
      visit.kind = EventKind::kStationVisit;
      visit.time = now - 500'000;
      visit.begin = begin + 1'000'000;
      visit.service_start = visit.begin + static_cast<SimTime>(rng.below(1'000'000));
      visit.request = request;
      visit.station = 1;
      out.push_back(visit);
    }
    TraceEvent attempt;
    attempt.kind = EventKind::kAttempt;
    attempt.time = now;
    attempt.begin = begin;
    attempt.request = request;
    attempt.resource = vm;
    attempt.identity = identity;
    attempt.status = 200;
    attempt.station = 0;
    attempt.flags = cache_hit ? kFlagCacheHit : 0;
    out.push_back(attempt);
    TraceEvent token = attempt;
    token.kind = EventKind::kTokenRequest;
    token.target = target;
    token.station = kNoStation;
    token.flags = 0;
    out.push_back(token);
    if (request % 64 == 0) {
      TraceEvent sample;
      sample.kind = EventKind::kSample;
      sample.time = now;
      sample.station = static_cast<std::uint16_t>(request % 3);
      sample.count = static_cast<std::uint32_t>(rng.below(20));
      sample.busy = static_cast<std::uint32_t>(rng.below(64));
      sample.value = rng.uniform01();
      out.push_back(sample);
    }
  }
  out.resize(kPoolSize);
  return out;
}

/// A plain stage's customers: M/M/5 visits, one event each.
std::vector<TraceEvent> station_visit_mix() {
  std::vector<TraceEvent> out(kPoolSize);
  RandomStream rng(2, 0, purpose("bench.trace.visits"));
  SimTime now = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    now += exponential_ns(rng, 222'222.0);
    TraceEvent& e = out[i];
    e.kind = EventKind::kStationVisit;
    e.begin = now;
    e.service_start = now + exponential_ns(rng, 1'500'000.0);
    e.time = e.service_start + exponential_ns(rng, 1'000'000.0);
    e.request = i;
    e.station = 2;
  }
  return out;
}

const std::vector<TraceEvent>& mix(std::int64_t which) {
  static const std::vector<TraceEvent> token_path = token_path_mix();
  static const std::vector<TraceEvent> stations = station_visit_mix();
  return which == 0 ? token_path : stations;
}

std::string trace_path(std::int64_t which) { return scratch_dir() + "/mix" + std::to_string(which) + ".pb"; }

void BM_TraceWrite(benchmark::State& state) {
  const std::vector<TraceEvent>& events = mix(state.range(0));
  const std::string path = trace_path(state.range(0));
  const TraceHeader header = bench_header();
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(path);  // a new file: ext4 flushes a truncated-and-rewritten one at close
    auto writer = TraceWriter::create(path, header);
    if (!writer) {
      state.SkipWithError(writer.error().to_string().c_str());
      return;
    }
    (*writer)->on_begin(header.run);
    state.ResumeTiming();
    for (std::int64_t i = 0; i < kEventsPerIteration; ++i) {
      (*writer)->on_event(events[static_cast<std::size_t>(i) & (kPoolSize - 1)]);
    }
    state.PauseTiming();
    (*writer)->on_end(0, false);
    if (Status s = (*writer)->close(); !s) {
      state.SkipWithError(s.error().to_string().c_str());
      return;
    }
    bytes = (*writer)->bytes_written();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / kEventsPerIteration;
}
BENCHMARK(BM_TraceWrite)->Arg(0)->Arg(1)->Iterations(20)->Unit(benchmark::kMillisecond);

// ---- the hand-written baseline -------------------------------------------------------------

std::uint8_t* put_varint(std::uint64_t v, std::uint8_t* p) {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}
std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

/// One event: a 16-bit mask of the fields present, then each present field as a varint (times
/// zigzagged, the double's bits as they are). The same information as a trace record, about the
/// same size, and no framework.
std::size_t encode_baseline(const TraceEvent& e, std::uint8_t* out) {
  const std::uint64_t fields[] = {static_cast<std::uint64_t>(e.kind),
                                  zigzag(e.time),
                                  zigzag(e.begin),
                                  zigzag(e.service_start),
                                  e.request,
                                  static_cast<std::uint16_t>(e.station + 1U),
                                  e.status,
                                  e.resource + 1U,
                                  e.identity + 1U,
                                  e.target + 1U,
                                  e.count,
                                  e.busy,
                                  std::bit_cast<std::uint64_t>(e.value),
                                  e.flags,
                                  e.entity + 1U,
                                  static_cast<std::uint64_t>(e.entity_kind)};
  std::uint8_t* p = out + 2;
  unsigned mask = 0;
  for (unsigned i = 0; i < std::size(fields); ++i) {
    if (fields[i] == 0) continue;
    mask |= 1U << i;
    p = put_varint(fields[i], p);
  }
  out[0] = static_cast<std::uint8_t>(mask);
  out[1] = static_cast<std::uint8_t>(mask >> 8);
  return static_cast<std::size_t>(p - out);
}

void BM_TraceWriteBaseline(benchmark::State& state) {
  const std::vector<TraceEvent>& events = mix(state.range(0));
  const std::string path = scratch_dir() + "/baseline" + std::to_string(state.range(0)) + ".bin";
  std::vector<char> stdio_buffer(std::size_t{1} << 20);
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(path);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::setvbuf(f, stdio_buffer.data(), _IOFBF, stdio_buffer.size()) != 0) {
      state.SkipWithError("cannot open the baseline's file");
      return;
    }
    bytes = 0;
    state.ResumeTiming();
    std::uint8_t record[16 * 10 + 2];
    for (std::int64_t i = 0; i < kEventsPerIteration; ++i) {
      const std::size_t n = encode_baseline(events[static_cast<std::size_t>(i) & (kPoolSize - 1)], record);
      std::fwrite(record, 1, n, f);
      bytes += n;
    }
    state.PauseTiming();
    std::fclose(f);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / kEventsPerIteration;
}
BENCHMARK(BM_TraceWriteBaseline)->Arg(0)->Arg(1)->Iterations(20)->Unit(benchmark::kMillisecond);

/// A trace of kEventsPerIteration events of the mix, written once for the reading benchmarks.
Result<std::string> trace_to_read(std::int64_t which) {
  const std::string path = scratch_dir() + "/read" + std::to_string(which) + ".pb";
  if (std::filesystem::exists(path)) return path;
  const std::vector<TraceEvent>& events = mix(which);
  const TraceHeader header = bench_header();
  auto writer = TraceWriter::create(path, header);
  if (!writer) return writer.error();
  (*writer)->on_begin(header.run);
  for (std::int64_t i = 0; i < kEventsPerIteration; ++i) {
    (*writer)->on_event(events[static_cast<std::size_t>(i) & (kPoolSize - 1)]);
  }
  (*writer)->on_end(0, false);
  if (Status s = (*writer)->close(); !s) return s.error();
  return path;
}

void BM_TraceRead(benchmark::State& state) {
  const Result<std::string> path = trace_to_read(state.range(0));
  if (!path) {
    state.SkipWithError(path.error().to_string().c_str());
    return;
  }
  std::uint64_t events = 0;
  SimTime checksum = 0;  // uses what was read, so nothing is optimised away
  for (auto _ : state) {
    Result<TraceReader> reader = TraceReader::open(*path);
    if (!reader) {
      state.SkipWithError(reader.error().to_string().c_str());
      return;
    }
    while (true) {
      Result<TraceItem> item = reader->next();
      if (!item) {
        state.SkipWithError(item.error().to_string().c_str());
        return;
      }
      if (*item == TraceItem::kEnd) break;
      if (*item == TraceItem::kEvent) checksum += reader->event().time;
    }
    events += reader->footer().events;
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_TraceRead)->Arg(0)->Arg(1)->Iterations(10)->Unit(benchmark::kMillisecond);

// ---- a whole run, traced and not -----------------------------------------------------------

constexpr int kServers = 5;
constexpr double kMeanService = 1e6;  // ns
constexpr double kMeanInterarrival = kMeanService / (kServers * 0.9);
constexpr std::int64_t kCustomers = 1'000'000;

/// BM_MMc_Engine's model, emitting each departure as the model's plain stages do.
class TracedMmc {
 public:
  TracedMmc(std::uint64_t seed, Recorder& recorder)
      : station_(engine_, "stage",
                 StationConfig{.servers = kServers, .service = *Distribution::exponential(kMeanService)},
                 RandomStream(seed, 0, purpose("bench.mmc.service")), [this](const StationVisit& v) { depart(v); }),
        arrivals_(seed, 0, purpose("bench.mmc.arrivals")),
        recorder_(recorder) {}

  void run() {
    schedule_next_arrival();
    engine_.run();
  }

 private:
  void schedule_next_arrival() {
    engine_.schedule_after(exponential_ns(arrivals_, kMeanInterarrival), [this] { arrive(); });
  }
  void arrive() {
    station_.arrive(next_tag_++);
    if (next_tag_ < static_cast<std::uint64_t>(kCustomers)) schedule_next_arrival();
  }
  void depart(const StationVisit& v) {
    TraceEvent e;
    e.kind = EventKind::kStationVisit;
    e.time = v.departure;
    e.begin = v.arrival;
    e.service_start = v.service_start;
    e.request = v.tag;
    e.station = 0;
    recorder_.emit(e);
  }

  Engine engine_;
  Station station_;
  RandomStream arrivals_;
  Recorder& recorder_;
  std::uint64_t next_tag_ = 0;
};

void run_traced_mmc(benchmark::State& state, bool traced) {
  const std::string path = scratch_dir() + "/mmc.pb";
  TraceHeader header = bench_header();
  header.run.stations = {{"stage", "stage", kServers}};
  std::uint64_t seed = 1;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Recorder recorder;
    std::unique_ptr<TraceWriter> writer;
    if (traced) {
      std::filesystem::remove(path);
      auto created = TraceWriter::create(path, header);
      if (!created) {
        state.SkipWithError(created.error().to_string().c_str());
        return;
      }
      writer = std::move(*created);
      recorder.attach(*writer, TraceLevel::kAll);
    }
    recorder.begin(header.run);
    state.ResumeTiming();
    TracedMmc(seed++, recorder).run();
    state.PauseTiming();
    recorder.end(0, false);
    if (writer) {
      writer->set_fingerprint(recorder.fingerprint());
      if (Status s = writer->close(); !s) {
        state.SkipWithError(s.error().to_string().c_str());
        return;
      }
      bytes = writer->bytes_written();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kCustomers);
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / kCustomers;
}

void BM_TraceMMc_None(benchmark::State& state) { run_traced_mmc(state, false); }
void BM_TraceMMc_All(benchmark::State& state) { run_traced_mmc(state, true); }
BENCHMARK(BM_TraceMMc_None)->Iterations(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TraceMMc_All)->Iterations(5)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace misim::bench
