#include "store/change_tail.h"

#include <algorithm>
#include <utility>

namespace cfr::store {
namespace {

size_t ByteSize(const Change& c) { return c.key.size() + (c.value ? c.value->size() : 0); }

std::string RecordId(const Change& c) {
  std::string id;
  id.reserve(c.collection.size() + 1 + c.key.size());
  id.append(c.collection).push_back('\0');
  id.append(c.key);
  return id;
}

}  // namespace

void ChangeTail::Append(std::vector<Change>&& changes) {
  if (changes.empty()) return;
  auto commit = std::make_shared<Commit>();
  for (const Change& c : changes) commit->bytes += ByteSize(c) + sizeof(Change);
  commit->changes = std::move(changes);
  commit->superseded = std::make_unique<std::atomic<bool>[]>(commit->changes.size());
  Commit* const added = commit.get();
  const uint64_t first = added->changes.front().seq, next = added->changes.back().seq + 1;
  std::deque<std::shared_ptr<const Commit>> evicted;  // freed after the lock is released
  bool kept = false;
  {
    std::lock_guard lock(mu_);
    if (first != next_seq_) {
      evicted.swap(commits_);  // not a continuation (the first commit, or a gap): start over
      bytes_ = 0;
      latest_.clear();
    }
    bytes_ += commit->bytes;
    commits_.push_back(std::move(commit));
    next_seq_ = next;
    while (!commits_.empty() && bytes_ > max_bytes_) {
      bytes_ -= commits_.front()->bytes;
      evicted.push_back(std::move(commits_.front()));
      commits_.pop_front();
    }
    kept = !commits_.empty() && commits_.back().get() == added;
  }
  // The latest versions (this thread's alone): an evicted commit's records have none in the tail
  // unless a later commit changed them; the new commit's versions supersede earlier ones.
  for (const auto& gone : evicted) {
    for (const Change& c : gone->changes) {
      auto it = latest_.find(RecordId(c));
      if (it != latest_.end() && it->second.commit == gone.get()) latest_.erase(it);
    }
  }
  if (!kept) return;  // larger than the tail: evicted at once
  for (size_t i = 0; i < added->changes.size(); ++i) {
    auto [it, inserted] = latest_.try_emplace(RecordId(added->changes[i]), Latest{added, i});
    if (inserted) continue;
    it->second.commit->superseded[it->second.index].store(true, std::memory_order_release);
    it->second = Latest{added, i};
  }
}

std::optional<std::vector<Change>> ChangeTail::Read(uint64_t after_seq, size_t limit,
                                                    size_t budget_bytes) const {
  // The page's changes, picked under the lock; the commits holding them are kept alive by
  // `from` while they are copied out after it.
  std::vector<std::shared_ptr<const Commit>> from;
  std::vector<const Change*> page;
  {
    std::lock_guard lock(mu_);
    if (next_seq_ != 0 && after_seq + 1 >= next_seq_) return std::vector<Change>();
    if (commits_.empty() || after_seq + 1 < commits_.front()->changes.front().seq) return std::nullopt;
    // The first commit that holds after_seq + 1 (commits are in seq order), and the ones after.
    auto it = std::partition_point(commits_.begin(), commits_.end(),
                                   [&](const auto& c) { return c->changes.back().seq <= after_seq; });
    size_t bytes = 0;
    for (; it != commits_.end() && page.size() < limit && bytes < budget_bytes; ++it) {
      const Commit& commit = **it;
      const uint64_t base = commit.changes.front().seq;
      const size_t before = page.size();
      for (size_t i = base > after_seq ? 0 : static_cast<size_t>(after_seq + 1 - base);
           i < commit.changes.size() && page.size() < limit && bytes < budget_bytes; ++i) {
        if (commit.superseded[i].load(std::memory_order_acquire)) continue;
        page.push_back(&commit.changes[i]);
        bytes += ByteSize(commit.changes[i]);
      }
      if (page.size() > before) from.push_back(*it);
    }
  }
  std::vector<Change> out;
  out.reserve(page.size());
  for (const Change* c : page) out.push_back(*c);
  return out;
}

size_t ChangeTail::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t ChangeTail::commits() const {
  std::lock_guard lock(mu_);
  return commits_.size();
}

}  // namespace cfr::store
