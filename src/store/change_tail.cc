#include "store/change_tail.h"

#include <algorithm>
#include <utility>

#include <absl/hash/hash.h>

namespace cfr::store {
namespace {

size_t ByteSize(const Change& c) { return c.key.size() + (c.value ? c.value->size() : 0); }

uint64_t RecordHash(const Change& c) {
  return absl::HashOf(std::string_view(c.collection), std::string_view(c.key));
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
  // The latest versions (this thread's alone): the new commit's versions supersede earlier ones
  // still in the tail. Entries of evicted commits are found stale by their seq.
  changes_ += added->changes.size();
  for (const auto& gone : evicted) changes_ -= gone->changes.size();
  if (!kept) return;  // larger than the tail: evicted at once
  for (size_t i = 0; i < added->changes.size(); ++i) {
    const Change& c = added->changes[i];
    auto [it, inserted] = latest_.try_emplace(RecordHash(c), c.seq);
    if (inserted) continue;
    Commit* owner = nullptr;
    size_t index = 0;
    if (const Change* before = Find(it->second, &owner, &index);
        before != nullptr && before->key == c.key && before->collection == c.collection) {
      owner->superseded[index].store(true, std::memory_order_release);
    }
    it->second = c.seq;
  }
  if (latest_.size() > 4 * changes_ + 4096) Prune();
}

const Change* ChangeTail::Find(uint64_t seq, Commit** commit, size_t* index) const {
  // commits_ changes only on this (the appender's) thread: read without the lock.
  if (commits_.empty() || seq < commits_.front()->changes.front().seq) return nullptr;
  auto it = std::partition_point(commits_.begin(), commits_.end(),
                                 [&](const auto& c) { return c->changes.back().seq < seq; });
  if (it == commits_.end()) return nullptr;
  const uint64_t base = (*it)->changes.front().seq;
  if (seq < base) return nullptr;
  *commit = const_cast<Commit*>(it->get());
  *index = static_cast<size_t>(seq - base);
  return &(*it)->changes[*index];
}

void ChangeTail::Prune() {
  const uint64_t oldest = commits_.empty() ? UINT64_MAX : commits_.front()->changes.front().seq;
  absl::erase_if(latest_, [&](const auto& entry) { return entry.second < oldest; });
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
