// SweepCoordinator: one sweep's plan, journal and counts, shared under a lock by the threads that
// run replications and, on MPI rank 0, by the loop that serves the other ranks. A finished run is
// written to the journal before the plan counts it, so what the plan knows is always on disk.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "misim/sweep.hpp"

namespace misim::cli {

class SweepCoordinator {
 public:
  /// `stop_after` > 0 stops the sweep once that many runs finished in this session, as an
  /// interrupt would (a test hook for resuming).
  SweepCoordinator(const SweepDefinition& sweep, SweepJournal& journal, std::size_t stop_after);

  /// The next run; waits while the plan has none ready. Nothing once the sweep is over or stopping.
  [[nodiscard]] std::optional<SweepRun> wait_for_run();
  enum class Take { kRun, kWait, kOver };
  /// The next run if one is ready now (kRun, in `run`); kWait: ask again later.
  [[nodiscard]] Take try_take(SweepRun& run);
  /// A run handed out has finished: journalled, then counted (dropped when stopping).
  void complete(RunRecord record);
  /// Runs that finished together: journalled with one sync, then counted in order.
  void complete(std::vector<RunRecord> records);
  /// A run handed out was given up (stopped before its end).
  void abandon();
  /// Hands out nothing more; runs in flight see stop_flag() and give up.
  void stop();
  /// Waits up to `timeout` for the sweep to be over.
  [[nodiscard]] bool wait_over(std::chrono::milliseconds timeout);

  [[nodiscard]] const std::atomic<bool>& stop_flag() const noexcept { return stop_; }
  [[nodiscard]] std::size_t metric_count() const noexcept { return metric_count_; }
  [[nodiscard]] bool stopped() const noexcept { return stop_.load(); }

  struct Counts {
    std::size_t finished = 0;  // in the plan, from the journal or this session
    std::size_t wanted = 0;
    std::size_t failed = 0;
    std::size_t running = 0;
    std::size_t resumed = 0;        // taken from the journal
    std::size_t finished_here = 0;  // run in this session
  };
  [[nodiscard]] Counts counts() const;
  [[nodiscard]] std::vector<RunRecord> records() const;
  /// Why the journal could not be written, when it could not (the sweep then stops).
  [[nodiscard]] std::optional<Error> journal_error() const;

 private:
  [[nodiscard]] bool over_locked() const { return plan_.done() || (stop_.load() && running_ == 0); }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  SweepPlan plan_;
  SweepJournal& journal_;
  std::atomic<bool> stop_{false};
  std::size_t running_ = 0;
  std::size_t finished_here_ = 0;
  std::size_t stop_after_;
  std::size_t metric_count_;
  std::optional<Error> journal_error_;
};

}  // namespace misim::cli
