-- Answers and their running aggregates (DESIGN §2, §3).

-- One answer. id: random 128 bits (never AUTO_INCREMENT, never UUID(),
-- which embeds time and MAC), so neither primary-key nor physical order
-- follows submission order. Deliberately absent: any timestamp finer than
-- the period, the token or its HMAC, an invitation id, IP, user agent.
-- scores: the 1..10 scores in template order, comma-separated.
-- reasons: JSON array of strings, one per indicator.
CREATE TABLE IF NOT EXISTS response (
  id BINARY(16) NOT NULL,
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_kind ENUM('employee', 'department') NOT NULL,
  subject_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scores VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reasons MEDIUMTEXT NOT NULL,
  comment TEXT NOT NULL,
  PRIMARY KEY (id),
  KEY response_by_cell (campaign_id, subject_kind, subject_code, period, group_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Running sums per (campaign, subject, period, respondent group), updated
-- in the same transaction as the answers. total_*: per-response totals in
-- "total units" (1/D of a point on the 100-point scale, see
-- server/domain/scoring.h), exact integers.
CREATE TABLE IF NOT EXISTS aggregate (
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_kind ENUM('employee', 'department') NOT NULL,
  subject_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  n BIGINT NOT NULL,
  total_sum BIGINT NOT NULL,
  total_sum_sq BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, subject_kind, subject_code, period, group_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per sub-indicator (0-based, template order): sum, sum of squares and the
-- histogram of scores 1..10.
CREATE TABLE IF NOT EXISTS aggregate_sub (
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_kind ENUM('employee', 'department') NOT NULL,
  subject_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  sub_index TINYINT NOT NULL,
  sum BIGINT NOT NULL,
  sum_sq BIGINT NOT NULL,
  h1 BIGINT NOT NULL, h2 BIGINT NOT NULL, h3 BIGINT NOT NULL,
  h4 BIGINT NOT NULL, h5 BIGINT NOT NULL, h6 BIGINT NOT NULL,
  h7 BIGINT NOT NULL, h8 BIGINT NOT NULL, h9 BIGINT NOT NULL,
  h10 BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, subject_kind, subject_code, period, group_code, sub_index)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
