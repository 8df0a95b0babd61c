// Names the calling thread, as `top -H`, `perf` and debuggers show it.
#ifndef CFR_CORE_THREAD_NAME_H_
#define CFR_CORE_THREAD_NAME_H_

#include <string_view>

namespace cfr {

// Linux keeps at most 15 bytes of a thread's name; a longer name is cut there.
void NameThisThread(std::string_view name);

}  // namespace cfr

#endif  // CFR_CORE_THREAD_NAME_H_
