-- Templates, campaigns and invitations (DOMAIN §2, §7; DESIGN §2).

-- A form version. `definition` is the domain Template as JSON
-- (server/domain/form_json.h). Rows are never updated: a change is a new
-- version, so a version an open campaign uses is immutable by construction.
CREATE TABLE IF NOT EXISTS survey_template (
  template_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version INT NOT NULL,
  definition MEDIUMTEXT NOT NULL,
  PRIMARY KEY (template_key, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One template version issued for one period. id: random 128 bits, hex.
-- anonymity_k and the template version are frozen once state leaves 'draft'.
CREATE TABLE IF NOT EXISTS campaign (
  id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind ENUM('customer_satisfaction', 'cross_evaluation') NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  template_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  template_version INT NOT NULL,
  title_zh VARCHAR(200) NOT NULL DEFAULT '',
  title_en VARCHAR(200) NOT NULL DEFAULT '',
  anonymity_k INT NOT NULL,
  comment_k INT NOT NULL,
  state ENUM('draft', 'open', 'closed') NOT NULL DEFAULT 'draft',
  PRIMARY KEY (id),
  KEY campaign_by_period (period, id),
  CONSTRAINT campaign_template FOREIGN KEY (template_key, template_version)
    REFERENCES survey_template (template_key, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One right to answer once. Deliberately absent: any person id, delivery
-- address, issue or redemption time. Only HMAC-SHA256(pepper, token) is
-- kept; the pepper is outside the database.
-- subject_kind/subject_code: the rated employee or department.
-- group_code: the evaluating department of a cross-evaluation, '' for
-- customers. expires_at: unix seconds.
CREATE TABLE IF NOT EXISTS invitation (
  token_hmac BINARY(32) NOT NULL,
  campaign_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_kind ENUM('employee', 'department') NOT NULL,
  subject_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  expires_at BIGINT NOT NULL,
  state ENUM('unused', 'used', 'revoked') NOT NULL DEFAULT 'unused',
  PRIMARY KEY (token_hmac),
  KEY invitation_by_cell (campaign_id, subject_kind, subject_code, group_code),
  CONSTRAINT invitation_campaign FOREIGN KEY (campaign_id) REFERENCES campaign (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
