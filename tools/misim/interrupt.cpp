#include "interrupt.hpp"

namespace misim::cli {

namespace {

volatile std::sig_atomic_t g_signal = 0;

// Async-signal-safe: one store, nothing else (SA_RESETHAND restores the default action).
extern "C" void on_interrupt(int signal) { g_signal = signal; }

struct sigaction catching() {
  struct sigaction a {};
  a.sa_handler = on_interrupt;
  sigemptyset(&a.sa_mask);
  sigaddset(&a.sa_mask, SIGINT);
  sigaddset(&a.sa_mask, SIGTERM);
  a.sa_flags = SA_RESETHAND | SA_RESTART;
  return a;
}

void set_default(int signal) {
  struct sigaction a {};
  a.sa_handler = SIG_DFL;
  sigemptyset(&a.sa_mask);
  ::sigaction(signal, &a, nullptr);
}

}  // namespace

Interrupts::Interrupts() {
  g_signal = 0;
  const struct sigaction a = catching();
  ::sigaction(SIGINT, &a, &previous_int_);
  ::sigaction(SIGTERM, &a, &previous_term_);
}

Interrupts::~Interrupts() {
  ::sigaction(SIGINT, &previous_int_, nullptr);
  ::sigaction(SIGTERM, &previous_term_, nullptr);
}

const volatile std::sig_atomic_t* Interrupts::flag() noexcept { return &g_signal; }

void Interrupts::let_next_kill() noexcept {
  set_default(SIGINT);
  set_default(SIGTERM);
}

Interrupts::Hold::Hold() noexcept {
  sigset_t held;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

Interrupts::Hold::~Hold() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

}  // namespace misim::cli
