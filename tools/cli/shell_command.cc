// `shell`: an interactive prompt that runs the CLI's commands against one open database, with
// history (Up/Down, saved to $ACTIONDB_HISTORY or ~/.actiondb_history) and Tab completion of
// command names, option names, model names, field names (after --select / --on) and files.
// Line editing is libedit's (BSD editline), not GNU readline.
//
// When stdin is not a terminal the shell reads commands line by line without a prompt, so
// `actiondb shell < commands.txt` runs a script.
#include <histedit.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "engine/store.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"
#include "tools/cli/shell_words.h"

namespace actiondb::cli {

namespace {

const char* const kShellWords[] = {"help", "exit", "quit"};

std::string HistoryPath() {
  if (const char* p = std::getenv("ACTIONDB_HISTORY"); p != nullptr && p[0] != '\0') return p;
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.actiondb_history";
  }
  return "";
}

// The state libedit's callbacks reach through EL_CLIENTDATA.
class Shell {
 public:
  Shell(Context& ctx, std::vector<std::unique_ptr<Command>> commands)
      : ctx_(ctx), commands_(std::move(commands)) {}

  int Loop();

  // Candidates for the word ending at the cursor, given the line before it.
  std::vector<std::string> Candidates(const std::string& before_cursor, std::string* word) const;

 private:
  // Runs one line; false when the shell should end.
  bool Execute(const std::string& line);
  std::vector<std::string> ModelNames() const;
  std::vector<std::string> FieldNames(const std::string& model) const;
  static std::vector<std::string> FileNames(const std::string& prefix);

  Context& ctx_;
  std::vector<std::unique_ptr<Command>> commands_;
};

std::vector<std::string> Shell::ModelNames() const {
  std::vector<std::string> out;
  Context& ctx = ctx_;
  if (!ctx.database_open()) return out;
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return out;
  for (const auto& m : (*db)->store().catalog()->models) out.push_back(m.api_identifier);
  return out;
}

std::vector<std::string> Shell::FieldNames(const std::string& model) const {
  std::vector<std::string> out;
  if (!ctx_.database_open()) return out;
  auto db = ctx_.OpenDatabase();
  if (!db.ok()) return out;
  auto catalog = (*db)->store().catalog();
  const engine::ModelInfo* m = catalog->FindModel(model);
  if (m == nullptr) return out;
  for (const auto& f : m->fields) {
    if ((f.stored() || f.type() == FieldType::kId) && f.type() != FieldType::kPassword) {
      out.push_back(f.name());
    }
  }
  return out;
}

std::vector<std::string> Shell::FileNames(const std::string& prefix) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  size_t slash = prefix.rfind('/');
  std::string dir = slash == std::string::npos ? "." : prefix.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? prefix : prefix.substr(slash + 1);
  std::string shown_dir = slash == std::string::npos ? "" : dir;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.compare(0, base.size(), base) != 0) continue;
    if (base.empty() && name[0] == '.') continue;
    out.push_back(shown_dir + name + (e.is_directory(ec) ? "/" : ""));
  }
  return out;
}

std::vector<std::string> Shell::Candidates(const std::string& before_cursor,
                                           std::string* word) const {
  std::vector<std::string> done = SplitWordsLenient(before_cursor, word);
  std::vector<std::string> out;
  if (done.empty()) {
    std::set<std::string> firsts(std::begin(kShellWords), std::end(kShellWords));
    for (const auto& c : commands_) {
      if (c->name() != "shell") firsts.insert(c->name().substr(0, c->name().find(' ')));
    }
    out.assign(firsts.begin(), firsts.end());
  } else if (done[0] == "help") {
    if (done.size() == 1) {
      for (const auto& c : commands_) out.push_back(c->name().substr(0, c->name().find(' ')));
    }
  } else {
    size_t consumed = 0;
    const Command* c = FindCommand(commands_, done, &consumed);
    if (c == nullptr) {
      // A group's first word ("schema"): its subcommands.
      if (done.size() == 1) {
        for (const auto& cmd : commands_) {
          if (cmd->name().compare(0, done[0].size() + 1, done[0] + " ") == 0) {
            out.push_back(cmd->name().substr(done[0].size() + 1));
          }
        }
      }
    } else {
      std::vector<OptionSpec> options = c->options();
      options.push_back({"json", OptionValueKind::kNone, "", ""});
      options.push_back({"help", OptionValueKind::kNone, "", ""});
      // Walk the words after the command: which are positionals, is the last an option?
      std::vector<std::string> positionals;
      const OptionSpec* pending = nullptr;
      for (size_t i = consumed; i < done.size(); ++i) {
        if (pending != nullptr) {
          pending = nullptr;
          continue;
        }
        if (done[i].compare(0, 2, "--") == 0) {
          for (const auto& o : options) {
            if ("--" + o.name == done[i] && o.value != OptionValueKind::kNone) pending = &o;
          }
          continue;
        }
        positionals.push_back(done[i]);
      }
      std::vector<PositionalSpec> pos = c->positionals();
      std::string model = positionals.empty() ? "" : positionals[0];
      if (pending != nullptr) {
        if (pending->value == OptionValueKind::kFields) {
          // Complete the name after the last comma.
          size_t comma = word->rfind(',');
          std::string head = comma == std::string::npos ? "" : word->substr(0, comma + 1);
          for (const auto& f : FieldNames(model)) out.push_back(head + f);
        } else if (pending->value == OptionValueKind::kFile) {
          out = FileNames(*word);
        }
      } else if (word->compare(0, 1, "-") == 0) {
        for (const auto& o : options) out.push_back("--" + o.name);
      } else if (positionals.size() < pos.size()) {
        PositionalKind kind = pos[positionals.size()].kind;
        if (kind == PositionalKind::kModel) out = ModelNames();
        if (kind == PositionalKind::kFile) out = FileNames(*word);
      }
    }
  }
  std::vector<std::string> matching;
  for (const auto& o : out) {
    if (o.compare(0, word->size(), *word) == 0) matching.push_back(o);
  }
  std::sort(matching.begin(), matching.end());
  matching.erase(std::unique(matching.begin(), matching.end()), matching.end());
  return matching;
}

