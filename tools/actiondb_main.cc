// actiondb: the command-line inspector of an ActionDB database, in the tradition of sqlite3 and
// RocksDB's ldb. `actiondb [--data DIR] [--json] COMMAND ...`; the commands live in
// tools/cli/*_commands.cc and docs/cli.md describes them all.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/cli/command.h"

int main(int argc, char** argv) {
  using namespace actiondb::cli;
  std::vector<std::string> words(argv + 1, argv + argc);
  std::string data_dir = DefaultDataDir();
  bool json = false;
  auto usage = [](const std::string& msg) {
    std::cerr << "usage error: " << msg << "\nusage: actiondb [--data DIR] [--json] COMMAND ...\n";
    return kExitUsage;
  };
  // Global options before the command.
  size_t i = 0;
  while (i < words.size()) {
    const std::string& w = words[i];
    if (w == "--json") {
      json = true;
      ++i;
    } else if (w == "--data") {
      if (i + 1 >= words.size()) return usage("--data needs a directory");
      data_dir = words[i + 1];
      i += 2;
    } else if (w.rfind("--data=", 0) == 0) {
      data_dir = w.substr(7);
      ++i;
    } else if (w == "--version") {
      std::cout << "actiondb " << ACTIONDB_VERSION << "\n";
      return kExitOk;
    } else {
      break;
    }
  }
  std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  // --data may also follow the command (up to a "--").
  for (size_t j = 0; j < rest.size(); ++j) {
    if (rest[j] == "--") break;
    if (rest[j] == "--data") {
      if (j + 1 >= rest.size()) return usage("--data needs a directory");
      data_dir = rest[j + 1];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(j),
                 rest.begin() + static_cast<std::ptrdiff_t>(j) + 2);
      --j;
    } else if (rest[j].rfind("--data=", 0) == 0) {
      data_dir = rest[j].substr(7);
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(j));
      --j;
    }
  }
  if (data_dir.empty()) return usage("--data needs a directory");
  Context ctx(data_dir, std::cout, std::cerr);
  ctx.set_json(json);
  ctx.set_progress_enabled(isatty(STDERR_FILENO) == 1);
  return RunCommandLine(AllCommands(), ctx, rest);
}
