// Sequence diagrams of token requests (`misim trace sequence`): what happened between the
// application's client SDK, the host's token endpoint (IMDS), AAD and the target, for teaching and
// docs. The output is Mermaid (https://mermaid.js.org/syntax/sequenceDiagram.html), which GitHub,
// many editors and the Mermaid live editor render.
//
//   RequestSequence sequence(42);
//   if (Status s = convert(*reader, sequence); !s) fail(s.error());   // stops after request 42
//   if (!sequence.found()) fail("no request 42");
//   std::cout << sequence.mermaid();
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "misim/trace_convert.hpp"

namespace misim {

/// Collects one token request's attempts and AAD visits, streaming until the request has ended.
class RequestSequence final : public TraceConsumer {
 public:
  explicit RequestSequence(std::uint64_t request);
  ~RequestSequence() override;
  RequestSequence(const RequestSequence&) = delete;
  RequestSequence& operator=(const RequestSequence&) = delete;

  void on_header(const TraceHeader& header) override;
  void on_entity(const TraceEntity& entity) override;
  void on_event(const TraceEvent& event) override;
  [[nodiscard]] bool done() const noexcept override;
  [[nodiscard]] std::size_t retained_records() const noexcept override;

  /// The request's own record (kTokenRequest) was read.
  [[nodiscard]] bool found() const noexcept;
  /// Why there is no diagram, when found() is false after the whole trace was read.
  [[nodiscard]] std::string why_not_found() const;
  /// The diagram (Mermaid `sequenceDiagram`), with a trailing newline.
  [[nodiscard]] std::string mermaid() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// A one-line description of some of a trace's token requests, to choose one for a diagram: the
/// first `first` requests and up to `failed` of those that ended without a token.
class RequestIndex final : public TraceConsumer {
 public:
  explicit RequestIndex(std::size_t first = 20, std::size_t failed = 20);
  ~RequestIndex() override;
  RequestIndex(const RequestIndex&) = delete;
  RequestIndex& operator=(const RequestIndex&) = delete;

  void on_header(const TraceHeader& header) override;
  void on_entity(const TraceEntity& entity) override;
  void on_event(const TraceEvent& event) override;
  [[nodiscard]] bool done() const noexcept override;
  [[nodiscard]] std::size_t retained_records() const noexcept override;

  /// A line per request listed (a heading first), or a sentence saying why there are none.
  [[nodiscard]] std::string text() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace misim
