"""The contract every physics implements (docs/architecture.md). A physics' classes subclass
:class:`Physics` and :class:`Model` explicitly to take the defaults of the optional members.

A :class:`Physics` reads and checks its part of a case file and builds a :class:`Model` on a
mesh. A :class:`Model` holds the unknowns and exposes what the runner needs: its output fields,
a steady solve, a :class:`~lkfem.stepping.Stepper` for the shared time loop, one row of derived
quantities per step and its summary. :func:`lkfem.run.run_case` only talks to these two, so a
new physics is one subpackage and one entry in :mod:`lkfem.physics.registry`.

A transient model also hands its state to a checkpoint (:meth:`Model.state`) and takes it back
(:meth:`Model.restore`), so that a run continues where it stopped, on any number of ranks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dolfinx import fem

from lkfem.stepping import Stepper, StepRecord, TimeSettings

if TYPE_CHECKING:
    from lkfem.case.keys import Table
    from lkfem.case.reader import Reader
    from lkfem.case.spec import Case
    from lkfem.core.domain import Domain
    from lkfem.core.materials import Material
    from lkfem.output.fields import OutputFields

__all__ = ["Physics", "Model", "State"]


@dataclass(slots=True)
class State:
    """What a transient model needs to continue after its last accepted step.

    Attributes:
        functions: named functions on spaces a checkpoint can hold (not mixed spaces: their
            parts), the current state and the history a multistep scheme needs.
        scalars: everything else (numbers, lists, dicts: JSON), e.g. the time, T_s, phases
            and what the summary and the time series keep.
    """

    functions: dict[str, fem.Function] = field(default_factory=dict)
    scalars: dict[str, Any] = field(default_factory=dict)


class Model(Protocol):
    """One physics' unknowns on a mesh, as the runner and the observer see them."""

    #: what the log calls it, e.g. "LK model"
    label: str

    #: the fields written to the results folder (T and q first), refreshed by their update()
    outputs: OutputFields

    #: the number of unknowns of its discrete problem (global), known before any solve
    unknowns: int

    def describe(self) -> str:
        """One line for the log: elements, unknowns, parts."""
        ...

    def solve_steady(self) -> str:
        """Solve for the steady state; return a one-line report for the log."""
        ...

    def checked_by_the_solve(self, steady: bool) -> str:
        """What only the (steady or transient) solve can check, for ``lkfem validate``'s
        report (e.g. a coefficient at the steady state); "" for nothing."""
        return ""

    def temperature(self) -> fem.Function:
        """T on its own space after a solve (what a study compares)."""
        ...

    def stepper(self, settings: TimeSettings) -> Stepper:
        """Set the initial state and return the stepper the shared loop advances."""
        ...

    def record(self, step: StepRecord | None) -> dict[str, float]:
        """The derived quantities now (one row of ``timeseries.csv``; ``step`` is None for the
        initial state). The model keeps what its summary needs."""
        ...

    def finish(self, out: Path | None) -> list[str]:
        """After the last step: write extra files into ``out`` (None: write none) and return
        their names. None by default."""
        return []

    def summary(self) -> dict[str, Any]:
        """The physics' entries of ``summary.json``."""
        ...

    def mean_temperature(self, region: str) -> float | None:
        """The mean T of a region where the written T field is not the physics' own (None,
        the default: the runner averages the T field)."""
        return None

    def state(self) -> State:
        """The state after the last accepted step (called after :meth:`stepper`): functions
        holding the current values, which a restart fills in place before :meth:`restore`."""
        raise NotImplementedError(f"the {self.label} cannot be checkpointed")

    def restore(self, scalars: Mapping[str, Any]) -> None:
        """Continue from a checkpoint: the functions of :meth:`state` hold the saved values;
        ``scalars`` are its scalars."""
        raise NotImplementedError(f"the {self.label} cannot be checkpointed")

    def destroy(self) -> None: ...


class Physics(Protocol):
    """A physics: its case-file keys and how it builds its :class:`Model`."""

    #: the registry key; for a base model also the value of ``[physics] model``
    name: str
    #: the case-file section it owns and that selects it when present (None: chosen by
    #: ``[physics] model``)
    section: str | None
    #: the declaration of that section (:class:`~lkfem.case.keys.Table`): its keys, kinds,
    #: defaults, units and ranges, from which the case schema and docs/case-files.md come
    schema: Table | None = None
    #: whether its models take periodic boundaries (``[mesh] periodic``: the pairs are on
    #: ``domain.periodic``); a case with them and a physics without is refused
    periodic: bool = False
    #: why not, when it does not (the refusal's message; empty: "not yet")
    periodic_refusal: str = ""

    def parse(
        self,
        r: Reader,
        data: Mapping[str, Any],
        model: str,
        *,
        materials: Mapping[str, Material],
        constants: Mapping[str, float],
    ) -> Any:
        """Check what this physics requires of the case ``data`` (and parse its own section);
        return its settings (stored as ``case.sections[section]``) or None. By default there
        is nothing to check."""
        return None

    def check(self, case: Case, domain: Domain) -> None:
        """The case's names against the mesh, before anything is written (nothing by
        default)."""
        return None

    def build(
        self, case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
    ) -> Model:
        """The model of ``case`` (with other ``materials``, for a study's variant)."""
        ...

    def inactive_regions(self, case: Case) -> tuple[str, ...]:
        """Regions the physics models without a [materials] entry (e.g. rods); none by
        default."""
        return ()
