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
-- once the new file is in place, after purge_binary_logs() below.
CREATE DATABASE IF NOT EXISTS survey_ops;

-- purge_binary_logs(): on a primary with replicas (deploy/mariadb-replica.sh)
-- the binary log holds every Submit transaction too, the token's
-- invitation row next to the answer, and so does a replica's relay log
-- until it is applied and rotated. So after the redo log, the binary log is
-- rotated (replicas follow, rotating their relay logs, which they then
-- delete), connected replicas get up to 5 s to move to the new file, and
-- every older file is deleted. A replica still reading an old file keeps it
-- until the next close (or binlog_expire_logs_seconds); one that was
-- disconnected must be attached again. Does nothing without a binary log.
DELIMITER //
CREATE OR REPLACE DEFINER = 'root'@'localhost' PROCEDURE survey_ops.purge_binary_logs()
  SQL SECURITY DEFINER
  MODIFIES SQL DATA
  COMMENT 'Survey server: rotate the binary log and delete the older files'
BEGIN
  DECLARE waited INT DEFAULT 0;
  IF @@GLOBAL.log_bin = 1 THEN
    FLUSH BINARY LOGS;
    -- The dump threads wake on the rotation; until then they still look idle.
    DO SLEEP(0.2);
    WHILE waited < 48 AND EXISTS (
        SELECT 1 FROM information_schema.PROCESSLIST
        WHERE COMMAND = 'Binlog Dump' AND STATE NOT LIKE 'Master has sent all binlog%') DO
      DO SLEEP(0.1);
      SET waited = waited + 1;
    END WHILE;
    PURGE BINARY LOGS BEFORE NOW() + INTERVAL 1 SECOND;
  END IF;
END //
DELIMITER ;

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
  CALL survey_ops.purge_binary_logs();
END //
DELIMITER ;

GRANT EXECUTE ON PROCEDURE survey_ops.purge_redo_log TO 'survey'@'localhost';
GRANT EXECUTE ON PROCEDURE survey_ops.purge_redo_log TO 'survey'@'127.0.0.1';
