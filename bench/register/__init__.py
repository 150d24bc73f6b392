"""The national register's benchmarks (issue 3, "Speed")."""
