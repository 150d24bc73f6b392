"""The data layer: engine, sessions, the declarative base and migrations."""
