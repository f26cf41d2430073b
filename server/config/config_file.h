// The configuration file: `--config /etc/survey/server.conf`.
//
// One option per line, `key = value`, where key is a long flag name without
// its dashes (`db-url = mysql://...`). Blank lines and lines starting with
// `#` are ignored; the value is the rest of the line with surrounding blanks
// removed (so a value may contain `#` and `=`); double quotes around the
// whole value are removed. A repeatable option (`trusted-gateway`) is given
// once per line; any other key twice is an error, as is an unknown key or a
// line without `=` — each error names the file and the line.
//
// Precedence: command line > environment variable > file > default. CLI11
// on its own ranks the file above the environment; the reader below leaves
// out a key whose option's environment variable is set, so the environment
// wins.
#ifndef SURVEY_CONFIG_CONFIG_FILE_H_
#define SURVEY_CONFIG_CONFIG_FILE_H_

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace survey::config {

// Adds `--config FILE` to `app` and makes every other option of `app`
// settable in that file. Returns the --config option. (No environment
// variable for the file itself: CLI11 reads the file before it looks at
// the environment.)
CLI::Option* AddConfigOption(CLI::App& app);

// The file format on its own, for the option list of `app`: CLI11 calls it
// while parsing. Throws CLI::ConfigError naming "file:line" on a bad line.
class KeyValueConfig : public CLI::Config {
 public:
  explicit KeyValueConfig(const CLI::App* app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  // Writes every option with a value as `key = value` (CLI11's --help does
  // not need it; kept for completeness of the interface).
  std::string to_config(const CLI::App* app, bool default_also,
                        bool write_description,
                        std::string prefix) const override;

 private:
  std::string FileName() const;
  const CLI::App* app_;
};

}  // namespace survey::config

#endif  // SURVEY_CONFIG_CONFIG_FILE_H_
