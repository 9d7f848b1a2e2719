// A sweep across the ranks of an MPI job (mpirun, srun): rank 0 holds the plan and the journal and
// hands runs out one at a time as ranks ask (a work queue, so a slow run holds up only its rank);
// the other ranks run them and send the records back. All MPI calls live in sweep_mpi.cpp, built
// with MPI only when MISIM_WITH_MPI is on; without it a job is one process and nothing here needs
// MPI's headers.
#pragma once

#include <functional>
#include <string>

#include "misim/result.hpp"
#include "misim/sweep.hpp"
#include "sweep_coordinator.hpp"

namespace misim::cli {

class MpiJob {
 public:
  /// Joins the MPI job when a launcher started this process (MPI_Init_thread, main thread only);
  /// otherwise a job of one. An error when a launcher started several processes but this misim
  /// was built without MPI: each would run the whole sweep into the same files.
  static Result<MpiJob> join();
  MpiJob(MpiJob&& other) noexcept;
  MpiJob& operator=(MpiJob&&) = delete;
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;
  ~MpiJob();  // MPI_Finalize

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }
  /// True on every rank when `ok` is true on every rank (so all stop together on bad input).
  [[nodiscard]] bool all_ok(bool ok) const;
  /// Rank 0's `text` on every rank.
  [[nodiscard]] std::string broadcast(const std::string& text) const;

  /// Rank 0: serves the other ranks until the coordinator is over and every rank was told to stop;
  /// `tick` runs between messages (progress, interrupts).
  void coordinate(SweepCoordinator& coordinator, const std::function<void()>& tick) const;
  /// Rank 0 when there is nothing to do after all: tells every other rank to stop.
  void dismiss() const;
  /// Other ranks: ask rank 0 for runs, run them, send back the records, until told to stop.
  void work(const SweepDefinition& sweep) const;

 private:
  MpiJob() = default;
  int rank_ = 0;
  int size_ = 1;
  bool joined_ = false;
};

/// Whether this misim was built with MPI (for messages and docs).
[[nodiscard]] bool built_with_mpi() noexcept;

}  // namespace misim::cli
