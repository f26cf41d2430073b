#include "config/config_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace survey::config {
namespace {

// A file in a fresh directory, removed by the destructor.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char dir[] = "/tmp/survey-config-test-XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/server.conf";
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

// A small option list shaped like server/main.cc's.
struct Options {
  std::string listen = "127.0.0.1:50051";
  std::string db_url;
  int batch = 100;
  bool insecure = false;
  std::vector<std::string> gateways;
};

struct Parsed {
  Options options;
  std::string error;  // empty = parsed
};

Parsed Parse(std::vector<std::string> args) {
  Parsed p;
  CLI::App app{"test"};
  app.add_option("--listen", p.options.listen)->envname("SURVEY_T_LISTEN");
  app.add_option("--db-url", p.options.db_url)->envname("SURVEY_T_DB_URL")->required();
  app.add_option("--ingest-batch", p.options.batch)
      ->envname("SURVEY_T_BATCH")
      ->check(CLI::Range(1, 256));
  app.add_flag("--insecure", p.options.insecure)->envname("SURVEY_T_INSECURE");
  app.add_option("--trusted-gateway", p.options.gateways)
      ->envname("SURVEY_T_GATEWAY");
  AddConfigOption(app);
  // CLI11's vector form takes the arguments last first, no program name.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    p.error = e.what();
  }
  return p;
}

TEST(ConfigFileTest, KeysAreTheLongFlagNames) {
  TempFile f(
      "# the database\n"
      "db-url = mysql://survey:p#ss=word@db:3306/survey\n"
      "\n"
      "   listen=0.0.0.0:7000   \n"
      "ingest-batch = \"50\"\n"
      "insecure = true\n"
      "trusted-gateway = 10.0.0.1\n"
      "trusted-gateway = 10.0.1.0/24\n");
  Parsed p = Parse({"--config", f.path()});
  ASSERT_EQ(p.error, "");
  // '#' and '=' inside a value are part of it; blanks around are not.
  EXPECT_EQ(p.options.db_url, "mysql://survey:p#ss=word@db:3306/survey");
  EXPECT_EQ(p.options.listen, "0.0.0.0:7000");
  EXPECT_EQ(p.options.batch, 50);
  EXPECT_TRUE(p.options.insecure);
  EXPECT_EQ(p.options.gateways,
            (std::vector<std::string>{"10.0.0.1", "10.0.1.0/24"}));
}

TEST(ConfigFileTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  TempFile f("db-url = from-file\nlisten = file:1\ningest-batch = 7\n");
  {
    // Default: nothing sets --insecure.
    Parsed p = Parse({"--config", f.path()});
    ASSERT_EQ(p.error, "");
    EXPECT_FALSE(p.options.insecure);
    EXPECT_EQ(p.options.batch, 7);  // file over default
  }
  ScopedEnv listen("SURVEY_T_LISTEN", "env:2");
  ScopedEnv batch("SURVEY_T_BATCH", "9");
  Parsed p = Parse({"--config", f.path(), "--listen", "flag:3"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.db_url, "from-file");  // file over default
  EXPECT_EQ(p.options.batch, 9);             // environment over file
  EXPECT_EQ(p.options.listen, "flag:3");     // flag over environment
}

TEST(ConfigFileTest, EnvironmentReplacesARepeatableKeyWhole) {
  TempFile f("db-url = x\ntrusted-gateway = 10.0.0.1\ntrusted-gateway = 10.0.0.2\n");
  ScopedEnv gateway("SURVEY_T_GATEWAY", "192.168.0.1");
  Parsed p = Parse({"--config", f.path()});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.gateways, (std::vector<std::string>{"192.168.0.1"}));
}

TEST(ConfigFileTest, UnknownKeyNamesFileAndLine) {
  TempFile f("db-url = x\n# fine\nlisten-on = 1.2.3.4:5\n");
  Parsed p = Parse({"--config", f.path()});
  EXPECT_NE(p.error.find(f.path() + ":3: unknown key \"listen-on\""),
            std::string::npos)
      << p.error;
}

TEST(ConfigFileTest, MalformedAndRepeatedLinesNameFileAndLine) {
  {
    TempFile f("db-url = x\nlisten 1.2.3.4:5\n");
    Parsed p = Parse({"--config", f.path()});
    EXPECT_NE(p.error.find(f.path() + ":2: expected key = value"), std::string::npos)
        << p.error;
  }
  {
    TempFile f("db-url = x\n\nlisten = a:1\nlisten = b:2\n");
    Parsed p = Parse({"--config", f.path()});
    EXPECT_NE(p.error.find(f.path() + ":4: \"listen\" given twice (first on line 3)"),
              std::string::npos)
        << p.error;
  }
  {
    // Neither the file itself nor --help is a key; nor is a dashed name.
    for (const char* bad : {"config = other.conf", "help = true", "--listen = a:1"}) {
      TempFile f(std::string("db-url = x\n") + bad + "\n");
      Parsed p = Parse({"--config", f.path()});
      EXPECT_NE(p.error.find(f.path() + ":2: unknown key"), std::string::npos)
          << bad << ": " << p.error;
    }
  }
}

TEST(ConfigFileTest, ValuesAreCheckedLikeFlags) {
  TempFile f("db-url = x\ningest-batch = 0\n");
  Parsed p = Parse({"--config", f.path()});
  EXPECT_NE(p.error.find("ingest-batch"), std::string::npos) << p.error;
}

TEST(ConfigFileTest, FileSatisfiesRequiredOptionsAndMissingFileFails) {
  TempFile f("listen = a:1\n");
  EXPECT_NE(Parse({"--config", f.path()}).error, "");  // --db-url required
  Parsed missing = Parse({"--config", "/nonexistent/survey.conf", "--db-url", "x"});
  EXPECT_NE(missing.error.find("/nonexistent/survey.conf"), std::string::npos)
      << missing.error;
  // No --config at all: flags and defaults only.
  Parsed none = Parse({"--db-url", "x"});
  EXPECT_EQ(none.error, "");
  EXPECT_EQ(none.options.listen, "127.0.0.1:50051");
}

TEST(ConfigFileTest, FalseFlagInFile) {
  TempFile f("db-url = x\ninsecure = false\n");
  Parsed p = Parse({"--config", f.path()});
  ASSERT_EQ(p.error, "");
  EXPECT_FALSE(p.options.insecure);
}

}  // namespace
}  // namespace survey::config
