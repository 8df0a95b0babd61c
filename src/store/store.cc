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

size_t WriteBatch::ByteSize() const {
  size_t n = 0;
  for (const Mutation& m : mutations_) n += m.collection.size() + m.key.size() + m.value.size() + 16;
  return n;
}

}  // namespace cfr::store
