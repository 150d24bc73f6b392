"""Benchmarks: run by hand or `make bench`, never by `make test` (speed is measured here, not asserted)."""
