#include "engine/work_pool.h"

#include <algorithm>

namespace actiondb::engine {

WorkPool::WorkPool(int helpers) : helpers_(std::max(helpers, 0)) {}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

int WorkPool::HelpersFor(int requested) {
  if (requested >= 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores <= 1 ? 0 : static_cast<int>(std::min(cores - 1, 3u));
}

void WorkPool::Work(Job* job, std::unique_lock<std::mutex>* lock) {
  while (job->next < job->n) {
    const size_t i = job->next++;
    lock->unlock();
    (*job->piece)(i);
    lock->lock();
    if (++job->finished == job->n) done_cv_.notify_all();
  }
}

void WorkPool::HelperLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing is left to help with
    std::shared_ptr<Job> job = jobs_.front();
    if (job->next + 1 >= job->n) jobs_.pop_front();  // this helper claims the last piece
    Work(job.get(), &lock);
  }
}

void WorkPool::Run(size_t n, const std::function<void(size_t)>& piece) {
  if (n == 0) return;
  if (helpers_ == 0 || n == 1) {
    for (size_t i = 0; i < n; ++i) piece(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->piece = &piece;
  job->n = n;
  std::unique_lock<std::mutex> lock(mu_);
  while (threads_.size() < static_cast<size_t>(helpers_)) {
    threads_.emplace_back([this] { HelperLoop(); });
  }
  jobs_.push_back(job);
  work_cv_.notify_all();
  Work(job.get(), &lock);
  // Every piece is claimed: no helper takes the job from the queue any more.
  if (auto it = std::find(jobs_.begin(), jobs_.end(), job); it != jobs_.end()) jobs_.erase(it);
  done_cv_.wait(lock, [&] { return job->finished == job->n; });
}

}  // namespace actiondb::engine
