"""Parametric gmsh geometries with named regions and boundaries (installed as ``lkfem.meshes``).

One module per geometry, each with ``populate(model, *, ...)`` (fills a gmsh model on one rank),
``build(comm, rank, **params)`` (a distributed :class:`lkfem.Domain`) and a ``__main__`` that
writes a ``.msh`` file: ``python -m lkfem.meshes.box_with_sphere out.msh``.
"""
