-- Appraisal (DOMAIN.md §3-§5): per-period configuration, monthly sheets and
-- their lines, department appraisals, and each sheet's change history.
-- Every write also appends to audit_log in the same transaction.

-- One row per period HR configured. config_json: the PeriodConfig as the
-- service writes it (api/appraisal_convert.cc). A period without a row uses
-- the latest earlier row, else the defaults (defaults carry forward).
CREATE TABLE IF NOT EXISTS appraisal_config (
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  config_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One employee's sheet for one month, created on first access as a draft.
-- kpi_weight: percent of the sheet given to section 1 (NULL: unset).
-- result_at: unix seconds the result was released (appeal_window), 0 before.
CREATE TABLE IF NOT EXISTS appraisal_sheet (
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  template ENUM('standard', 'customer_service') NOT NULL,
  state ENUM('draft', 'submitted', 'confirmed', 'appeal_window', 'final') NOT NULL,
  kpi_weight INT NULL,
  result_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (employee_no, period),
  KEY appraisal_sheet_by_period (period, employee_no),
  CONSTRAINT appraisal_sheet_employee FOREIGN KEY (employee_no)
    REFERENCES employee (employee_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The lines of a sheet, in `position` order. Scores are 0..100 or NULL
-- (not given); points: incidents <= 0, bonus >= 0. provenance_json: the
-- satisfaction line's sources (campaigns, window, n, mean, ci95), '' else.
CREATE TABLE IF NOT EXISTS appraisal_line (
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  line_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position INT NOT NULL,
  section ENUM('kpi', 'work_goals', 'behaviour', 'management', 'incidents',
               'bonus', 'morality', 'diligence', 'ability', 'performance') NOT NULL,
  title VARCHAR(200) NOT NULL DEFAULT '',
  goal TEXT NOT NULL,
  standard TEXT NOT NULL,
  data_source VARCHAR(200) NOT NULL DEFAULT '',
  weight DOUBLE NOT NULL DEFAULT 0,
  self_score DOUBLE NULL,
  reviewer_score DOUBLE NULL,
  subordinates_score DOUBLE NULL,
  superior_score DOUBLE NULL,
  points DOUBLE NOT NULL DEFAULT 0,
  confirmed TINYINT(1) NOT NULL DEFAULT 0,
  satisfaction TINYINT(1) NOT NULL DEFAULT 0,
  insufficient_responses TINYINT(1) NOT NULL DEFAULT 0,
  provenance_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (employee_no, period, line_id),
  CONSTRAINT appraisal_line_sheet FOREIGN KEY (employee_no, period)
    REFERENCES appraisal_sheet (employee_no, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A sheet's change history (GetSheetHistory), written with the change.
-- at_us: unix microseconds; who: the principal's name; what: the action.
CREATE TABLE IF NOT EXISTS appraisal_change (
  id BIGINT NOT NULL AUTO_INCREMENT,
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at_us BIGINT NOT NULL,
  who VARCHAR(100) NOT NULL,
  what VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  before_json MEDIUMTEXT NOT NULL,
  after_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (id),
  KEY appraisal_change_by_sheet (employee_no, period, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A department's appraisal for one month. duties, plan and key_indicator
-- are HR's audited figures (NULL: not yet entered); customer is the
-- cross-evaluation satisfaction written by PushSatisfaction (NULL:
-- insufficient responses or not pushed); customer_provenance_json as above.
CREATE TABLE IF NOT EXISTS department_appraisal (
  department_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  duties DOUBLE NULL,
  plan DOUBLE NULL,
  key_indicator DOUBLE NULL,
  customer DOUBLE NULL,
  customer_provenance_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (department_code, period),
  CONSTRAINT department_appraisal_department FOREIGN KEY (department_code)
    REFERENCES department (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
