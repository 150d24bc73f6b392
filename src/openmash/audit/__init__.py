"""The append-only, hash-chained audit trail: who did what, to which record, for what purpose."""
