"""The multi-agency safeguarding hub: children, the concerns every agency records about them, the chronology
each viewer may see (need-to-know), and CSE risk screening. Knows nothing of HTTP or the CLI."""
