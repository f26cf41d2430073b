-- Password sign-in for the staff console (issue 15, AccountService).
--
-- password_hash: libsodium's crypto_pwhash_str (argon2id, "$argon2id$...",
-- salt and parameters inside); '' = no password (not yet activated, reset,
-- or an account that signs in by certificate or API key only).
-- activation_hmac: HMAC-SHA256(pepper, "activation:" + code) of the
-- one-time code HR hands out (NULL = none); it works until
-- activation_expires_at (unix seconds) and is cleared when used.
-- failed_signins / failure_window_start / locked_until: the lockout, kept
-- here (not in one server's memory) so a lock holds across every server
-- instance; unix seconds, 0 = none.
-- follows_org: made by CreateOrganisationAccounts: its role is derived at
-- every call from the organisation (manager of the active department
-- whose manager_employee_no is its employee, else employee) and it works
-- only while that employee is active. An admin's upsert clears it.
ALTER TABLE staff_account
  ADD COLUMN IF NOT EXISTS password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS activation_hmac BINARY(32) NULL,
  ADD COLUMN IF NOT EXISTS activation_expires_at BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS failed_signins INT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS failure_window_start BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS locked_until BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS follows_org TINYINT(1) NOT NULL DEFAULT 0,
  ADD INDEX IF NOT EXISTS staff_account_by_employee (employee_no);

-- One row per sign-in. The bearer token ("sss_<session_id>_<secret>") is
-- never stored: only HMAC-SHA256(pepper, "session:" + token). Times are
-- unix seconds; ended_at 0 = live. A session works while now < expires_at
-- (absolute), now - last_seen < the idle timeout (last_seen is moved at
-- most once a minute), ended_at = 0 and its account is active.
-- client_address: the sign-in's address, for admins (staff, never
-- respondents).
CREATE TABLE IF NOT EXISTS staff_session (
  session_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  token_hmac BINARY(32) NOT NULL,
  account_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  ended_at BIGINT NOT NULL DEFAULT 0,
  client_address VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  PRIMARY KEY (session_id),
  KEY staff_session_by_account (account_name, created_at),
  KEY staff_session_by_created (created_at),
  CONSTRAINT staff_session_account FOREIGN KEY (account_name)
    REFERENCES staff_account (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
