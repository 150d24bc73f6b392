"""openmash: a national register of licensed drivers and a multi-agency safeguarding hub."""

__version__ = "0.1.0"
