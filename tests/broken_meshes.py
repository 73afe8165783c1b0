"""A corpus of broken meshes, written as small gmsh files (the gmsh API or .msh text), each with
what :func:`lkfem.read_mesh` must say about it."""

from pathlib import Path

import pytest

import lkfem as lk

TET = """$MeshFormat
2.2 0 8
$EndMeshFormat
$PhysicalNames
1
3 1 "solid"
$EndPhysicalNames
$Nodes
4
1 0 0 0
2 1 0 0
3 0 1 0
4 {x4} {y4} {z4}
$EndNodes
$Elements
1
1 4 2 1 1 {nodes}
$EndElements
"""


# gmsh element types of the cells of a 1D or 2D mesh (msh 2.2)
_GMSH_TYPE = {"line": 1, "triangle": 2, "quad": 3}


def plane_msh(path, points, kind, cells, name="plate"):
    """A msh 2.2 file of a 1D or 2D mesh: ``points`` (x, y) or (x,), the ``cells`` (node
    numbers from 1) of ``kind`` ("line", "triangle" or "quad"), all in one physical group."""
    dim = 1 if kind == "line" else 2
    nodes = [f"{i} {p[0]} {p[1] if len(p) > 1 else 0} 0" for i, p in enumerate(points, 1)]
    elements = [
        f"{i} {_GMSH_TYPE[kind]} 2 1 1 {' '.join(map(str, c))}" for i, c in enumerate(cells, 1)
    ]
    text = [
        "$MeshFormat\n2.2 0 8\n$EndMeshFormat",
        f'$PhysicalNames\n1\n{dim} 1 "{name}"\n$EndPhysicalNames',
        f"$Nodes\n{len(nodes)}\n" + "\n".join(nodes) + "\n$EndNodes",
        f"$Elements\n{len(elements)}\n" + "\n".join(elements) + "\n$EndElements",
    ]
    Path(path).write_text("\n".join(text) + "\n")
    return Path(path)


def assert_mesh_error(path, comm, expected):
    """:func:`lkfem.read_mesh` refuses ``path`` with a one-line MeshError that starts with the path
    and says ``expected``; returns the message."""
    with pytest.raises(lk.MeshError) as info:
        lk.read_mesh(path, comm)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message
    return message


def box_msh(path, *, overlap=False, orphan=None, dim=3, size=1.0, h=0.5, tilt=False):
    """A meshed box (or a square for dim 2) with physical groups; ``overlap``: the box in two
    physical volumes; ``orphan``: "alone" (a physical surface off the volume, as in gmsh's
    tutorial t2) or "mixed" (a group with a face of the box and that surface); ``tilt``: the
    square turned out of the plane z = 0."""
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("box")
        occ = gmsh.model.occ
        if dim == 3:
            body = occ.addBox(0, 0, 0, size, size, size)
        else:
            body = occ.addRectangle(0, 0, 0, 1, 1)
        extra = occ.addRectangle(2 * size, 0, 0, size, size) if orphan else None
        if tilt:
            occ.rotate([(dim, body)], 0, 0, 0, 1, 0, 0, 0.3)
        occ.synchronize()
        model = gmsh.model
        if dim == 3:
            model.addPhysicalGroup(3, [body], 1, "solid")
            if overlap:
                model.addPhysicalGroup(3, [body], 2, "copy")
            faces = [t for _, t in model.getBoundary([(3, body)], oriented=False)]
            model.addPhysicalGroup(2, [faces[0]], 11, "left")
            if orphan == "alone":
                model.addPhysicalGroup(2, [extra], 12, "floating")
            elif orphan == "mixed":
                model.addPhysicalGroup(2, [faces[1], extra], 12, "floating")
        else:
            model.addPhysicalGroup(2, [body], 1, "sheet")
            if orphan:
                model.addPhysicalGroup(2, [extra], 2, "other")
        gmsh.option.setNumber("Mesh.MeshSizeMax", h * size)
        model.mesh.generate(dim)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    return Path(path)


def write_corpus(folder):
    """The broken meshes: name -> (file, what the error says, or None for a warning)."""
    folder = Path(folder)
    corpus = {
        "overlapping_volumes": (
            box_msh(folder / "overlap.msh", overlap=True),
            "cells belong to two physical volumes",
        ),
        "orphan_surface_mixed": (
            box_msh(folder / "mixed.msh", orphan="mixed"),
            None,
        ),
        "orphan_surface_alone": (
            box_msh(folder / "alone.msh", orphan="alone"),
            None,
        ),
        "tilted_square": (
            box_msh(folder / "tilted.msh", dim=2, tilt=True),
            "a 2D mesh must lie in a plane z = const",
        ),
    }
    good = box_msh(folder / "good.msh")
    text = good.read_bytes()
    for fraction in (0.3, 0.6, 0.95):
        path = folder / f"truncated_{int(fraction * 100)}.msh"
        path.write_bytes(text[: int(len(text) * fraction)])
        corpus[path.stem] = (path, "")
    cells = {
        "inverted": ("1 3 2 4", dict(x4=0, y4=0, z4=1), "inverted cell"),
        "degenerate": ("1 2 3 4", dict(x4=1, y4=1, z4=0), "degenerate cell"),
        "collapsed": ("1 2 2 4", dict(x4=0, y4=0, z4=1), "degenerate cell"),
    }
    for name, (nodes, x, expected) in cells.items():
        path = folder / f"{name}.msh"
        path.write_text(TET.format(nodes=nodes, **x))
        corpus[name] = (path, expected)
    return corpus
