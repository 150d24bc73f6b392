"""Synthetic demo data: generated with Faker (en_GB) from fixed seeds. Never real people."""
