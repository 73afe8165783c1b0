"""Helpers shared by the generators of spheres and z-cylinders in a box centred at the origin:
concentric objects and shells (cloaks, concentrators), arrays of inclusions, and mesh sizes that
are fine in whole regions as well as near interfaces."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._gmsh import (
    SHAPES,
    _size_from_fields_only,
    concentric,
    generate,
    name_groups,
    refine_near,
    require,
    threshold_field,
)


def check_shape(generator: str, shape: Any) -> None:
    require(shape in SHAPES, f"{generator}: shape must be 'sphere' or 'cylinder', got {shape!r}")


def check_box(generator: str, lx: float, ly: float, lz: float) -> None:
    require(min(lx, ly, lz) > 0, f"{generator}: the box sizes lx, ly, lz must be positive")


def check_sizes(generator: str, **sizes: float) -> None:
    """Mesh sizes (and other lengths) given by keyword must be positive."""
    for key, value in sizes.items():
        require(
            is_number(value) and value > 0, f"{generator}: {key} must be positive, got {value!r}"
        )


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def box_bounds(lx: float, ly: float, lz: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The corners of the box [-lx/2, lx/2] x [-ly/2, ly/2] x [-lz/2, lz/2]."""
    return (-lx / 2, -ly / 2, -lz / 2), (lx / 2, ly / 2, lz / 2)


def add_box(model: Any, lx: float, ly: float, lz: float) -> int:
    return model.occ.addBox(-lx / 2, -ly / 2, -lz / 2, lx, ly, lz)


def add_body(model: Any, shape: str, radius: float, center: Sequence[float], height: float) -> int:
    """A sphere, or a cylinder of axis z through the whole height (centred at ``center``)."""
    x, y, z = center
    if shape == "sphere":
        return model.occ.addSphere(x, y, z, radius)
    return model.occ.addCylinder(x, y, z - height / 2, 0, 0, height, radius)


def max_radius(shape: str, lx: float, ly: float, lz: float) -> float:
    """The radius a body centred at the origin must stay below to lie inside the box."""
    return min(lx, ly, lz) / 2 if shape == "sphere" else min(lx, ly) / 2


def boundary(model: Any, volumes: Sequence[int]) -> set[int]:
    return {s for _, s in model.getBoundary([(3, v) for v in volumes], oriented=False)}


def refine(
    model: Any,
    surfaces: Sequence[int],
    h_fine: float,
    h: float,
    distance: float,
    *,
    volumes: Sequence[int] = (),
    h_volumes: float | None = None,
) -> None:
    """Mesh size ``h_fine`` on ``surfaces`` growing to ``h`` at ``distance`` from them, and
    ``h_volumes`` throughout ``volumes`` (where the coefficients vary, for instance)."""
    if not volumes or h_volumes is None:
        refine_near(model, surfaces, h_fine, h, distance)
        return
    field = model.mesh.field
    near = threshold_field(model, surfaces, h_fine, h, distance)
    inside = field.add("Constant")
    field.setNumbers(inside, "VolumesList", list(volumes))
    field.setNumber(inside, "VIn", h_volumes)
    field.setNumber(inside, "VOut", h)
    field.setNumber(inside, "IncludeBoundary", 1)
    smallest = field.add("Min")
    field.setNumbers(smallest, "FieldsList", [near, inside])
    field.setAsBackgroundMesh(smallest)
    _size_from_fields_only()


def core_and_shell(
    model: Any,
    generator: str,
    *,
    names: tuple[str, str, str],
    surface_names: tuple[str, str],
    shape: str,
    r1: float,
    r2: float,
    lx: float,
    ly: float,
    lz: float,
    h: float,
    h_interface: float | None,
    h_shell: float | None,
    shell_key: str,
) -> None:
    """A core r < r1, a shell r1 < r < r2 and the background, meshed with ``h_shell`` in the
    whole shell, ``h_interface`` at its two surfaces and ``h`` far away (the generators
    transformation_cloak and concentrator)."""
    check_shape(generator, shape)
    check_box(generator, lx, ly, lz)
    h_in_shell = h / 2 if h_shell is None else h_shell
    h_fine = h_in_shell if h_interface is None else h_interface
    check_sizes(generator, r1=r1, h=h, **{shell_key: h_in_shell}, h_interface=h_fine)
    require(r2 > r1, f"{generator}: r2 must be larger than r1, got r1 = {r1}, r2 = {r2}")
    limit = max_radius(shape, lx, ly, lz)
    require(
        r2 < limit,
        f"{generator}: r2 = {r2} must be smaller than {limit} "
        f"(half the box {'side' if shape == 'sphere' else 'width in x and y'})",
    )
    (core, shell), background, interfaces, faces = concentric(
        model, shape, [r1, r2], (lx, ly, lz), generator
    )
    name_groups(model, 3, dict(zip(names, (core, shell, background), strict=True)), first_tag=1)
    name_groups(model, 2, {**faces, **dict(zip(surface_names, interfaces, strict=True))}, 101)
    surfaces = [s for group in interfaces for s in group]
    refine(model, surfaces, h_fine, h, distance=2 * h, volumes=shell, h_volumes=h_in_shell)
    generate(model)
