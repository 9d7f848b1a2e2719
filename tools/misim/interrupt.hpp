// Interrupts: SIGINT and SIGTERM caught as a flag, for the long commands (misim run, misim sweep)
// to stop cleanly and still write what they have (docs/reliability.md, "Interrupted runs").
//
// The handler only stores the signal's number in a volatile sig_atomic_t; the event loop watches
// it after every event (Simulation::stop_when) and the command finishes its work outside the
// handler. The handler is installed with SA_RESETHAND, and let_next_kill() restores the default
// action of both signals once the command has seen the first: a second signal ends the process at
// once, and the output directory (written aside, renamed at the end) keeps its older files.
//
//   Interrupts interrupts;                       // before anything is written
//   simulation.stop_when(interrupts.flag());
//   ... run ...
//   interrupts.let_next_kill();
//   if (interrupts.requested()) return interrupts.exit_status();   // 130 (SIGINT) or 143 (SIGTERM)
#pragma once

#include <signal.h>

#include <csignal>

namespace misim::cli {

class Interrupts {
 public:
  /// Installs the handler for SIGINT and SIGTERM and clears the flag.
  Interrupts();
  /// Restores the dispositions found by the constructor.
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  /// Non-zero (the signal's number) once SIGINT or SIGTERM arrived.
  [[nodiscard]] static const volatile std::sig_atomic_t* flag() noexcept;
  [[nodiscard]] static bool requested() noexcept { return *flag() != 0; }
  /// The exit status of an interrupted command, as a shell reports a death by that signal:
  /// 128 + its number (130 for SIGINT, 143 for SIGTERM).
  [[nodiscard]] static int exit_status() noexcept { return 128 + *flag(); }
  /// From now on SIGINT and SIGTERM end the process at once (their default action).
  void let_next_kill() noexcept;

  /// Holds SIGINT and SIGTERM back while alive (around renaming the files into place, so an
  /// interrupt never leaves some files new and some old); a held signal is delivered after.
  class Hold {
   public:
    Hold() noexcept;
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    sigset_t previous_{};
  };

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace misim::cli
