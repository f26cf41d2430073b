-- What the Survey & Satisfaction Server may do to the database server as a
-- whole, and nothing more (issue 12). Run as root, once per database server
-- and again after upgrading; idempotent:
--   mariadb -uroot < deploy/mariadb/survey-ops.sql
-- Production: replace 'survey'@'localhost' / 'survey'@'127.0.0.1' below by
-- the server's account(s) first. deploy/mariadb-private.sh runs this file
-- on every start of a private instance.
--
-- purge_redo_log(): when a campaign closes the server replaces the InnoDB
-- redo log, which still pairs each answer with its token's HMAC
-- (server/store/mysql/redo_purge.h). That takes SET GLOBAL, i.e. SUPER; the
-- server's account gets EXECUTE on this one procedure instead, which runs
-- with its definer's (root's) rights and can only do this one thing.
-- MariaDB 10.11 writes a fresh ib_logfile0 whenever innodb_log_file_size
-- changes, so the size alternates between an even and an odd number of
-- MiB; the configured size comes back at the next restart. The call returns
-- once the new file is in place.
CREATE DATABASE IF NOT EXISTS survey_ops;

DELIMITER //
CREATE OR REPLACE DEFINER = 'root'@'localhost' PROCEDURE survey_ops.purge_redo_log()
  SQL SECURITY DEFINER
  MODIFIES SQL DATA
  COMMENT 'Survey server: replace the InnoDB redo log by a fresh file'
BEGIN
  IF @@GLOBAL.innodb_log_file_size DIV 1048576 % 2 = 0 THEN
    SET GLOBAL innodb_log_file_size = @@GLOBAL.innodb_log_file_size + 1048576;
  ELSE
    SET GLOBAL innodb_log_file_size = @@GLOBAL.innodb_log_file_size - 1048576;
  END IF;
END //
DELIMITER ;

GRANT EXECUTE ON PROCEDURE survey_ops.purge_redo_log TO 'survey'@'localhost';
GRANT EXECUTE ON PROCEDURE survey_ops.purge_redo_log TO 'survey'@'127.0.0.1';
