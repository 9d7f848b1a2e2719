// The MPI side of a sweep (sweep_mpi.hpp). Messages, all on MPI_COMM_WORLD:
//   worker -> 0  kTagResult  a run's record as a journal line (empty: "ready, nothing to report")
//   0 -> worker  kTagRun     three uint64: point, replication, seed
//   0 -> worker  kTagStop    nothing: leave
// Both sides poll (MPI_Iprobe and a short sleep) rather than block: Open MPI's blocking calls
// spin a core, which on rank 0 would take it from the threads that run replications.
#include "sweep_mpi.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#if MISIM_WITH_MPI
#include <mpi.h>
#endif

namespace misim::cli {

namespace {

/// The value of an environment variable as a number, when set to one.
[[maybe_unused]] std::optional<long> environment_number(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (*end != '\0') return std::nullopt;
  return n;
}

/// Launchers announce themselves in the environment: Open MPI's mpirun (OMPI_COMM_WORLD_*), MPICH's
/// hydra and Slurm's PMI-2 (PMI_*), PMIx (srun --mpi=pmix, Open MPI 4 and later).
bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

/// Whether the launcher started more than this process, as far as the environment tells.
[[maybe_unused]] bool one_of_several() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (environment_number(name).value_or(1) > 1) return true;
  }
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    if (environment_number(name).value_or(0) > 0) return true;
  }
  return false;
}

#if MISIM_WITH_MPI
constexpr int kTagResult = 1;
constexpr int kTagRun = 2;
constexpr int kTagStop = 3;
// How long a poll sleeps when there was no message: short next to any run, long enough that an
// idle rank costs nothing measurable.
constexpr auto kPollPause = std::chrono::microseconds(200);
// How long a worker polls without sleeping after it sent a result: a few round trips.
constexpr auto kEagerPoll = std::chrono::milliseconds(2);

void send_stop(int rank) { MPI_Send(nullptr, 0, MPI_BYTE, rank, kTagStop, MPI_COMM_WORLD); }
#endif

}  // namespace

bool built_with_mpi() noexcept { return MISIM_WITH_MPI != 0; }

Result<MpiJob> MpiJob::join() {
  MpiJob job;
  if (!started_by_launcher()) return job;
#if MISIM_WITH_MPI
  int provided = 0;
  // Only the main thread calls MPI; the threads that run replications never do.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  job.joined_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &job.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &job.size_);
  return job;
#else
  if (one_of_several()) {
    return Error{
        "started by an MPI launcher as one of several processes, but this misim was built without MPI; "
        "rebuild with -DMISIM_WITH_MPI=ON (tools/setup --mpi), or run one process with --threads",
        {}};
  }
  return job;
#endif
}

MpiJob::MpiJob(MpiJob&& other) noexcept
    : rank_(other.rank_), size_(other.size_), joined_(std::exchange(other.joined_, false)) {}

MpiJob::~MpiJob() {
#if MISIM_WITH_MPI
  if (joined_) MPI_Finalize();
#endif
}

bool MpiJob::all_ok(bool ok) const {
#if MISIM_WITH_MPI
  if (joined_) {
    int mine = ok ? 1 : 0;
    int all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  }
#endif
  return ok;
}

std::string MpiJob::broadcast(const std::string& text) const {
#if MISIM_WITH_MPI
  if (joined_) {
    std::uint64_t length = text.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string out = rank_ == 0 ? text : std::string(length, '\0');
    MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD);
    return out;
  }
#endif
  return text;
}

void MpiJob::coordinate(SweepCoordinator& coordinator, const std::function<void()>& tick) const {
#if MISIM_WITH_MPI
  std::vector<int> waiting;  // ranks that asked when no run was ready
  int serving = size_ - 1;   // ranks not yet told to stop
  // Gives `rank` its next run, parks it, or tells it to stop; false when parked.
  const auto serve = [&](int rank) {
    SweepRun run;
    switch (coordinator.try_take(run)) {
      case SweepCoordinator::Take::kRun: {
        const std::array<std::uint64_t, 3> message = {run.point, run.replication, run.seed};
        MPI_Send(message.data(), 3, MPI_UINT64_T, rank, kTagRun, MPI_COMM_WORLD);
        return true;
      }
      case SweepCoordinator::Take::kWait:
        return false;
      case SweepCoordinator::Take::kOver:
        send_stop(rank);
        --serving;
        return true;
    }
    return false;
  };
  const std::size_t metric_count = coordinator.metric_count();
  while (serving > 0) {
    // Take every result that has arrived, give each sender its next run at once, then journal
    // the batch with one sync: ranks do not wait on rank 0's disk, and the sync is shared.
    std::vector<RunRecord> batch;
    for (;;) {
      int arrived = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &arrived, &status);
      if (arrived == 0) break;
      int length = 0;
      MPI_Get_count(&status, MPI_CHAR, &length);
      std::string line(static_cast<std::size_t>(length), '\0');
      MPI_Recv(line.data(), length, MPI_CHAR, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (length > 0) {
        if (std::optional<RunRecord> record = parse_run_record(line, metric_count)) {
          batch.push_back(std::move(*record));
        } else {
          coordinator.abandon();  // cannot happen between two copies of one misim; run again next time
        }
      }
      if (!serve(status.MPI_SOURCE)) waiting.push_back(status.MPI_SOURCE);
    }
    const bool idle = batch.empty();
    if (!idle) coordinator.complete(std::move(batch));
    // A wave that finished, or the end, may have something for the ranks that wait.
    std::erase_if(waiting, [&](int rank) { return serve(rank); });
    tick();
    if (idle) std::this_thread::sleep_for(kPollPause);  // else more may have arrived during the sync
  }
#else
  (void)coordinator;
  (void)tick;
#endif
}

void MpiJob::dismiss() const {
#if MISIM_WITH_MPI
  for (int served = 1; served < size_; ++served) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &status);
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string line(static_cast<std::size_t>(length), '\0');
    MPI_Recv(line.data(), length, MPI_CHAR, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    send_stop(status.MPI_SOURCE);
  }
#endif
}

void MpiJob::work(const SweepDefinition& sweep) const {
#if MISIM_WITH_MPI
  MPI_Send(nullptr, 0, MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);  // ready
  auto asked = std::chrono::steady_clock::now();
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
    if (arrived == 0) {
      // The answer usually comes within a round trip: poll without sleeping that long, then
      // sleep between polls (a rank parked until a precision wave ends costs nothing).
      if (std::chrono::steady_clock::now() - asked < kEagerPoll) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(kPollPause);
      }
      continue;
    }
    if (status.MPI_TAG == kTagStop) {
      MPI_Recv(nullptr, 0, MPI_BYTE, 0, kTagStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return;
    }
    std::array<std::uint64_t, 3> message{};
    MPI_Recv(message.data(), 3, MPI_UINT64_T, 0, kTagRun, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    const SweepRun run{message[0], message[1], message[2]};
    // No stop flag here: an interrupted job is ended by its launcher, and rank 0 keeps what finished.
    const std::optional<RunRecord> record = run_sweep_replication(sweep, run);
    const std::string line = run_record_json(*record);
    MPI_Send(line.data(), static_cast<int>(line.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
    asked = std::chrono::steady_clock::now();
  }
#else
  (void)sweep;
#endif
}

}  // namespace misim::cli
