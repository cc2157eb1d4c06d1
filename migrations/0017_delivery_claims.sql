-- The dispatcher claims due deliveries oldest due first, in creation order
-- within one due time (ORDER BY next_attempt_at, seq). An index on the due
-- time alone left that order to a sort of every due delivery, which under a
-- backlog of thousands held the single writer for milliseconds per claim.
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, seq) WHERE state = 'pending' AND in_flight = 0;
