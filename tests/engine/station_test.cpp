// Tests of include/misim/station.hpp on deterministic schedules: FIFO service, c servers, a finite
// waiting room, the departure handler's timings, the warm-up and the time averages.
#include "misim/station.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "misim/distribution.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"

namespace misim {
namespace {

using ::testing::ElementsAre;

RandomStream service_stream() { return RandomStream(1, 0, purpose("test.station.service")); }

/// Schedules an arrival of `tag` at time `at` with a given service time.
void arrive_at(Engine& engine, Station& station, SimTime at, std::uint64_t tag, SimTime service,
               std::vector<bool>* accepted = nullptr) {
  engine.schedule_at(at, [&station, tag, service, accepted] {
    const bool ok = station.arrive(tag, service);
    if (accepted != nullptr) accepted->push_back(ok);
  });
}

TEST(Station, ServesCustomersInArrivalOrder) {
  Engine engine;
  std::vector<StationVisit> visits;
  Station station(engine, "fifo", {.servers = 1, .service = {}}, service_stream(),
                  [&visits](const StationVisit& v) { visits.push_back(v); });
  for (std::uint64_t tag = 0; tag < 5; ++tag) arrive_at(engine, station, 0, tag, 10);
  engine.run();
  ASSERT_EQ(visits.size(), 5U);
  for (std::uint64_t i = 0; i < 5; ++i) {
    const StationVisit& v = visits[i];
    EXPECT_EQ(v.tag, i);
    EXPECT_EQ(v.arrival, 0);
    EXPECT_EQ(v.service_start, static_cast<SimTime>(10 * i));
    EXPECT_EQ(v.departure, static_cast<SimTime>(10 * (i + 1)));
  }
}

TEST(Station, KeepsFifoOrderWhenArrivalsInterleaveWithDepartures) {
  Engine engine;
  std::vector<std::uint64_t> order;
  Station station(engine, "fifo", {.servers = 1, .service = {}}, service_stream(),
                  [&order](const StationVisit& v) { order.push_back(v.tag); });
  arrive_at(engine, station, 0, 10, 100);
  arrive_at(engine, station, 30, 11, 5);  // short job, but waits its turn
  arrive_at(engine, station, 60, 12, 1);
  arrive_at(engine, station, 100, 13, 1);  // arrives as the first leaves: behind 11 and 12
  engine.run();
  EXPECT_THAT(order, ElementsAre(10, 11, 12, 13));
}

TEST(Station, KeepsCServersBusyConcurrently) {
  Engine engine;
  std::vector<SimTime> departures;
  Station station(engine, "three", {.servers = 3, .service = {}}, service_stream(),
                  [&departures](const StationVisit& v) { departures.push_back(v.departure); });
  for (std::uint64_t tag = 0; tag < 7; ++tag) arrive_at(engine, station, 0, tag, 10);
  engine.run_until(0);
  EXPECT_EQ(station.busy_servers(), 3);
  EXPECT_EQ(station.queue_length(), 4U);
  engine.run_until(10);
  EXPECT_EQ(station.busy_servers(), 3);
  EXPECT_EQ(station.queue_length(), 1U);
  engine.run();
  EXPECT_THAT(departures, ElementsAre(10, 10, 10, 20, 20, 20, 30));
  EXPECT_EQ(station.busy_servers(), 0);
  EXPECT_EQ(station.statistics().busy_servers.max(), 3.0);
  EXPECT_EQ(station.statistics().queue_length.max(), 4.0);
}

TEST(Station, RejectsAnArrivalExactlyWhenTheWaitingRoomIsFull) {
  // One server and two waiting places: three customers fit, the fourth is turned away.
  Engine engine;
  std::vector<std::uint64_t> served;
  Station station(engine, "small", {.servers = 1, .queue_capacity = 2, .service = {}}, service_stream(),
                  [&served](const StationVisit& v) { served.push_back(v.tag); });
  std::vector<bool> accepted;
  for (std::uint64_t tag = 1; tag <= 5; ++tag) arrive_at(engine, station, 0, tag, 10, &accepted);
  // Customer 1 leaves at 10 and customer 2 takes the server, which frees one waiting place. (An
  // arrival at exactly 10 would come first: it was scheduled before the departure.)
  arrive_at(engine, station, 11, 6, 10, &accepted);
  arrive_at(engine, station, 11, 7, 10, &accepted);  // full again
  engine.run();
  EXPECT_THAT(accepted, ElementsAre(true, true, true, false, false, true, false));
  EXPECT_THAT(served, ElementsAre(1, 2, 3, 6));
  const StationStatistics& stats = station.statistics();
  EXPECT_EQ(stats.arrivals, 7U);
  EXPECT_EQ(stats.rejected, 3U);
  EXPECT_EQ(stats.completed, 4U);
  EXPECT_EQ(stats.queue_length.max(), 2.0);
}

TEST(Station, WithNoWaitingRoomIsALossSystem) {
  Engine engine;
  Station station(engine, "loss", {.servers = 2, .queue_capacity = 0, .service = {}}, service_stream());
  std::vector<bool> accepted;
  for (std::uint64_t tag = 0; tag < 4; ++tag) arrive_at(engine, station, 0, tag, 10, &accepted);
  arrive_at(engine, station, 5, 4, 10, &accepted);
  arrive_at(engine, station, 11, 5, 10, &accepted);  // both servers freed at 10
  engine.run();
  EXPECT_THAT(accepted, ElementsAre(true, true, false, false, false, true));
  EXPECT_EQ(station.statistics().rejected, 3U);
  EXPECT_EQ(station.statistics().queue_length.max(), 0.0);
  EXPECT_EQ(station.statistics().wait.max(), 0.0);
}

TEST(Station, WithUnlimitedWaitingRoomAcceptsEveryone) {
  Engine engine;
  Station station(engine, "unbounded", {.servers = 1, .service = {}}, service_stream());
  std::vector<bool> accepted;
  for (std::uint64_t tag = 0; tag < 10'000; ++tag) arrive_at(engine, station, 0, tag, 1, &accepted);
  engine.run();
  EXPECT_EQ(std::count(accepted.begin(), accepted.end(), true), 10'000);
  EXPECT_EQ(station.statistics().completed, 10'000U);
  EXPECT_EQ(station.statistics().queue_length.max(), 9'999.0);
}

TEST(Station, GivesTheDepartureHandlerTheCustomersTimings) {
  Engine engine;
  std::vector<StationVisit> visits;
  Station station(engine, "timings", {.servers = 1, .service = {}}, service_stream(),
                  [&visits](const StationVisit& v) { visits.push_back(v); });
  arrive_at(engine, station, 5 * kMillisecond, 42, 20 * kMillisecond);
  arrive_at(engine, station, 10 * kMillisecond, 43, 3 * kMillisecond);
  engine.run();
  ASSERT_EQ(visits.size(), 2U);
  EXPECT_EQ(visits[0].tag, 42U);
  EXPECT_EQ(visits[0].arrival, 5 * kMillisecond);
  EXPECT_EQ(visits[0].service_start, 5 * kMillisecond);
  EXPECT_EQ(visits[0].departure, 25 * kMillisecond);
  EXPECT_EQ(visits[0].wait(), 0);
  EXPECT_EQ(visits[0].sojourn(), 20 * kMillisecond);
  EXPECT_EQ(visits[1].tag, 43U);
  EXPECT_EQ(visits[1].arrival, 10 * kMillisecond);
  EXPECT_EQ(visits[1].service_start, 25 * kMillisecond);
  EXPECT_EQ(visits[1].departure, 28 * kMillisecond);
  EXPECT_EQ(visits[1].wait(), 15 * kMillisecond);
  EXPECT_EQ(visits[1].sojourn(), 18 * kMillisecond);
  // The handler runs at the departure time.
  EXPECT_EQ(engine.now(), 28 * kMillisecond);
}

TEST(Station, RecordsWaitsAndSojournsInItsStatistics) {
  Engine engine;
  Station station(engine, "stats", {.servers = 1, .service = {}}, service_stream());
  for (std::uint64_t tag = 0; tag < 4; ++tag) arrive_at(engine, station, 0, tag, 10);
  engine.run();
  const StationStatistics& stats = station.statistics();
  // Waits 0, 10, 20, 30; sojourns 10, 20, 30, 40.
  EXPECT_EQ(stats.wait.count(), 4U);
  EXPECT_EQ(stats.wait.sum(), 60.0);
  EXPECT_EQ(stats.wait.max(), 30.0);
  EXPECT_EQ(stats.wait_moments.mean(), 15.0);
  EXPECT_EQ(stats.wait_batches.mean(), 15.0);
  EXPECT_EQ(stats.sojourn.count(), 4U);
  EXPECT_EQ(stats.sojourn.sum(), 100.0);
  EXPECT_EQ(stats.sojourn.min(), 10.0);
  EXPECT_EQ(stats.sojourn.max(), 40.0);
}

TEST(Station, DrawsServiceTimesFromItsDistributionInWholeNanoseconds) {
  Engine engine;
  std::vector<SimTime> sojourns;
  Station station(engine, "drawn", {.servers = 1, .service = Distribution::constant(2.6)}, service_stream(),
                  [&sojourns](const StationVisit& v) { sojourns.push_back(v.sojourn()); });
  engine.schedule_at(0, [&station] { station.arrive(1); });
  engine.run();
  EXPECT_THAT(sojourns, ElementsAre(3));  // 2.6 ns rounds to 3
}

TEST(Station, DrawsTheSameServiceTimesAsItsStreamWould) {
  const Distribution service = *Distribution::exponential(1e6);
  Engine engine;
  std::vector<SimTime> sojourns;
  Station station(engine, "random", {.servers = 100, .service = service}, service_stream(),
                  [&sojourns](const StationVisit& v) { sojourns.push_back(v.sojourn()); });
  for (std::uint64_t tag = 0; tag < 50; ++tag) {
    engine.schedule_at(static_cast<SimTime>(tag) * kSecond, [&station, tag] { station.arrive(tag); });
  }
  engine.run();
  RandomStream mirror = service_stream();
  ASSERT_EQ(sojourns.size(), 50U);
  for (const SimTime s : sojourns) EXPECT_EQ(s, std::llround(service.sample(mirror)));
}

TEST(Station, ExcludesTheWarmUpFromCountsAndTimeAverages) {
  // One server, warm-up until 100.
  //   A arrives   0, service 150: busy   0..150
  //   B arrives  50, service 100: waits 50..150, busy 150..250
  //   C arrives 200, service  50: waits 200..250, busy 250..300
  Engine engine;
  Station station(engine, "warm", {.servers = 1, .service = {}, .warmup = 100}, service_stream());
  arrive_at(engine, station, 0, 'A', 150);
  arrive_at(engine, station, 50, 'B', 100);
  arrive_at(engine, station, 200, 'C', 50);
  engine.run();
  ASSERT_EQ(engine.now(), 300);
  const StationStatistics& stats = station.statistics();
  EXPECT_EQ(stats.arrivals, 1U) << "only C arrived after the warm-up";
  EXPECT_EQ(stats.wait.count(), 1U);
  EXPECT_EQ(stats.wait.max(), 50.0);
  EXPECT_EQ(stats.wait_moments.count(), 1U);
  EXPECT_EQ(stats.sojourn.count(), 1U);
  EXPECT_EQ(stats.sojourn.max(), 100.0);
  // Completions are counted when they happen after the warm-up: A, B and C all left after 100.
  EXPECT_EQ(stats.completed, 3U);
  // Time averages over [100, 300]: the server was busy throughout; one waited over 100..150 and
  // 200..250.
  EXPECT_EQ(stats.busy_servers.start(), 100);
  EXPECT_DOUBLE_EQ(station.utilization(300), 1.0);
  EXPECT_EQ(stats.queue_length.start(), 100);
  EXPECT_DOUBLE_EQ(stats.queue_length.mean(300), 0.5);
}

TEST(Station, MeasuresUtilisationOnADeterministicSchedule) {
  // Two servers; a customer every 10 ns, each served 15 ns: 100 customers, never a queue.
  Engine engine;
  Station station(engine, "util", {.servers = 2, .service = {}}, service_stream());
  for (std::uint64_t i = 0; i < 100; ++i) arrive_at(engine, station, static_cast<SimTime>(10 * i), i, 15);
  // Busy servers: 1 over [0, 10), then in each 10 ns 2 for 5 ns and 1 for 5 ns. By 1000 that is
  // customers 0..98 served in full and customer 99 for 10 of its 15 ns.
  engine.run_until(1000);
  EXPECT_DOUBLE_EQ(station.statistics().busy_servers.mean(1000), (99.0 * 15.0 + 10.0) / 1000.0);
  EXPECT_DOUBLE_EQ(station.utilization(1000), (99.0 * 15.0 + 10.0) / (2.0 * 1000.0));
  engine.run();
  ASSERT_EQ(engine.now(), 1005);
  EXPECT_DOUBLE_EQ(station.utilization(1005), 100.0 * 15.0 / (2.0 * 1005.0));
  EXPECT_DOUBLE_EQ(station.utilization(2010), 100.0 * 15.0 / (2.0 * 2010.0));  // idle after the last
  EXPECT_EQ(station.statistics().queue_length.max(), 0.0);
  EXPECT_EQ(station.statistics().wait.max(), 0.0);
  EXPECT_EQ(station.statistics().busy_servers.max(), 2.0);
}

TEST(Station, ADepartureHandlerCanSendTheCustomerBack) {
  // A closed loop: one customer served again and again keeps the server always busy.
  Engine engine;
  struct Loop {
    Station* station = nullptr;
    int visits = 0;
  } loop;
  Station station(engine, "loop", {.servers = 1, .service = Distribution::constant(7)}, service_stream(),
                  [&loop](const StationVisit& v) {
                    if (++loop.visits < 1000) loop.station->arrive(v.tag);
                  });
  loop.station = &station;
  engine.schedule_at(0, [&station] { station.arrive(1); });
  engine.run();
  EXPECT_EQ(loop.visits, 1000);
  EXPECT_EQ(engine.now(), 7000);
  EXPECT_DOUBLE_EQ(station.utilization(7000), 1.0);
  EXPECT_EQ(station.statistics().wait.max(), 0.0);
}

TEST(Station, HasANameAndItsConfiguration) {
  Engine engine;
  const Station station(engine, "aad", {.servers = 64, .queue_capacity = 10, .service = {}}, service_stream());
  EXPECT_EQ(station.name(), "aad");
  EXPECT_EQ(station.config().servers, 64);
  EXPECT_EQ(station.config().queue_capacity, 10);
  EXPECT_EQ(station.busy_servers(), 0);
  EXPECT_EQ(station.queue_length(), 0U);
}

TEST(Station, TreatsFewerThanOneServerAsOne) {
  Engine engine;
  const Station station(engine, "none", {.servers = 0, .service = {}}, service_stream());
  EXPECT_EQ(station.config().servers, 1);
}

}  // namespace
}  // namespace misim
