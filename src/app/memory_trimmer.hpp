// Returns freed heap memory to the operating system at a steady interval.
//
// glibc keeps pages freed inside its arenas mapped: under a mixed load (2 KB records beside
// 50-200 KB transcripts and blame responses) the free space scattered between live blocks grows
// for a long time, and the resident size with it, although the memory in use stays bounded.
// malloc_trim(0) gives those free pages back (madvise), which keeps the resident size near the
// memory actually in use. A pass over a ~100 MB heap takes milliseconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace ats::app {

class MemoryTrimmer {
 public:
  explicit MemoryTrimmer(std::chrono::milliseconds interval);
  ~MemoryTrimmer();  // stops the thread
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

 private:
  void Loop();

  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it uses
};

}  // namespace ats::app
