#include "store/store.h"

namespace cfr::store {
namespace {

Mutation Make(Mutation::Op op, Mutation::Precondition pre, std::string_view collection, std::string_view key,
              std::string_view value) {
  return Mutation{op, pre, std::string(collection), std::string(key), std::string(value)};
}

}  // namespace

WriteBatch& WriteBatch::Put(std::string_view collection, std::string_view key, std::string_view value) {
  mutations_.push_back(Make(Mutation::Op::kPut, Mutation::Precondition::kNone, collection, key, value));
  return *this;
}

WriteBatch& WriteBatch::Insert(std::string_view collection, std::string_view key, std::string_view value) {
  mutations_.push_back(
      Make(Mutation::Op::kPut, Mutation::Precondition::kMustNotExist, collection, key, value));
  return *this;
}

WriteBatch& WriteBatch::Update(std::string_view collection, std::string_view key, std::string_view value) {
  mutations_.push_back(Make(Mutation::Op::kPut, Mutation::Precondition::kMustExist, collection, key, value));
  return *this;
}

WriteBatch& WriteBatch::PutIfSeq(std::string_view collection, std::string_view key, std::string_view value,
                                 uint64_t expected_seq) {
  Mutation m = Make(Mutation::Op::kPut, Mutation::Precondition::kMustMatchSeq, collection, key, value);
  m.expected_seq = expected_seq;
  mutations_.push_back(std::move(m));
  return *this;
}

WriteBatch& WriteBatch::Append(WriteBatch&& other) {
  mutations_.insert(mutations_.end(), std::make_move_iterator(other.mutations_.begin()),
                    std::make_move_iterator(other.mutations_.end()));
  other.mutations_.clear();
  return *this;
}

WriteBatch& WriteBatch::Delete(std::string_view collection, std::string_view key) {
  mutations_.push_back(Make(Mutation::Op::kDelete, Mutation::Precondition::kNone, collection, key, {}));
  return *this;
}

WriteBatch& WriteBatch::DeleteExisting(std::string_view collection, std::string_view key) {
  mutations_.push_back(Make(Mutation::Op::kDelete, Mutation::Precondition::kMustExist, collection, key, {}));
  return *this;
}

namespace {
constexpr size_t kMaxCollectionBytes = 64;
constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxValueBytes = 16 << 20;
}  // namespace

Status ValidateBatch(const WriteBatch& batch) {
  for (size_t i = 0; i < batch.mutations().size(); ++i) {
    const Mutation& m = batch.mutations()[i];
    const std::string where = "mutations[" + std::to_string(i) + "]";
    if (m.collection.empty() || m.collection.size() > kMaxCollectionBytes) {
      return InvalidArgument("store: collection name must have 1 to 64 bytes", where + ".collection");
    }
    if (m.key.size() > kMaxKeyBytes) return InvalidArgument("store: key exceeds 1 KiB", where + ".key");
    if (m.value.size() > kMaxValueBytes) {
      return InvalidArgument("store: value exceeds 16 MiB", where + ".value");
    }
  }
  return Status::Ok();
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xFF) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return {};
}

size_t WriteBatch::ByteSize() const {
  size_t n = 0;
  for (const Mutation& m : mutations_) n += m.collection.size() + m.key.size() + m.value.size() + 16;
  return n;
}

}  // namespace cfr::store
