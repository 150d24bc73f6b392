"""The matching benchmark (issue 7): the engine against generated registers with ground truth, FEBRL4, and
baselines (a brute-force RapidFuzz scan, PostgreSQL pg_trgm, Splink 5) run in the same process."""
