-- Issued and revoked invitations per report cell, kept in the same
-- transaction as issuing and revoking, so a response rate never needs a
-- scan of the invitation table (an organisation report over a year reads
-- one row per employee and campaign). Counts only: nothing here names a
-- token or a respondent.
CREATE TABLE IF NOT EXISTS invitation_tally (
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_kind ENUM('employee', 'department') NOT NULL,
  subject_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  issued BIGINT NOT NULL,
  revoked BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, subject_kind, subject_code, group_code),
  CONSTRAINT invitation_tally_campaign FOREIGN KEY (campaign_id) REFERENCES campaign (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO invitation_tally
  (campaign_id, subject_kind, subject_code, group_code, issued, revoked)
SELECT campaign_id, subject_kind, subject_code, group_code, COUNT(*),
       SUM(state = 'revoked')
FROM invitation
GROUP BY campaign_id, subject_kind, subject_code, group_code
ON DUPLICATE KEY UPDATE issued = VALUES(issued), revoked = VALUES(revoked);
