// Queueing theory against simulation: Engine + Station fed by a Poisson stream must reproduce the
// closed-form mean waits of M/M/1, M/M/c (Erlang C), M/D/1 and M/G/1 (Pollaczek-Khinchine), with
// the error judged by the station's own batch-means standard error (docs/design.md, "Quality
// bars"). Formulas: Kleinrock, "Queueing Systems, Volume 1" (1975), sections 3.2, 3.5 and 5.7.
//
// Each test simulates about a million customers, leaves out the first 1% of the run as warm-up,
// and checks:
//   - |simulated mean wait - theory| < 3 standard errors, with the standard error small enough
//     (under 3% of the mean wait) that the comparison has power;
//   - utilisation against rho;
//   - Little's law for the waiting room: time-averaged queue length = arrival rate * mean wait.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "misim/distribution.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"
#include "misim/station.hpp"

namespace misim {
namespace {

constexpr double kServiceMeanNs = 1e6;  // 1 ms: large enough that rounding to whole ns is negligible
constexpr double kCustomers = 1e6;
constexpr double kWarmupFraction = 0.01;
constexpr double kStandardErrors = 3.0;

/// Poisson arrivals into a station: exponential interarrival times from the source's own stream.
class PoissonSource {
 public:
  PoissonSource(Engine& engine, Station& station, double rate_per_ns, RandomStream stream)
      : engine_(engine),
        station_(station),
        interarrival_(*Distribution::exponential(1.0 / rate_per_ns)),
        stream_(stream) {}

  void start() { schedule_next(); }

 private:
  void schedule_next() {
    const SimTime gap = std::llround(interarrival_.sample(stream_));
    engine_.schedule_after(gap, [this] {
      station_.arrive(next_tag_++);
      schedule_next();
    });
  }

