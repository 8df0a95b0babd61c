// libFuzzer target for the labelled data files of `cfr train/eval mules` (mule/dataset.h): the
// first byte chooses the transactions file (AMLSim CSV, or OpenCFR transfers CSV/NDJSON) or a
// labels file (read against a small fixed data set); the rest is the file's content, handed over
// through a memory file. Properties beyond "no crash": every error names a field, and a data set
// that loads has a graph holding every account it lists.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mule/dataset.h"

namespace {

// The content as a file path (/proc/self/fd/N of a memory file); empty on failure.
struct MemoryFile {
  int fd = -1;
  std::string path;
  MemoryFile(const uint8_t* data, size_t size) {
    fd = memfd_create("cfr-fuzz", 0);
    if (fd < 0) return;
    size_t done = 0;
    while (done < size) {
      const ssize_t n = write(fd, data + done, size - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  ~MemoryFile() {
    if (fd >= 0) close(fd);
  }
};

const cfr::mule::Dataset& Fixed() {
  static const cfr::mule::Dataset* data = [] {
    const std::string csv = "sourceNodeId,targetNodeId,value,time\n1,2,150.5,3\n2,3,99,4\n3,1,10,5\n";
    MemoryFile f(reinterpret_cast<const uint8_t*>(csv.data()), csv.size());
    auto d = cfr::mule::LoadTransactions(f.path);
    if (!d.ok()) std::abort();
    return new cfr::mule::Dataset(std::move(*d));
  }();
  return *data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool labels = data[0] % 2 == 1;
  MemoryFile file(data + 1, size - 1);
  if (file.path.empty()) return 0;
  if (labels) {
    auto l = cfr::mule::LoadLabels(file.path, Fixed());
    if (!l.ok() && l.status().field().empty()) std::abort();
    if (l.ok() && (l->is_mule.size() != Fixed().accounts.size() || l->reported.size() != l->is_mule.size())) {
      std::abort();
    }
    return 0;
  }
  auto d = cfr::mule::LoadTransactions(file.path);
  if (!d.ok()) {
    if (d.status().field().empty()) std::abort();
    return 0;
  }
  if (d->accounts.size() > d->graph->nodes()) std::abort();
  return 0;
}
