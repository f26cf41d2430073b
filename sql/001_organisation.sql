-- Organisation: departments and employees (DOMAIN §1, §4).
-- Keys are ASCII and compared byte-exact; names are utf8mb4 and stored
-- byte-exact (utf8mb4_bin) so Chinese names round-trip unchanged.

CREATE TABLE IF NOT EXISTS department (
  code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(100) NOT NULL,
  -- No foreign key: department and manager reference each other; the
  -- import validates the pair inside its transaction.
  manager_employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS employee (
  employee_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(100) NOT NULL,
  department_code VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  post_type ENUM('management', 'other') NOT NULL,
  position ENUM('after_sales_engineer', 'customer_service_agent',
                'technical_support', 'other') NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (employee_no),
  KEY employee_by_department (department_code, employee_no),
  CONSTRAINT employee_department FOREIGN KEY (department_code)
    REFERENCES department (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
