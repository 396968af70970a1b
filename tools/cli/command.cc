// The command framework: argument parsing, help, dispatch, error printing and the Context that
// opens the database once per process (or per shell session).
#include "tools/cli/command.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace actiondb::cli {

std::string DefaultDataDir() {
  const char* env = std::getenv("ACTIONDB_DATA");
  if (env != nullptr && env[0] != '\0') return env;
  return kDefaultDataDir;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

// ---- Context ----

Context::Context(std::string data_dir, std::ostream& out, std::ostream& err)
    : data_dir_(std::move(data_dir)), out_(out), err_(err) {}

Context::~Context() = default;

bool Context::DatabaseExists() const {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(data_dir_) / "CURRENT", ec);
}

Result<Database*> Context::OpenDatabase(bool create) {
  if (db_) return db_.get();
  if (!create && !DatabaseExists()) {
    return Status(Code::kInvalidArgument,
                  "no database in " + data_dir_ +
                      "; create one with `actiondb init` (or try `actiondb example`), or point "
                      "--data / $ACTIONDB_DATA at an existing one");
  }
  Options options;
  options.create_if_missing = create;
  // The CLI is a short-lived inspector: a small cache is plenty.
  options.block_cache_bytes = 32u << 20;
  options.row_cache_bytes = 8u << 20;
  options.fast_password_hashing = fast_password_hashing_;
  ASSIGN_OR_RETURN(db_, Database::Open(data_dir_, options));
  return db_.get();
}

void Context::CloseDatabase() { db_.reset(); }

// ---- help ----

namespace {

std::string PositionalsText(const Command& c) {
  std::string s;
  for (const auto& p : c.positionals()) {
    s += " ";
    s += p.optional ? "[" + p.name + "]" : p.name;
  }
  return s;
}

}  // namespace

std::string Command::UsageLine() const {
  std::string s = name() + PositionalsText(*this);
  for (const auto& o : options()) {
    s += " [--" + o.name;
    if (o.value != OptionValueKind::kNone) s += " " + o.value_name;
    s += "]";
  }
  return s;
}

std::string Command::Help() const {
  std::ostringstream h;
  h << "usage: actiondb [--data DIR] [--json] " << UsageLine() << "\n\n" << summary() << "\n";
  std::string d = details();
  if (!d.empty()) h << "\n" << d << (d.back() == '\n' ? "" : "\n");
  h << "\noptions:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& o : options()) {
    std::string left = "--" + o.name;
    if (o.value != OptionValueKind::kNone) left += " " + o.value_name;
    rows.emplace_back(left, o.help);
  }
  rows.emplace_back("--json", "machine-readable JSON output");
  rows.emplace_back("--data DIR", "the database directory (default: $ACTIONDB_DATA, else " +
                                      std::string(kDefaultDataDir) + ")");
  rows.emplace_back("--help", "this help");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& r : rows) {
    h << "  " << r.first << std::string(width - r.first.size() + 2, ' ') << r.second << "\n";
  }
  return h.str();
}

std::string GeneralHelp(const std::vector<std::unique_ptr<Command>>& commands) {
  std::ostringstream h;
  h << "actiondb: inspect and edit an ActionDB database\n\n"
    << "usage: actiondb [--data DIR] [--json] COMMAND [ARGS...]\n"
    << "       actiondb COMMAND --help\n\n"
    << "The database directory is --data DIR, else $ACTIONDB_DATA, else " << kDefaultDataDir
    << ".\nStart with `actiondb example`.\n\ncommands:\n";
  size_t width = 0;
  for (const auto& c : commands) width = std::max(width, c->name().size());
  for (const auto& c : commands) {
    h << "  " << c->name() << std::string(width - c->name().size() + 2, ' ') << c->summary()
      << "\n";
  }
  h << "\nexit codes: 0 ok, 1 error, 2 usage error, 3 check found discrepancies\n";
  return h.str();
}

// ---- dispatch ----

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  AddSchemaCommands(&all);
  AddRecordCommands(&all);
  AddFindCommands(&all);
  AddTransferCommands(&all);
  AddMaintenanceCommands(&all);
  AddExampleCommands(&all);
  AddShellCommands(&all);
  return all;
}

