// A few threads that help a caller run the independent pieces of one task: the search-index
// entries of the records a transaction created (store_write.cc, FlushCreated).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace actiondb::engine {

class WorkPool {
 public:
  // `helpers` threads, started on the first Run with more than one piece; 0: Run does every
  // piece on the calling thread.
  explicit WorkPool(int helpers);
  ~WorkPool();  // waits for the helpers to finish their pieces and joins them
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  int helpers() const { return helpers_; }

  // Calls piece(0) .. piece(n - 1), each exactly once, on the calling thread and on idle
  // helpers, and returns when all have returned. The caller works too: it takes every piece no
  // helper has started, so a busy pool (another transaction's pieces) never makes it wait for
  // more than the pieces already running. Any number of threads may call Run at once.
  void Run(size_t n, const std::function<void(size_t)>& piece);

  // Helpers for Options::write_helper_threads: `requested` < 0 means one fewer than the
  // machine's cores, at most 3.
  static int HelpersFor(int requested);

 private:
  struct Job {
    const std::function<void(size_t)>* piece = nullptr;
    size_t n = 0;
    size_t next = 0;      // the next piece to claim (under mu_)
    size_t finished = 0;  // pieces returned (under mu_)
  };
  // Claims and runs pieces of `job` until none is left to claim. `lock` holds mu_ on entry
  // and on return.
  void Work(Job* job, std::unique_lock<std::mutex>* lock);
  void HelperLoop();

  const int helpers_;
  std::mutex mu_;
  std::condition_variable work_cv_;        // a job was queued, or the pool is stopping
  std::condition_variable done_cv_;        // a piece finished
  std::deque<std::shared_ptr<Job>> jobs_;  // jobs with pieces left to claim
  std::vector<std::thread> threads_;       // started on first need
  bool stopping_ = false;
};

}  // namespace actiondb::engine
