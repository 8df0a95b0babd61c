// JSON string escaping, and a writer of fixed-shape JSON, for hot output paths that write JSON
// directly (screening results, log lines, records written on every report) instead of building
// a DOM. Not a general JSON library: callers write the structure.
#ifndef CFR_CORE_JSON_ESCAPE_H_
#define CFR_CORE_JSON_ESCAPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cfr {

// Appends `s` as a quoted JSON string. Control characters are escaped; invalid UTF-8 bytes are
// replaced with U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);

// Writes fixed-shape JSON (a stored record, a response) straight into a string, for the hot
// paths where building a nlohmann::json DOM first cost more than the work around it. Members come
// in the order called: a record that must read byte for byte as nlohmann::json wrote it lists its
// keys sorted. Keys are written as given (callers pass literals); strings are escaped as
// AppendJsonString does. Nesting up to 32 levels; the caller closes what it opens.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value the caller already wrote as JSON (a nested document, a number in another format).
  JsonWriter& Raw(std::string_view json);

  // A member: Key(key) and its value.
  JsonWriter& Member(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, bool value) { return Key(key).Bool(value); }
  // A string member, or null when the value is empty.
  JsonWriter& StringOrNull(std::string_view key, std::string_view value);
  // An array of strings.
  JsonWriter& Strings(std::string_view key, const std::vector<std::string>& values);

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void BeforeValue();

  std::string* out_;
  uint32_t depth_ = 0;
  uint32_t not_first_ = 0;  // bit d: the container at depth d has a member or element already
  bool after_key_ = false;
};

}  // namespace cfr

#endif  // CFR_CORE_JSON_ESCAPE_H_
