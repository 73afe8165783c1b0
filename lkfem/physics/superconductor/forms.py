"""The compiled forms of a heat superconductor: heat through each SN contact, the weak links'
sin Δ and Δ, the interface areas, and each rod piece's twist load (contacts, links and
C_s dT_s/dt as Neumann data of θ; MODEL.md §3 and docs/theory.md)."""

from __future__ import annotations

from typing import Any

import ufl
from dolfinx import fem
from mpi4py import MPI

__all__ = ["compile_forms"]


def compile_forms(sc: Any, pairs: dict[str, tuple[str, str]]) -> None:
    """Set ``sc``'s forms: ``contact_forms``, ``abs_forms``, ``sin_forms``, ``delta_forms``,
    ``area``, ``link_ends`` and each piece's twist right-hand side."""
    problem, dS = sc.problem, sc.problem.dS
    tag = sc.domain.boundaries
    exchange = problem.exchange_fluxes()  # heat leaving the reservoir = entering the rod
    sc.contact_forms = {n: fem.form(exchange[n] * dS(tag[n])) for n in sc.contacts}
    sc.abs_forms = {
        n: fem.form(c.kappa_SN * abs(problem.T("+")) * dS(tag[n])) for n, c in sc.contacts.items()
    }
    sc.link_ends = {}
    sin_delta: dict[str, Any] = {}
    for name in sc.links:
        ends = [sc.piece_index(r) for r in pairs[name]]
        sc.link_ends[name] = (ends[0], ends[1])
        p1, p2 = (sc.pieces[i] for i in ends)
        delta = (p1.phi + p1.theta_old("+")) - (p2.phi + p2.theta_old("+"))
        sin_delta[name] = ufl.sin(delta)
    sc.sin_forms = {n: fem.form(sin_delta[n] * dS(tag[n])) for n in sc.links}
    sc.delta_forms = {}
    sc.area = {}
    for name in [*sc.contacts, *sc.links]:
        sc.area[name] = sc.domain.comm.allreduce(
            fem.assemble_scalar(fem.form(1.0 * dS(tag[name]))), op=MPI.SUM
        )
    for name in sc.links:
        p1, p2 = (sc.pieces[i] for i in sc.link_ends[name])
        delta = (p1.phi + p1.theta_old("+")) - (p2.phi + p2.theta_old("+"))
        sc.delta_forms[name] = fem.form(delta * dS(tag[name]))
    for index, piece in enumerate(sc.pieces):
        psi = piece.twist.psi
        L = -sum(
            sc.rods[r].C * piece.Tdot * psi * sc.domain.dx(sc.domain.regions[r])
            for r in piece.regions
        )
        for name in piece.contacts:
            L += exchange[name] * psi("+") * dS(tag[name])
        for name, (i, j) in sc.link_ends.items():
            if index in (i, j):
                E_J = sc.links[name].E_J
                sign = -1.0 if index == i else 1.0  # heat in / ω0 = ∓ E_J sin Δ
                heat_in = sign * E_J * sin_delta[name] / piece.inv_omega  # ∓ ω0 E_J sin Δ
                L += heat_in * psi("+") * dS(tag[name])
        piece.twist.set_rhs(piece.inv_omega * L)
