// Directories a test process made under /tmp, removed when it exits
// (children never run this: they exec or _exit).
#ifndef SURVEY_TESTS_SUPPORT_TEMP_DIRS_H_
#define SURVEY_TESTS_SUPPORT_TEMP_DIRS_H_

#include <string>

namespace survey::testing {

// Removes `dir` and everything in it when the test process exits.
void RemoveAtExit(std::string dir);

}  // namespace survey::testing

#endif  // SURVEY_TESTS_SUPPORT_TEMP_DIRS_H_
