-- Retention (DOMAIN §5.6, issue 17): the answers of a closed campaign are
-- removed once it is past retention; its figures (aggregate rows, built at
-- close) stay. responses_removed_at: unix seconds when the removal began
-- (0 = answers kept). Set in the transaction that records the removal in
-- the audit log, before the first row goes, so readers know from then on
-- that comments and the analyst export of this campaign are gone, and a
-- removal interrupted half-way is finished by the next run.
-- responses_removal_done: set once the rows are deleted and the table and
-- the redo log rewritten without them (until then a run goes on with it).
ALTER TABLE campaign ADD COLUMN IF NOT EXISTS responses_removed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaign ADD COLUMN IF NOT EXISTS responses_removal_done TINYINT NOT NULL DEFAULT 0;