const Command* FindCommand(const std::vector<std::unique_ptr<Command>>& commands,
                           const std::vector<std::string>& words, size_t* consumed) {
  if (words.empty()) return nullptr;
  if (words.size() >= 2) {
    std::string two = words[0] + " " + words[1];
    for (const auto& c : commands) {
      if (c->name() == two) {
        *consumed = 2;
        return c.get();
      }
    }
  }
  for (const auto& c : commands) {
    if (c->name() == words[0]) {
      *consumed = 1;
      return c.get();
    }
  }
  return nullptr;
}

Result<Args> ParseArgs(const Command& command, const std::vector<std::string>& words) {
  Args args;
  std::vector<OptionSpec> specs = command.options();
  specs.push_back({"json", OptionValueKind::kNone, "", ""});
  specs.push_back({"data", OptionValueKind::kText, "DIR", ""});
  specs.push_back({"help", OptionValueKind::kNone, "", ""});
  bool options_done = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (options_done || w.size() < 2 || w.compare(0, 2, "--") != 0) {
      args.positionals.push_back(w);
      continue;
    }
    if (w == "--") {
      options_done = true;
      continue;
    }
    std::string name = w.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return Status(Code::kInvalidArgument, "unknown option --" + name);
    }
    if (spec->value == OptionValueKind::kNone) {
      if (inline_value) return Status(Code::kInvalidArgument, "--" + name + " takes no value");
      args.options[name] = "";
    } else if (inline_value) {
      args.options[name] = *inline_value;
    } else {
      if (i + 1 >= words.size()) {
        return Status(Code::kInvalidArgument, "--" + name + " needs a value");
      }
      args.options[name] = words[++i];
    }
  }
  if (args.Has("help")) return args;  // positionals are not checked for --help
  std::vector<PositionalSpec> pos = command.positionals();
  size_t required = 0;
  for (const auto& p : pos) required += p.optional ? 0 : 1;
  if (args.positionals.size() < required) {
    return Status(Code::kInvalidArgument, "missing " + pos[args.positionals.size()].name);
  }
  if (args.positionals.size() > pos.size()) {
    return Status(Code::kInvalidArgument,
                  "unexpected argument \"" + args.positionals[pos.size()] + "\"");
  }
  return args;
}

void PrintError(std::ostream& err, const Status& status) { err << status.ToString() << "\n"; }

int RunCommandLine(const std::vector<std::unique_ptr<Command>>& commands, Context& ctx,
                   const std::vector<std::string>& words) {
  ctx.set_exit_code(kExitOk);
  if (words.empty() || words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
    if (words.size() >= 2) {
      size_t consumed = 0;
      std::vector<std::string> rest(words.begin() + 1, words.end());
      if (const Command* c = FindCommand(commands, rest, &consumed)) {
        ctx.out() << c->Help();
        return kExitOk;
      }
    }
    (words.empty() ? ctx.err() : ctx.out()) << GeneralHelp(commands);
    return words.empty() ? kExitUsage : kExitOk;
  }
  size_t consumed = 0;
  const Command* command = FindCommand(commands, words, &consumed);
  if (command == nullptr) {
    ctx.err() << "usage error: unknown command \"" << words[0]
              << "\" (`actiondb --help` lists the commands)\n";
    return kExitUsage;
  }
  std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end());
  Result<Args> args = ParseArgs(*command, rest);
  if (!args.ok()) {
    ctx.err() << "usage error: " << args.status().message() << "\nusage: actiondb "
              << command->UsageLine() << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    ctx.out() << command->Help();
    return kExitOk;
  }
  bool saved_json = ctx.json();
  if (args->Has("json")) ctx.set_json(true);
  if (args->Has("data")) {
    ctx.set_json(saved_json);
    ctx.err() << "usage error: --data must come before the command inside `shell`\n";
    return kExitUsage;
  }
  Status s = command->Run(ctx, *args);
  ctx.set_json(saved_json);
  ctx.out().flush();
  if (!s.ok()) {
    if (ctx.exit_code() == kExitUsage) {
      ctx.err() << "usage error: " << s.message() << "\nusage: actiondb " << command->UsageLine()
                << "\n";
      return kExitUsage;
    }
    PrintError(ctx.err(), s);
    return ctx.exit_code() == kExitOk ? kExitError : ctx.exit_code();
  }
  return ctx.exit_code();
}

}  // namespace actiondb::cli
