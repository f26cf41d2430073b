#include "store/mysql/membership.h"

#include <cppconn/prepared_statement.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "store/mysql/queries.h"
#include "store/mysql/statement.h"

namespace survey::store::mysql {

void FreezeMembershipOn(sql::Connection& c, const std::string& campaign_id) {
  std::unique_ptr<sql::PreparedStatement> st(
      c.prepareStatement(queries::kFreezeMembership));
  st->setString(1, campaign_id);
  st->executeUpdate();
}

void AddMembersOn(sql::Connection& c, const std::string& campaign_id,
                  const std::vector<std::string>& employee_nos) {
  std::vector<std::string> nos = employee_nos;
  std::sort(nos.begin(), nos.end());  // one lock order for concurrent issues
  nos.erase(std::unique(nos.begin(), nos.end()), nos.end());
  constexpr size_t kPerStatement = 500;
  for (size_t begin = 0; begin < nos.size(); begin += kPerStatement) {
    const size_t n = std::min(kPerStatement, nos.size() - begin);
    std::unique_ptr<sql::PreparedStatement> st(c.prepareStatement(absl::StrCat(
        queries::kAddMembersHead, Placeholders(n), queries::kAddMembersTail)));
    st->setString(1, campaign_id);
    for (size_t i = 0; i < n; ++i) {
      st->setString(static_cast<unsigned>(i + 2), nos[begin + i]);
    }
    st->executeUpdate();
  }
}

}  // namespace survey::store::mysql
