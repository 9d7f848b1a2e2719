// Result<T>: the value of an operation that can fail in an expected way, or the error saying why.
//
// Expected failures (a malformed duration, a bad scenario key, an unknown identity) are values in
// misim, never exceptions; broken invariants are assertions. An Error may carry the place in a
// source file it refers to, so the command line can print `FILE:LINE:COL: error: ...`.
//
//   Result<SimTime> t = parse_duration("5ms");
//   if (!t) { std::cerr << t.error().message; return; }
//   use(*t);
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace misim {

/// Where in a source file an error was found. Lines and columns count from 1; 0 means unknown.
struct SourcePlace {
  std::string file;
  int line = 0;
  int column = 0;
};

/// An expected failure, with what to change in the message.
struct Error {
  std::string message;
  SourcePlace place;

  /// `FILE:LINE:COL: error: message`, or `error: message` when the place is unknown.
  [[nodiscard]] std::string to_string() const {
    std::string out;
    if (!place.file.empty()) {
      out += place.file;
      if (place.line > 0) {
        out += ':' + std::to_string(place.line);
        if (place.column > 0) out += ':' + std::to_string(place.column);
      }
      out += ": ";
    }
    out += "error: ";
    out += message;
    return out;
  }
};

/// Either a T or an Error. Modelled on absl::StatusOr and C++23 std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  [[nodiscard]] const Error& error() const& { return std::get<1>(state_); }
  [[nodiscard]] Error&& error() && { return std::get<1>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

/// The result of an operation with no value: success, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace misim
