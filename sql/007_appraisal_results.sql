-- Appraisal results (DOMAIN.md §4): the working-day calendar, pay profiles,
-- appeals and annual grades, and the sheet columns the deadlines and
-- appeals need. Every write also appends to audit_log in the same
-- transaction.

-- submitted_at: unix seconds of the sheet's FIRST submission (0: never); a
-- sheet returned and resubmitted keeps it, so lateness is judged on when
-- the data first reached the reviewer.
-- appeal_score: the score fixed by an accepted appeal (NULL: none); the
-- lines stay as they were, so both remain visible.
ALTER TABLE appraisal_sheet ADD COLUMN IF NOT EXISTS submitted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appraisal_sheet ADD COLUMN IF NOT EXISTS appeal_score DOUBLE NULL;

-- HR's working-day calendar: public holidays on working days, and weekend
-- days worked in exchange. Replaced one year at a time.
CREATE TABLE IF NOT EXISTS work_calendar (
  day CHAR(10) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind ENUM('holiday', 'workday') NOT NULL,
  PRIMARY KEY (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An employee's pay profile from a month on (until a later from_period):
-- the key "post:grade" into the period's performance caps, the post pay
-- and the year-end bonus base. Money in cents.
CREATE TABLE IF NOT EXISTS pay_profile (
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  post VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  grade VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  post_pay_cents BIGINT NOT NULL,
  base_salary_cents BIGINT NOT NULL,
  PRIMARY KEY (employee_no, from_period),
  CONSTRAINT pay_profile_employee FOREIGN KEY (employee_no)
    REFERENCES employee (employee_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Appeals against a monthly result. state: open until HR accepts (with
-- new_score) or rejects, with a resolution. score_before: the sheet's score
-- when the appeal was filed.
CREATE TABLE IF NOT EXISTS appraisal_appeal (
  id BIGINT NOT NULL AUTO_INCREMENT,
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reason TEXT NOT NULL,
  state ENUM('open', 'accepted', 'rejected') NOT NULL,
  resolution TEXT NOT NULL,
  new_score DOUBLE NULL,
  score_before DOUBLE NULL,
  deadline CHAR(10) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  filed_at BIGINT NOT NULL,
  resolved_at BIGINT NOT NULL DEFAULT 0,
  resolved_by VARCHAR(100) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY appraisal_appeal_by_sheet (employee_no, period),
  KEY appraisal_appeal_by_period (period, state),
  CONSTRAINT appraisal_appeal_sheet FOREIGN KEY (employee_no, period)
    REFERENCES appraisal_sheet (employee_no, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The latest annual grading of each year: one row per run (its summary:
-- pooling, units with quotas and counts, skipped, provisional) and one per
-- graded employee. A rerun replaces both in one transaction.
CREATE TABLE IF NOT EXISTS annual_grading (
  year INT NOT NULL,
  graded_at BIGINT NOT NULL,
  summary_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS annual_grade (
  year INT NOT NULL,
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  department_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  grading_unit VARCHAR(64) NOT NULL,
  coefficient_bp BIGINT NOT NULL,
  grade CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  unit_rank INT NOT NULL,
  months INT NOT NULL,
  months_not_final INT NOT NULL,
  flags VARCHAR(500) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bonus_cents BIGINT NOT NULL,
  PRIMARY KEY (year, employee_no),
  KEY annual_grade_by_grade (year, grade)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
