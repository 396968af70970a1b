// Durability: a child process writes records in a loop with sync on and reports each
// acknowledged id through a pipe; the parent SIGKILLs it mid-stream, reopens the database, runs
// the consistency checker, and requires every acknowledged record to be there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "actiondb/database.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

[[noreturn]] void ChildWriter(const std::string& dir, int fd) {
  Options o = testing::TestOptions();
  o.sync_mode = SyncMode::kSync;
  auto db = Database::Open(dir, o);
  if (!db.ok()) _exit(2);
  for (uint64_t i = 0;; ++i) {
    // Mix creates, updates and deletes so index maintenance is in flight when the kill lands.
    auto r = (*db)->Create("post", {{"title", Value::String("post " + std::to_string(i))},
                                    {"score", Value::Number(static_cast<double>(i % 97))}});
    if (!r.ok()) _exit(3);
    if (i % 5 == 4) {
      if (!(*db)->Update("post", r->id, {{"score", Value::Number(-1)}}).ok()) _exit(4);
    }
    uint64_t id = r->id;
    if (write(fd, &id, sizeof id) != sizeof id) _exit(5);
  }
}

TEST(CrashTest, SigkillMidWriteLosesNoAcknowledgedWriteAndStaysConsistent) {
  testing::TempDir dir;
  {
    auto db = Database::Open(dir.path(), testing::TestOptions());
    ASSERT_OK(db);
    ASSERT_OK((*db)->ApplySchema(testing::BlogSchema()));
  }
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      ChildWriter(dir.path(), fds[1]);
    }
    close(fds[1]);
    std::set<uint64_t> acked;
    uint64_t id;
    while (acked.size() < 150 && read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);
    kill(pid, SIGKILL);
    // Drain what was acknowledged before the kill landed.
    while (read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);
    close(fds[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
    ASSERT_GE(acked.size(), 150u);

    auto db = Database::Open(dir.path(), testing::TestOptions());
    ASSERT_OK(db);
    auto report = (*db)->Check();
    ASSERT_OK(report);
    std::string all;
    for (const auto& d : report->discrepancies) all += d + "\n";
    EXPECT_TRUE(report->ok()) << all;
    auto got = (*db)->MultiGet("post", std::vector<uint64_t>(acked.begin(), acked.end()));
    ASSERT_OK(got);
    size_t missing = 0;
    for (const auto& r : *got) missing += !r.has_value();
    EXPECT_EQ(missing, 0u) << "acknowledged records lost after SIGKILL";
    // New ids continue above everything acknowledged.
    auto next = (*db)->Create("post", {{"title", Value::String("after crash")}});
    ASSERT_OK(next);
    EXPECT_GT(next->id, *acked.rbegin());
  }
}

}  // namespace
}  // namespace actiondb
