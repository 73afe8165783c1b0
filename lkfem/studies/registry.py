"""The studies lkfem knows, by case-file section: extra solves around a case's own solve whose
results go into the summary. Adding one is a module with a ``section``, ``parse``, ``check``
and ``run`` (as :class:`~lkfem.studies.cloak_study.CloakStudy`) and one entry here."""

from __future__ import annotations

from lkfem.case.keys import Table
from lkfem.studies.cloak_study import CloakStudy

__all__ = ["STUDIES", "sections", "schemas"]

STUDIES = {s.section: s for s in (CloakStudy(),)}


def sections() -> tuple[str, ...]:
    """The case-file sections that studies own."""
    return tuple(STUDIES)


def schemas() -> tuple[Table, ...]:
    """The declarations of the sections studies own (for :mod:`lkfem.case.schema`)."""
    return tuple(s.schema for s in STUDIES.values())
