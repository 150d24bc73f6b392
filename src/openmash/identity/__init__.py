"""Agencies, users, roles and permissions, sign-in with two-factor, sessions and API tokens."""
