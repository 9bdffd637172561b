//===- Expected.h - A value or an error message -----------------*- C++ -*-===//
//
// The decomposition library reports bad user input (a rank of 0, an ε outside
// (0, 1), a parameter budget too small for any result, mismatched shapes) as
// values, never as exceptions or asserts: the compiler calls these routines
// on every weight of a model and must turn one bad request into a
// diagnostic, not a crash.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DECOMP_EXPECTED_H
#define FACET_DECOMP_EXPECTED_H

#include <optional>
#include <string>
#include <utility>

namespace facet::decomp {

/// An error message, the failure half of `Expected`.
struct Error {
  std::string message;
};

/// Makes an `Error` from a message (reads better at return sites).
inline Error makeError(std::string message) {
  return Error{std::move(message)};
}

/// Either a `T` or an `Error`. Test it with `operator bool` before using the
/// value; `error()` is meaningful only when it holds no value.
template <typename T> class Expected {
public:
  Expected(T value) : value(std::move(value)) {}
  Expected(Error error) : failure(std::move(error.message)) {}

  explicit operator bool() const { return value.has_value(); }
  bool hasValue() const { return value.has_value(); }

  T &operator*() { return *value; }
  const T &operator*() const { return *value; }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }

  /// The error message ("" when a value is held).
  const std::string &error() const { return failure; }

  /// Moves the value out (only when one is held).
  T take() { return std::move(*value); }

private:
  std::optional<T> value;
  std::string failure;
};

} // namespace facet::decomp

#endif // FACET_DECOMP_EXPECTED_H
