-- Staff identities, API keys and the audit log (security: staff
-- authentication and the tamper-evident record of staff actions).

-- A person or script that may call the staff RPCs. name: the login name,
-- equal to the CN of the person's client certificate.
-- department_code: the department of a manager ('' otherwise);
-- employee_no: the employee of an employee account ('' otherwise).
-- An inactive account authenticates with nothing (certificate or key).
CREATE TABLE IF NOT EXISTS staff_account (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role ENUM('admin', 'hr', 'manager', 'employee') NOT NULL,
  department_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  active TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Bearer keys for scripts. The key itself ("ssk_<key_id>_<secret>") is
-- shown once at creation and never stored: only
-- HMAC-SHA256(pepper, "apikey:" + key) is. key_id: 64 random bits, hex.
-- Times are unix seconds; revoked_at 0 = not revoked.
CREATE TABLE IF NOT EXISTS api_key (
  key_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  key_hmac BINARY(32) NOT NULL,
  account_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL DEFAULT 0,
  created_by VARCHAR(100) NOT NULL,
  PRIMARY KEY (key_id),
  KEY api_key_by_account (account_name, key_id),
  CONSTRAINT api_key_account FOREIGN KEY (account_name)
    REFERENCES staff_account (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only record of staff actions, hash-chained
-- (server/domain/audit_chain.h): hash = SHA-256(prev_hash || canonical
-- bytes of the row), seal = HMAC-SHA256(pepper, hash). seq: 1, 2, 3, ...
-- without gaps, assigned under the lock of audit_chain_head. Respondents
-- are never recorded here. at_us: unix microseconds. before_json /
-- after_json: JSON text, '' when not applicable.
CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGINT NOT NULL,
  at_us BIGINT NOT NULL,
  principal_name VARCHAR(100) NOT NULL,
  principal_role VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  action VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target VARCHAR(255) NOT NULL,
  before_json MEDIUMTEXT NOT NULL,
  after_json MEDIUMTEXT NOT NULL,
  prev_hash BINARY(32) NOT NULL,
  hash BINARY(32) NOT NULL,
  seal BINARY(32) NOT NULL,
  PRIMARY KEY (seq),
  KEY audit_by_action (action, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The one row (id = 1) that serialises appends: an append locks it
-- (SELECT ... FOR UPDATE), inserts seq = last_seq + 1 and moves it on, in
-- the transaction of the audited change.
CREATE TABLE IF NOT EXISTS audit_chain_head (
  id TINYINT NOT NULL,
  last_seq BIGINT NOT NULL,
  last_hash BINARY(32) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO audit_chain_head (id, last_seq, last_hash)
  VALUES (1, 0, UNHEX(REPEAT('00', 32)));
