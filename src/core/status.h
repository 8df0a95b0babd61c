// Status and Result<T>: errors as values.
//
// A Status is either OK or carries a code, a human-readable message and, where the error is
// about one input field, that field's path ("items[1].value"). Codes are few on purpose; they map
// to HTTP statuses in exactly one place (http/error_mapping.cc). Status is cheap to pass when OK
// (one pointer) and is thread-compatible (immutable once built).
//
// Result<T> holds either a T or a non-OK Status. Both are [[nodiscard]]: an ignored error is a
// compile error. To drop one on purpose, call IgnoreError(), which is easy to search for.
#ifndef CFR_CORE_STATUS_H_
#define CFR_CORE_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cfr {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong; names the field
  kUnauthenticated,   // no or bad credentials
  kPermissionDenied,  // credentials fine, not allowed
  kNotFound,
  kConflict,  // a precondition or uniqueness rule failed
  kPayloadTooLarge,
  kRateLimited,
  kUnavailable,  // try again later (store busy, disk full, shutting down)
  kInternal,     // a bug or an unexpected library failure
};

// The snake_case name used in API error bodies ("invalid_argument").
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {});
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // The path of the offending input field, or empty.
  const std::string& field() const;

  // Returns a copy whose field is `prefix` + "." + field (or `prefix` when field is empty);
  // used to turn "value" into "items[3].value". OK stays OK.
  Status WithFieldPrefix(std::string_view prefix) const;
  // Returns a copy with the field replaced.
  Status WithField(std::string field) const;
  // "invalid_argument: message (field: f)".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b);

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string field;
  };
  std::unique_ptr<Rep> rep_;
};

// The JSON object {"code":"invalid_argument","message":…,"field":…} ("field" only when set), as
// API error bodies, batch results and reject files show an error. Invalid UTF-8 is replaced.
std::string ErrorObjectJson(const Status& status);

Status InvalidArgument(std::string message, std::string field = {});
Status NotFound(std::string message);
Status Conflict(std::string message, std::string field = {});
Status Unavailable(std::string message);
Status Internal(std::string message);
Status PermissionDenied(std::string message);
Status Unauthenticated(std::string message);
Status PayloadTooLarge(std::string message, std::string field = {});

// Drops an error on purpose. Use sparingly; every call should be obviously right.
inline void IgnoreError(const Status&) {}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "OK status given to Result");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; OK when the Result holds a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  // Precondition: ok(). Calling these on an error is a programmer error.
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace cfr

#define CFR_CONCAT_INNER_(a, b) a##b
#define CFR_CONCAT_(a, b) CFR_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define CFR_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::cfr::Status cfr_status_ = (expr);        \
    if (!cfr_status_.ok()) return cfr_status_; \
  } while (false)

// `lhs = value of expr`, or returns its Status from the enclosing function. `lhs` may be a
// declaration ("int x"), so it cannot be parenthesised.
#define CFR_ASSIGN_OR_RETURN(lhs, expr)                                                             \
  auto CFR_CONCAT_(cfr_result_, __LINE__) = (expr);                                                 \
  if (!CFR_CONCAT_(cfr_result_, __LINE__).ok()) return CFR_CONCAT_(cfr_result_, __LINE__).status(); \
  lhs = std::move(CFR_CONCAT_(cfr_result_, __LINE__)).value()  // NOLINT(bugprone-macro-parentheses)

#endif  // CFR_CORE_STATUS_H_
