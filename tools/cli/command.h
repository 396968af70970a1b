// The `actiondb` CLI's command framework, in the manner of RocksDB's tools/ldb_cmd.h: every
// command is a class with a name, a one-line summary, its usage, its options and a Run function.
// The same Command objects serve the one-shot command line (tools/actiondb_main.cc) and the
// interactive `shell` (tools/cli/shell_command.cc), which also completes their names, options,
// model names and field names.
//
// Exit codes (docs/cli.md): 0 ok, 1 error (a `GGT_CODE: message` line on stderr), 2 usage error,
// 3 `check` found discrepancies.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/status.h"

namespace actiondb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCheckFailed = 3;

// The data directory when neither --data nor $ACTIONDB_DATA names one.
inline constexpr const char* kDefaultDataDir = "./actiondb-data";

// $ACTIONDB_DATA when set and non-empty, else kDefaultDataDir.
std::string DefaultDataDir();

// What an option completes to in the shell.
enum class OptionValueKind { kNone, kText, kFields, kFile };

struct OptionSpec {
  std::string name;                                // without the leading "--"
  OptionValueKind value = OptionValueKind::kNone;  // kNone: a flag
  std::string value_name;                          // "FILE", "N", ... for help
  std::string help;
};

// What a command's positional arguments are, for help and shell completion.
enum class PositionalKind { kModel, kText, kFile };

struct PositionalSpec {
  std::string name;  // "MODEL", "ID", "JSON", "FILE"
  PositionalKind kind = PositionalKind::kText;
  bool optional = false;
};

// Parsed arguments of one command: options by name (flags map to "") and positionals in order.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> positionals;

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  // The option's value, or `fallback` when absent.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// The state a command runs against: where the database is, how to print, and the database,
// opened on first use and kept open (the shell runs many commands against one Database).
// Not thread-safe.
class Context {
 public:
  Context(std::string data_dir, std::ostream& out, std::ostream& err);
  ~Context();

  const std::string& data_dir() const { return data_dir_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  // --json: machine-readable output on stdout.
  bool json() const { return json_; }
  void set_json(bool json) { json_ = json; }
  // Whether progress bars are drawn (stderr is a terminal).
  bool progress_enabled() const { return progress_enabled_; }
  void set_progress_enabled(bool enabled) { progress_enabled_ = enabled; }
  // Options.fast_password_hashing for the next OpenDatabase (the example's sample data).
  void set_fast_password_hashing(bool fast) { fast_password_hashing_ = fast; }

  // The database in data_dir(), opening it on the first call. Without `create`, a directory
  // that holds no database fails with kInvalidArgument telling the user to run `init`.
  // kDatabaseLocked when another process holds it. The pointer stays valid until
  // CloseDatabase() or destruction.
  Result<Database*> OpenDatabase(bool create = false);
  bool database_open() const { return db_ != nullptr; }
  void CloseDatabase();
  // True when data_dir() holds a database (its RocksDB CURRENT file exists).
  bool DatabaseExists() const;

  // Set by a command that finished but wants a non-zero exit code (check: kExitCheckFailed;
  // usage errors found after parsing: kExitUsage). Reset before each command.
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  std::string data_dir_;
  std::ostream& out_;
  std::ostream& err_;
  bool json_ = false;
  bool progress_enabled_ = false;
  bool fast_password_hashing_ = false;
  int exit_code_ = kExitOk;
  std::unique_ptr<Database> db_;
};

class Command {
 public:
  virtual ~Command() = default;

  // "get", or two words for a command group ("schema apply").
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual std::vector<PositionalSpec> positionals() const { return {}; }
  virtual std::vector<OptionSpec> options() const { return {}; }
  // Further paragraphs for --help (may be empty).
  virtual std::string details() const { return ""; }
  // Runs the command. Output goes to ctx.out() (tables, or JSON with ctx.json()); progress
  // to ctx.err(). A non-OK Status is printed as "GGT_CODE: message" by the caller and exits
  // with kExitError (or ctx.exit_code() when the command set one).
  virtual Status Run(Context& ctx, const Args& args) const = 0;

  // "actiondb [--data DIR] [--json] get MODEL ID [--select FIELDS]" and the option list.
  std::string Help() const;
  // "get MODEL ID [options]" (one line).
  std::string UsageLine() const;
};

// Every command, in help order: init, schema show/apply, models, get, create, update, delete,
// delete-many, upsert, find, explain, import, export, stats, check, compact, example, shell.
std::vector<std::unique_ptr<Command>> AllCommands();

// Per-group factories (one .cc file each) that AllCommands() calls.
void AddSchemaCommands(std::vector<std::unique_ptr<Command>>* out);
void AddRecordCommands(std::vector<std::unique_ptr<Command>>* out);
void AddFindCommands(std::vector<std::unique_ptr<Command>>* out);
void AddTransferCommands(std::vector<std::unique_ptr<Command>>* out);
void AddMaintenanceCommands(std::vector<std::unique_ptr<Command>>* out);
void AddExampleCommands(std::vector<std::unique_ptr<Command>>* out);
void AddShellCommands(std::vector<std::unique_ptr<Command>>* out);

// Finds the command that `words` start with (two-word names first). `*consumed` gets how many
// words named it. nullptr when none does.
const Command* FindCommand(const std::vector<std::unique_ptr<Command>>& commands,
                           const std::vector<std::string>& words, size_t* consumed);

// Parses a command's arguments: "--opt VALUE", "--opt=VALUE", flags, positionals ("--" ends
// options). The global "--json" and "--data DIR" are accepted anywhere and stored under "json"
// and "data". Errors (unknown option, missing value, wrong positional count) are returned as
// messages for the caller to print with the usage.
Result<Args> ParseArgs(const Command& command, const std::vector<std::string>& words);

// Runs one command line (the words after the global options) against `ctx`: finds the command,
// parses its arguments, handles --help, prints errors. Returns the exit code.
int RunCommandLine(const std::vector<std::unique_ptr<Command>>& commands, Context& ctx,
                   const std::vector<std::string>& words);

// The list of commands with their summaries (`actiondb --help`, shell `help`).
std::string GeneralHelp(const std::vector<std::unique_ptr<Command>>& commands);

// Prints "GGT_CODE: message" (and one line per validation error) to `err`.
void PrintError(std::ostream& err, const Status& status);

}  // namespace actiondb::cli
