// Engine failures and refusals as values: a host gets a code it can map (to HTTP, say) and a
// message a person can read. User mistakes in process files are Diagnostics, not Status.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace termijn {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the request is malformed or its data does not fit the process
  kNotFound,            // no such process, case or task
  kPermissionDenied,    // the acting role may not do this
  kFailedPrecondition,  // not now: the task is closed, the case has ended, a guard refuses
  kInternal,            // the engine or its store failed
};

const char* to_string(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like absl::StatusOr
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool is_ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace termijn
