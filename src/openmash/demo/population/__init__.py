"""A synthetic population of England with ground truth, for benchmarking person matching (issue 7).

Names come from the communities of England in their rough shares, each list in frequency order and drawn
with a Zipf law, so that two different people with the same name and date of birth ("Mohammed Khan" and
"John Smith" born the same day) occur at two million people about as often as they do in life. Applicants are
registered people as an officer would type them, with labelled errors, or labelled strangers (new people,
twins with a registered person's name and date of birth, namesakes, relatives, near twins).

This package must not import ``openmash.matching``: its spelling variants and nicknames are its own lists
(`data/`), so the benchmark does not test the engine's tables against themselves. Everything is synthetic:
names are drawn from frequency lists and combined at random, with fixed seeds; phone numbers are in Ofcom's
range for drama (07700 900000-900999), so they repeat and are no identifier.

Its modules: ``communities`` (shares, name-list shapes, where each lives), ``names`` (the name lists and
their Zipf samplers), ``variants`` (other spellings, nicknames, spacing), ``records`` (a person, an
applicant), ``people`` (the register and its duplicates), ``keying`` (how an officer types), ``errors``
(the labelled kinds of error), ``strangers`` and ``applicants``.
"""

from __future__ import annotations

from openmash.demo.population.applicants import make_applicants
from openmash.demo.population.communities import COMMUNITIES, Community
from openmash.demo.population.errors import ERROR_KINDS
from openmash.demo.population.keying import typo
from openmash.demo.population.names import ZIPF_S, fold
from openmash.demo.population.people import (
    ADULT_AGES,
    CHILD_AGES,
    CHILD_FEMALE_SHARE,
    DRIVER_FEMALE_SHARE,
    REFERENCE_DATE,
    duplicates,
    make_population,
)
from openmash.demo.population.records import STRANGER_KINDS, StrangerKind, SyntheticApplicant, SyntheticPerson
from openmash.demo.population.strangers import make_strangers
from openmash.demo.population.variants import nicknames, spacing_variants, spelling_variants

__all__ = [
    "ADULT_AGES",
    "CHILD_AGES",
    "CHILD_FEMALE_SHARE",
    "COMMUNITIES",
    "DRIVER_FEMALE_SHARE",
    "ERROR_KINDS",
    "REFERENCE_DATE",
    "STRANGER_KINDS",
    "ZIPF_S",
    "Community",
    "StrangerKind",
    "SyntheticApplicant",
    "SyntheticPerson",
    "duplicates",
    "fold",
    "make_applicants",
    "make_population",
    "make_strangers",
    "nicknames",
    "spacing_variants",
    "spelling_variants",
    "typo",
]
