#include "config/config_file.h"

#include <cstdlib>
#include <map>
#include <memory>

namespace survey::config {
namespace {

std::string Trim(const std::string& s) {
  const char* blanks = " \t\r";
  size_t begin = s.find_first_not_of(blanks);
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(blanks);
  return s.substr(begin, end - begin + 1);
}

}  // namespace

std::string KeyValueConfig::FileName() const {
  const CLI::Option* option = app_->get_config_ptr();
  if (option == nullptr || option->empty()) return "configuration file";
  return option->as<std::string>();
}

std::vector<CLI::ConfigItem> KeyValueConfig::from_config(
    std::istream& input) const {
  const std::string file = FileName();
  auto error = [&file](int line, const std::string& what) {
    return CLI::ConfigError(file + ":" + std::to_string(line) + ": " + what,
                            CLI::ExitCodes::ConfigError);
  };
  std::vector<CLI::ConfigItem> items;
  std::map<std::string, std::pair<size_t, int>> seen;  // key -> item, line
  std::string text;
  for (int line = 1; std::getline(input, text); ++line) {
    text = Trim(text);
    if (text.empty() || text[0] == '#') continue;
    size_t equals = text.find('=');
    if (equals == std::string::npos) {
      throw error(line, "expected key = value");
    }
    std::string key = Trim(text.substr(0, equals));
    std::string value = Trim(text.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const CLI::Option* option =
        key.empty() || key[0] == '-' ? nullptr
                                     : app_->get_option_no_throw("--" + key);
    if (option == nullptr || !option->get_configurable() ||
        option == app_->get_help_ptr()) {
      throw error(line, "unknown key \"" + key +
                            "\" (keys are the long flag names without --)");
    }
    // The environment outranks the file: leave the key to CLI11's
    // environment pass, which only fills options still without a value.
    const std::string env = option->get_envname();
    if (!env.empty()) {
      const char* set = std::getenv(env.c_str());
      if (set != nullptr && *set != '\0') continue;
    }
    auto [it, first] = seen.try_emplace(key, items.size(), line);
    if (!first) {
      if (option->get_items_expected_max() <= 1) {
        throw error(line, "\"" + key + "\" given twice (first on line " +
                              std::to_string(it->second.second) + ")");
      }
      items[it->second.first].inputs.push_back(value);
      continue;
    }
    CLI::ConfigItem item;
    item.name = key;
    item.inputs.push_back(value);
    items.push_back(std::move(item));
  }
  return items;
}

std::string KeyValueConfig::to_config(const CLI::App* app, bool default_also,
                                      bool /*write_description*/,
                                      std::string /*prefix*/) const {
  std::string out;
  for (const CLI::Option* option : app->get_options()) {
    if (!option->get_configurable() || option->get_lnames().empty()) continue;
    std::string value;
    if (option->count() > 0) {
      for (const std::string& r : option->results()) {
        out += option->get_lnames()[0] + " = " + r + "\n";
      }
      continue;
    }
    if (default_also && !option->get_default_str().empty()) {
      out += option->get_lnames()[0] + " = " + option->get_default_str() + "\n";
    }
  }
  return out;
}

CLI::Option* AddConfigOption(CLI::App& app) {
  CLI::Option* option = app.set_config(
      "--config", "",
      "configuration file: key = value lines, keys are the long flag names; "
      "a flag or environment variable overrides the file");
  app.config_formatter(std::make_shared<KeyValueConfig>(&app));
  return option;
}

}  // namespace survey::config
