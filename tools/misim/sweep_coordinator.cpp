#include "sweep_coordinator.hpp"

namespace misim::cli {

SweepCoordinator::SweepCoordinator(const SweepDefinition& sweep, SweepJournal& journal, std::size_t stop_after)
    : plan_(sweep, journal.finished()),
      journal_(journal),
      stop_after_(stop_after),
      metric_count_(sweep.metrics.size()) {}

std::optional<SweepRun> SweepCoordinator::wait_for_run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_.load() || plan_.done()) return std::nullopt;
    if (std::optional<SweepRun> run = plan_.next()) {
      ++running_;
      return run;
    }
    // Every run is out, but a point's wave may still ask for more when the runs in flight finish.
    changed_.wait(lock);
  }
}

SweepCoordinator::Take SweepCoordinator::try_take(SweepRun& run) {
  const std::scoped_lock lock(mutex_);
  if (over_locked()) return Take::kOver;
  if (stop_.load()) return Take::kWait;  // over once the runs in flight give up
  if (std::optional<SweepRun> next = plan_.next()) {
    ++running_;
    run = *next;
    return Take::kRun;
  }
  return Take::kWait;
}

void SweepCoordinator::complete(RunRecord record) {
  std::vector<RunRecord> one;
  one.push_back(std::move(record));
  complete(std::move(one));
}

void SweepCoordinator::complete(std::vector<RunRecord> records) {
  {
    const std::scoped_lock lock(mutex_);
    running_ -= records.size();
    // After a stop, what finishes is not kept: the next session runs it again, as after a kill.
    // The test hook's stop keeps exactly its count, as a kill after that many would.
    if (!stop_.load() && stop_after_ > 0 && finished_here_ + records.size() > stop_after_) {
      records.resize(stop_after_ - finished_here_);
    }
    if (!stop_.load() && !records.empty()) {
      if (Status s = journal_.append(records); !s) {
        journal_error_ = s.error();
        stop_ = true;
      } else {
        for (RunRecord& r : records) plan_.complete(std::move(r));
        finished_here_ += records.size();
        if (stop_after_ > 0 && finished_here_ >= stop_after_) stop_ = true;
      }
    }
  }
  changed_.notify_all();
}

void SweepCoordinator::abandon() {
  {
    const std::scoped_lock lock(mutex_);
    --running_;
  }
  changed_.notify_all();
}

void SweepCoordinator::stop() {
  {
    const std::scoped_lock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
}

bool SweepCoordinator::wait_over(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return over_locked(); });
}

SweepCoordinator::Counts SweepCoordinator::counts() const {
  const std::scoped_lock lock(mutex_);
  return {plan_.finished(), plan_.wanted(), plan_.failed(), running_, plan_.resumed(), finished_here_};
}

std::vector<RunRecord> SweepCoordinator::records() const {
  const std::scoped_lock lock(mutex_);
  return plan_.records();
}

std::optional<Error> SweepCoordinator::journal_error() const {
  const std::scoped_lock lock(mutex_);
  return journal_error_;
}

}  // namespace misim::cli
