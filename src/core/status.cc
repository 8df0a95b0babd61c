#include "core/status.h"

#include "core/json_escape.h"

namespace cfr {

std::string ErrorObjectJson(const Status& status) {
  std::string out = "{\"code\":";
  AppendJsonString(StatusCodeName(status.code()), &out);
  out += ",\"message\":";
  AppendJsonString(status.message(), &out);
  if (!status.field().empty()) {
    out += ",\"field\":";
    AppendJsonString(status.field(), &out);
  }
  out += '}';
  return out;
}

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kPayloadTooLarge:
      return "payload_too_large";
    case StatusCode::kRateLimited:
      return "rate_limited";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "internal";
}

Status::Status(StatusCode code, std::string message, std::string field) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_unique<Rep>(Rep{code, std::move(message), std::move(field)});
  }
}

Status::Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::string& Status::field() const {
  static const std::string kEmpty;
  return rep_ ? rep_->field : kEmpty;
}

Status Status::WithFieldPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  std::string f(prefix);
  if (!rep_->field.empty()) {
    if (rep_->field.front() != '[') f += '.';
    f += rep_->field;
  }
  return Status(rep_->code, rep_->message, std::move(f));
}

Status Status::WithField(std::string field) const {
  if (ok()) return Status();
  return Status(rep_->code, rep_->message, std::move(field));
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(rep_->code));
  s += ": ";
  s += rep_->message;
  if (!rep_->field.empty()) {
    s += " (field: ";
    s += rep_->field;
    s += ")";
  }
  return s;
}

bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message() && a.field() == b.field();
}

Status InvalidArgument(std::string message, std::string field) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
}
Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
Status Conflict(std::string message, std::string field) {
  return Status(StatusCode::kConflict, std::move(message), std::move(field));
}
Status Unavailable(std::string message) { return Status(StatusCode::kUnavailable, std::move(message)); }
Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }
Status PermissionDenied(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}
Status Unauthenticated(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}
Status PayloadTooLarge(std::string message, std::string field) {
  return Status(StatusCode::kPayloadTooLarge, std::move(message), std::move(field));
}

}  // namespace cfr
