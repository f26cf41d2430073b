-- Figures are built when a campaign closes (issue 13), no longer by every
-- Submit: a batch then writes only its own token and response rows, and
-- concurrent writers never queue on a subject's shared aggregate row.
-- `figures_built` says the campaign's aggregate rows are complete; until
-- then (open, or closed with the build still to run) reports read counts
-- from the responses and show no scores. Campaigns closed before this
-- migration have complete aggregates, built answer by answer.
ALTER TABLE campaign ADD COLUMN IF NOT EXISTS figures_built TINYINT NOT NULL DEFAULT 0;
UPDATE campaign SET figures_built = 1 WHERE state = 'closed';
