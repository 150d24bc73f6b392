"""The JSON API, version 1, for agencies' own systems (token authentication)."""