char* Prompt(EditLine*) {
  static char prompt[] = "actiondb> ";
  return prompt;
}

unsigned char Complete(EditLine* el, int) {
  Shell* shell = nullptr;
  el_get(el, EL_CLIENTDATA, &shell);
  const LineInfo* li = el_line(el);
  std::string before(li->buffer, li->cursor);
  std::string word;
  std::vector<std::string> candidates = shell->Candidates(before, &word);
  if (candidates.empty()) return CC_ERROR;
  // The longest common prefix of the candidates.
  std::string common = candidates[0];
  for (const auto& c : candidates) {
    size_t n = 0;
    while (n < common.size() && n < c.size() && common[n] == c[n]) ++n;
    common.resize(n);
  }
  if (candidates.size() == 1) {
    std::string rest = common.substr(word.size());
    bool dir = !common.empty() && common.back() == '/';
    if (!dir) rest += " ";
    el_insertstr(el, rest.c_str());
    return CC_REFRESH;
  }
  if (common.size() > word.size()) {
    el_insertstr(el, common.substr(word.size()).c_str());
    return CC_REFRESH;
  }
  std::string list = "\n";
  for (const auto& c : candidates) list += c + "  ";
  list += "\n";
  std::fputs(list.c_str(), stdout);
  std::fflush(stdout);
  return CC_REDISPLAY;
}

bool Shell::Execute(const std::string& line) {
  Result<std::vector<std::string>> words = SplitWords(line);
  if (!words.ok()) {
    ctx_.err() << "usage error: " << words.status().message() << "\n";
    return true;
  }
  if (words->empty()) return true;
  const std::string& first = (*words)[0];
  if (first == "exit" || first == "quit") return false;
  if (first == "shell") {
    ctx_.err() << "usage error: already in the shell\n";
    return true;
  }
  if (first == "help" && words->size() == 1) {
    ctx_.out() << GeneralHelp(commands_)
               << "\nIn the shell: `help COMMAND`, Tab completes, Up/Down recall history, "
                  "`exit` or Ctrl-D leaves.\n";
    return true;
  }
  RunCommandLine(commands_, ctx_, *words);
  return true;
}

int Shell::Loop() {
  if (!ctx_.database_open() && ctx_.DatabaseExists()) {
    // Open up front: the shell holds the database (and its lock) for the session, and
    // completion needs the catalog.
    Result<Database*> db = ctx_.OpenDatabase();
    if (!db.ok()) {
      PrintError(ctx_.err(), db.status());
      return kExitError;
    }
  }
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!Execute(line)) break;
    }
    return kExitOk;
  }
  ctx_.out() << "actiondb shell on " << ctx_.data_dir()
             << (ctx_.database_open() ? "" : " (no database yet: `init` or `example` creates one)")
             << ". `help` lists commands, Tab completes, `exit` leaves.\n";
  ctx_.out().flush();

  EditLine* el = el_init("actiondb", stdin, stdout, stderr);
  History* hist = history_init();
  HistEvent ev;
  history(hist, &ev, H_SETSIZE, 1000);
  history(hist, &ev, H_SETUNIQUE, 1);
  std::string history_path = HistoryPath();
  if (!history_path.empty()) history(hist, &ev, H_LOAD, history_path.c_str());
  el_set(el, EL_CLIENTDATA, this);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_SIGNAL, 1);
  el_set(el, EL_PROMPT, &Prompt);
  el_set(el, EL_HIST, history, hist);
  el_set(el, EL_ADDFN, "actiondb-complete", "complete commands, models and fields", &Complete);
  el_set(el, EL_BIND, "^I", "actiondb-complete", nullptr);

  while (true) {
    int count = 0;
    const char* raw = el_gets(el, &count);
    if (raw == nullptr) {  // Ctrl-D
      ctx_.out() << "\n";
      break;
    }
    std::string line(raw, static_cast<size_t>(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) {
      history(hist, &ev, H_ENTER, line.c_str());
      if (!history_path.empty()) history(hist, &ev, H_SAVE, history_path.c_str());
    }
    if (!Execute(line)) break;
  }
  history_end(hist);
  el_end(el);
  return kExitOk;
}

class ShellCommand : public Command {
 public:
  std::string name() const override { return "shell"; }
  std::string summary() const override {
    return "interactive prompt with history and Tab completion";
  }
  std::string details() const override {
    return "Runs the commands above, e.g. `get post 1 --json`, against one open database (the\n"
           "shell holds its lock while it runs). Tab completes commands, options, model names,\n"
           "field names after --select/--on, and file names; Up/Down walk the history, which is\n"
           "kept in $ACTIONDB_HISTORY (default ~/.actiondb_history). Words are split like a\n"
           "POSIX shell's: quote JSON in '...'. `exit`, `quit` or Ctrl-D leaves. With stdin not\n"
           "a terminal, commands are read one per line with no prompt.";
  }
  Status Run(Context& ctx, const Args&) const override {
    Shell shell(ctx, AllCommands());
    int code = shell.Loop();
    if (code != kExitOk) ctx.set_exit_code(code);
    return Status::OK();
  }
};

}  // namespace

void AddShellCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<ShellCommand>());
}

}  // namespace actiondb::cli
