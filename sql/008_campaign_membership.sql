-- Frozen membership (issue 12, channel 5): which department each employee
-- belonged to for one campaign. Reports group a customer-satisfaction
-- campaign's employees by this table, never by the live organisation, so
-- moving an employee cannot change a closed figure (or let a manager
-- subtract one person's answers out of their department's figure).
--
-- Written when the campaign opens (every employee, active or not, as the
-- organisation stands then; see store/mysql/membership.h for why open and
-- not issue time); an employee who joins later gets their row with their
-- first invitation. A closed campaign takes no invitations, so its rows
-- never change again. Names are not frozen: they are not figures.
CREATE TABLE IF NOT EXISTS campaign_member (
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  department_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (campaign_id, employee_no),
  KEY campaign_member_by_department (campaign_id, department_code, employee_no),
  CONSTRAINT campaign_member_campaign FOREIGN KEY (campaign_id) REFERENCES campaign (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Backfill: customer-satisfaction campaigns opened before this migration
-- (open or closed) get the organisation as it stands now, which is exactly
-- what their reports showed until now; from here on it stays put. Drafts
-- get theirs when they open. Re-runnable.
INSERT IGNORE INTO campaign_member (campaign_id, employee_no, department_code)
SELECT c.id, e.employee_no, e.department_code
FROM campaign c CROSS JOIN employee e
WHERE c.state <> 'draft' AND c.kind = 'customer_satisfaction';
