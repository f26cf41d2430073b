-- Staff accounts linked to an employee record (issue 18): nobody reviews
-- their own appraisal sheet, so the server must know whose sheet is whose.
-- staff_account.employee_no now holds the account's employee for every
-- role ('' = not linked): required for an employee account, taken from the
-- organisation for a manager (the department's named manager) when the
-- account is made, optional for HR and admins. Manager accounts made before
-- this get their department's manager now; nothing else changes.
UPDATE staff_account s JOIN department d ON d.code = s.department_code
  SET s.employee_no = d.manager_employee_no
  WHERE s.role = 'manager' AND s.employee_no = '' AND d.manager_employee_no <> '';
