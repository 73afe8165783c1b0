"""The ``[cloak]`` study: after the case's own solve, the reference (no object) and the bare
object are solved on the same mesh with the same physics, and the cloak metrics go into the
summary (:mod:`lkfem.studies.cloak`). Into the results folder go the three temperatures
(``cloak.xdmf``: T_cloaked, T_bare, T_reference) and ``cloak.png``: the mid-plane isotherms of
the cloaked object beside the bare one, at the same levels, with g in the title."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dolfinx import fem

from lkfem import progress
from lkfem.case.keys import Key, Table
from lkfem.case.reader import Reader
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import LkfemError
from lkfem.log import logger
from lkfem.output.fields import write_fields
from lkfem.physics.base import Physics
from lkfem.plot.render import render_midplane
from lkfem.stepping import TimeSettings
from lkfem.studies.cloak import VARIANTS, CloakLayout, cloak_metrics

__all__ = ["CloakStudy"]

_EXAMPLE = (
    "```toml\n"
    "[cloak]\n"
    'object = ["object"]                      # the regions of the hidden object\n'
    'layers = ["inner_layer", "outer_layer"]  # the cloak\'s regions\n'
    'background = "background"                # its material fills the others in the '
    "comparisons\n"
    'outside = ["background"]                 # where to compare (default: '
    "[background])\n"
    "```\n"
    "\n"
)


class CloakStudy:
    """g = ‖T − T_ref‖²/‖T_bare − T_ref‖² outside the cloak, and the largest |T − T_ref| there."""

    section = "cloak"
    schema = Table(
        "cloak",
        "compare the field with that of no object and of the bare object (steady runs; "
        "docs/theory.md, §4)",
        keys=(
            Key("object", "names", "the regions of the hidden object", required=True),
            Key("layers", "names", "the cloak's regions", required=True),
            Key(
                "background",
                "string",
                "the region whose material fills the others in the comparisons",
                required=True,
            ),
            Key("outside", "names", "where to compare", default_text="[background]"),
        ),
        notes=_EXAMPLE
        + "The run solves the case, then the reference (object and layers made of the "
        "background material) and the bare object (layers made of background), and writes to "
        '`summary.json` under `"cloak"`: `g`, `max_abs_dT_outside_K`, '
        "`bare_max_abs_dT_outside_K` and the two squared norms. `object` and `layers` must "
        "each name at least one region, and every name must be a region with a material; the "
        "background and `outside` regions may not be part of the object or the cloak. A "
        "`[time]` section and `[cloak]` do not go together.",
    )

    def parse(
        self,
        r: Reader,
        data: Mapping[str, Any],
        *,
        materials: Mapping[str, Material],
        time: TimeSettings | None,
    ) -> CloakLayout:
        table = r.table(data, self.section)
        r.keys(table, "cloak", self.schema.names())
        names = {}
        for key in ("object", "layers", "outside"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                r.fail(f"cloak.{key}", f"must be a list of region names, got {value!r}")
            for region in value:
                if region not in materials:
                    r.fail(f"cloak.{key}", f"'{region}' has no [materials.{region}]")
            names[key] = tuple(value)
        background = r.string(table, "cloak", "background")
        if background not in materials:
            r.fail("cloak.background", f"'{background}' has no [materials.{background}]")
        try:
            layout = CloakLayout(background=background, **names)
        except ValueError as exc:
            r.fail("cloak", str(exc))
            raise  # unreachable: fail raises
        if time is not None:
            r.fail("cloak", "cloak metrics compare steady fields; remove [time] or [cloak]")
        return layout

    def check(self, case: Case, domain: Domain) -> None:
        """The layout's names against the mesh (before anything is solved or written)."""
        case.sections[self.section].check(domain, case.materials, case.source)

    def run(
        self,
        case: Case,
        domain: Domain,
        physics: Physics,
        T: fem.Function,
        out: Path | None = None,
    ) -> dict[str, Any]:
        """Solve the variants with ``physics`` and compare them with the case's ``T``; with
        ``out``, write the fields (``[output] xdmf``) and the picture (``png``) there, listed
        under ``"files"``."""
        layout: CloakLayout = case.sections[self.section]
        fields = {}
        for variant in VARIANTS:
            t0 = time.perf_counter()
            model = physics.build(case, domain, layout.materials(case.materials, variant))
            with progress.activity(f"cloak study: {variant} solve", domain.comm):
                model.solve_steady()
            fields[variant] = model.temperature()
            model.destroy()
            logger.info(f"cloak study: {variant} solve ({time.perf_counter() - t0:.1f} s)")
        metrics = cloak_metrics(domain, layout, T, fields["reference"], fields["bare"])
        g = "undefined" if metrics["g"] is None else f"{metrics['g']:.4g}"
        logger.info(
            f"cloak: g = {g}, max |T - T_ref| outside = "
            f"{metrics['max_abs_dT_outside_K']:.4g} K (bare object: "
            f"{metrics['bare_max_abs_dT_outside_K']:.4g} K)"
        )
        files = [] if out is None else _write(case, domain, T, fields, out, g)
        return {
            "object": list(layout.object),
            "layers": list(layout.layers),
            "background": layout.background,
            "outside": list(layout.outside),
            **metrics,
            "files": files,
        }


def _write(
    case: Case, domain: Domain, T: fem.Function, fields: dict[str, fem.Function], out: Path, g: str
) -> list[str]:
    """``cloak.xdmf`` (the three temperatures on P1) and ``cloak.png``, as the case asks."""
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    named = {}
    for name, field in (
        ("cloaked", T),
        ("bare", fields["bare"]),
        ("reference", fields["reference"]),
    ):
        named[name] = fem.Function(V, name=f"T_{name}")
        named[name].interpolate(field)
    files = []
    if case.xdmf:
        write_fields(out / "cloak.xdmf", domain, list(named.values()))
        files += ["cloak.xdmf", "cloak.h5"]
    if case.png:
        try:
            render_midplane(
                out / "cloak.png",
                {"cloaked object": named["cloaked"], "bare object": named["bare"]},
                normal="z",
                isotherms=15,
                title=f"{case.title}: g = {g}",
                regions=domain.cell_tags,
            )
            files.append("cloak.png")
        except LkfemError as exc:
            logger.warning(str(exc))
    return files
