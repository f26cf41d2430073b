// Frozen membership (sql/008_campaign_membership.sql): the department each
// employee belongs to for one customer-satisfaction campaign, which every
// report groups by instead of the live organisation.
//
// Decision: membership is fixed when the campaign OPENS, in the transaction
// that opens it, not when invitations are issued. Why:
//   - Opening is when the campaign's frame is frozen already (template, k,
//     comment k); the organisation is part of that frame. Every sibling set
//     of the campaign (complementary suppression among a department's
//     employees) is then fixed at one instant, before any answer exists, so
//     no answer can ever be regrouped, and "July's figures are the
//     departments as they stood when the July survey opened" is something a
//     manager can check.
//   - Invitations are issued many times, in batches, and even while the
//     campaign is a draft: fixing at issue would make an employee's
//     department depend on which ticket batch came first, and employees
//     without tickets would have none (they still belong in the month's
//     department view).
// An employee who is not in the snapshot (hired, or imported, after the
// campaign opened) is added with their department at their first
// invitation; a closed campaign takes no invitations, so its membership is
// final when it closes. An employee moved while a campaign is open still
// counts for the department they were in when it opened.
#ifndef SURVEY_STORE_MYSQL_MEMBERSHIP_H_
#define SURVEY_STORE_MYSQL_MEMBERSHIP_H_

#include <cppconn/connection.h>

#include <string>
#include <vector>

namespace survey::store::mysql {

// Copies every employee's current department into `campaign_id`'s
// membership, replacing what is there. Call inside the transaction that
// moves the campaign from draft to open (and only then). Does nothing for a
// cross-evaluation. Throws sql::SQLException like any statement.
void FreezeMembershipOn(sql::Connection& c, const std::string& campaign_id);

// Adds the employees of `employee_nos` that have no membership row in
// `campaign_id` yet, with their current department. Call inside the
// transaction that issues their invitations.
void AddMembersOn(sql::Connection& c, const std::string& campaign_id,
                  const std::vector<std::string>& employee_nos);

}  // namespace survey::store::mysql

#endif  // SURVEY_STORE_MYSQL_MEMBERSHIP_H_