  Engine& engine_;
  Station& station_;
  Distribution interarrival_;
  RandomStream stream_;
  std::uint64_t next_tag_ = 0;
};

struct QueueRun {
  double rate_per_ns;  // lambda
  double rho;          // offered load per server
  double mean_wait;    // simulated, ns (batch means)
  double standard_error;
  double utilization;
  double mean_queue_length;
  double observed_rate_per_ns;  // arrivals after the warm-up over the measured time
  double wait_p50;
  double wait_p90;
  double wait_zero_fraction_upper;  // the largest q with percentile(q) == 0 (to 0.001)
};

/// Simulates a c-server FIFO queue with Poisson arrivals at load rho per server.
QueueRun simulate(int servers, double rho, const Distribution& service, std::uint64_t seed) {
  const double rate = rho * servers / service.mean();
  const auto horizon = static_cast<SimTime>(kCustomers / rate);
  const auto warmup = static_cast<SimTime>(kWarmupFraction * static_cast<double>(horizon));
  Engine engine;
  Station station(engine, "queue", {.servers = servers, .service = service, .warmup = warmup},
                  RandomStream(seed, 0, purpose("test.theory.service")));
  PoissonSource source(engine, station, rate, RandomStream(seed, 0, purpose("test.theory.arrivals")));
  source.start();
  engine.run_until(horizon);

  const StationStatistics& stats = station.statistics();
  QueueRun run{};
  run.rate_per_ns = rate;
  run.rho = rho;
  run.mean_wait = stats.wait_batches.mean();
  run.standard_error = stats.wait_batches.standard_error();
  run.utilization = station.utilization(horizon);
  run.mean_queue_length = stats.queue_length.mean(horizon);
  run.observed_rate_per_ns = static_cast<double>(stats.arrivals) / static_cast<double>(horizon - warmup);
  run.wait_p50 = stats.wait.percentile(0.5);
  run.wait_p90 = stats.wait.percentile(0.9);
  for (int i = 0; i < 1000 && stats.wait.percentile(i / 1000.0) == 0.0; ++i) run.wait_zero_fraction_upper = i / 1000.0;
  EXPECT_GT(stats.arrivals, static_cast<std::uint64_t>(0.98 * kCustomers));
  EXPECT_EQ(stats.rejected, 0U);
  return run;
}

void expect_matches_theory(const QueueRun& run, double theory_wait, const std::string& what) {
  SCOPED_TRACE(what);
  ::testing::Test::RecordProperty("mean_wait_ms", std::to_string(run.mean_wait / 1e6));
  ::testing::Test::RecordProperty("theory_wait_ms", std::to_string(theory_wait / 1e6));
  ::testing::Test::RecordProperty("standard_error_ms", std::to_string(run.standard_error / 1e6));
  EXPECT_LT(run.standard_error, 0.03 * theory_wait) << "the run is too short to test anything";
  EXPECT_GT(run.standard_error, 0.0);
  EXPECT_NEAR(run.mean_wait, theory_wait, kStandardErrors * run.standard_error)
      << "simulated " << run.mean_wait / 1e6 << " ms, theory " << theory_wait / 1e6 << " ms, standard error "
      << run.standard_error / 1e6 << " ms";
  // Utilisation: the busy fraction of the servers is rho (its noise is about 0.1% here).
  EXPECT_NEAR(run.utilization, run.rho, 0.01);
  // The arrival process has the rate asked for (Poisson count: relative error ~ 1 / sqrt(n)).
  EXPECT_NEAR(run.observed_rate_per_ns / run.rate_per_ns, 1.0, 5.0 / std::sqrt(kCustomers));
  // Little's law on the sample path: only the customers at the window's edges make it inexact.
  EXPECT_NEAR(run.mean_queue_length, run.observed_rate_per_ns * run.mean_wait, 0.01 * run.mean_queue_length);
  // ... and against theory, with the wait's tolerance carried over.
  EXPECT_NEAR(run.mean_queue_length, run.rate_per_ns * theory_wait,
              run.rate_per_ns * (kStandardErrors * run.standard_error) + 0.01 * run.mean_queue_length);
}

/// Erlang's C formula: the probability that an arrival waits in an M/M/c queue with offered load
/// a = lambda / mu (a < c). Summed term by term to stay accurate for large c.
double erlang_c(int c, double a) {
  double term = 1.0;  // a^k / k!
  double sum = 0.0;   // sum over k < c
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double last = term * c / (c - a);  // a^c / c! * c / (c - a)
  return last / (sum + last);
}

TEST(ErlangC, MatchesTabulatedValues) {
  // Reference values: c = 1 reduces to rho; c = 2, a = 1: 1/3; c = 5, a = 4.5: 0.7625 (from the
  // formula worked by hand: a^5/5! * 10 = 307.5469, sum_{k<5} = 1 + 4.5 + 10.125 + 15.1875 + 17.0859).
  EXPECT_NEAR(erlang_c(1, 0.8), 0.8, 1e-12);
  EXPECT_NEAR(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
  const double last = std::pow(4.5, 5) / 120.0 * 10.0;
  const double sum = 1 + 4.5 + 4.5 * 4.5 / 2 + std::pow(4.5, 3) / 6 + std::pow(4.5, 4) / 24;
  EXPECT_NEAR(erlang_c(5, 4.5), last / (sum + last), 1e-12);
  EXPECT_NEAR(erlang_c(5, 4.5), 0.76248, 1e-4);
}

TEST(QueueingTheory, MM1MeanWaitMatchesTheory) {
  constexpr double kRho = 0.8;
  const Distribution service = *Distribution::exponential(kServiceMeanNs);
  const QueueRun run = simulate(1, kRho, service, 101);
  // Wq = rho / (mu - lambda) = rho S / (1 - rho).
  const double theory = kRho * kServiceMeanNs / (1.0 - kRho);
  expect_matches_theory(run, theory, "M/M/1 rho=0.8");
  // The wait's distribution: P(Wq = 0) = 1 - rho, P(Wq > t) = rho exp(-(1 - rho) t / S).
  EXPECT_NEAR(run.wait_zero_fraction_upper, 1.0 - kRho, 0.01);
  const auto quantile = [&](double q) { return std::log(kRho / (1.0 - q)) * kServiceMeanNs / (1.0 - kRho); };
  EXPECT_NEAR(run.wait_p50 / quantile(0.5), 1.0, 0.05);
  EXPECT_NEAR(run.wait_p90 / quantile(0.9), 1.0, 0.05);
}

TEST(QueueingTheory, MMcMeanWaitMatchesErlangC) {
  constexpr int kServers = 5;
  constexpr double kRho = 0.9;
  const Distribution service = *Distribution::exponential(kServiceMeanNs);
  const QueueRun run = simulate(kServers, kRho, service, 202);
  // Wq = C(c, a) / (c mu - lambda) with a = lambda / mu = c rho.
  const double a = kServers * kRho;
  const double c = erlang_c(kServers, a);
  const double theory = c * kServiceMeanNs / (kServers - a);
  expect_matches_theory(run, theory, "M/M/5 rho=0.9");
  EXPECT_NEAR(run.wait_zero_fraction_upper, 1.0 - c, 0.01);
}

TEST(QueueingTheory, MD1MeanWaitMatchesPollaczekKhinchine) {
  constexpr double kRho = 0.8;
  const Distribution service = Distribution::constant(kServiceMeanNs);
  const QueueRun run = simulate(1, kRho, service, 303);
  // P-K with zero service variance: Wq = rho S / (2 (1 - rho)), half the M/M/1 wait.
  const double theory = kRho * kServiceMeanNs / (2.0 * (1.0 - kRho));
  expect_matches_theory(run, theory, "M/D/1 rho=0.8");
}

TEST(QueueingTheory, MG1WithLognormalServiceMatchesPollaczekKhinchine) {
  constexpr double kRho = 0.7;
  constexpr double kSigma = 1.0;  // squared coefficient of variation e^1 - 1 = 1.72
  const Distribution service = *Distribution::lognormal(std::log(kServiceMeanNs) - 0.5 * kSigma * kSigma, kSigma);
  ASSERT_NEAR(service.mean(), kServiceMeanNs, 1e-6 * kServiceMeanNs);
  const QueueRun run = simulate(1, kRho, service, 404);
  // P-K: Wq = lambda E[S^2] / (2 (1 - rho)), E[S^2] = Var S + (E S)^2.
  const double second_moment = service.variance() + service.mean() * service.mean();
  const double theory = run.rate_per_ns * second_moment / (2.0 * (1.0 - kRho));
  expect_matches_theory(run, theory, "M/G/1 lognormal rho=0.7");
}

}  // namespace
}  // namespace misim
