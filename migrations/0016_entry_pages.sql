-- Indexes that keep every page of POST /v1/accounting-entries:search as
-- fast as the first, whatever its depth (internal/store/cursor.go seeks to
-- a page's position in them). The search leaves deleted entries out unless
-- asked, so deleted_at comes right after the company: it is an equality
-- (IS NULL) the index serves, and the count of a search reads the index
-- alone. One index per sort key; settledAt and bookkeepingDate are ordered
-- with their NULLs after every date, as coalesce(column, '~') (see
-- entryNullsHigh in internal/store/accounting_entries.go), and have a
-- second, descending index: their NULLs are one large group of equal keys
-- whose id tiebreak (always ascending) an ascending index read backwards
-- would have to sort.
CREATE INDEX accounting_entries_live_performed ON accounting_entries(company_id, deleted_at, performed_at, id);
CREATE INDEX accounting_entries_live_id ON accounting_entries(company_id, deleted_at, id);
CREATE INDEX accounting_entries_live_settled ON accounting_entries(company_id, deleted_at, coalesce(settled_at, '~'), id);
CREATE INDEX accounting_entries_live_bookkeeping ON accounting_entries(company_id, deleted_at, coalesce(bookkeeping_date, '~'), id);
CREATE INDEX accounting_entries_live_settled_desc ON accounting_entries(company_id, deleted_at, coalesce(settled_at, '~') DESC, id);
CREATE INDEX accounting_entries_live_bookkeeping_desc ON accounting_entries(company_id, deleted_at, coalesce(bookkeeping_date, '~') DESC, id);
