"""The reference for the isolated vortex: q = f(r) e_φ (or f(r) e_r) in a disc of radius R, with
the free energy F = ∫ λ/2 |∇q|² + a/2 |q|² + b/4 |q|⁴. With |∇q|² = f'² + f²/r² the
Euler–Lagrange equation is the radial boundary-value problem

    λ (f'' + f'/r − f/r²) = a f + b f³,   f(0) = 0,   f(R) = q0,

solved here with scipy's collocation (``solve_bvp``, tolerance 1e-9) on [ε, R] with ε = 1e-5 ξ
and the regular start f(ε) = ε f'(ε) (f = c r near the axis), and F integrated from its dense
output. Written independently of lkfem, as the verification's reference; not library code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_bvp, trapezoid


@dataclass(frozen=True)
class RadialVortex:
    r: np.ndarray
    f: np.ndarray
    energy: float  # F over the disc (per unit thickness)

    def profile(self, r: np.ndarray) -> np.ndarray:
        return np.interp(r, self.r, self.f)


def radial_vortex(R: float, q0: float, *, lam: float, a: float, b: float) -> RadialVortex:
    xi = np.sqrt(lam / abs(a))
    eps = 1e-5 * xi  # the regular solution starts as f = c r: f(ε) = ε f'(ε)

    def rhs(r, y):
        g = (a * y[0] + b * y[0] ** 3) / lam
        return np.vstack([y[1], g - y[1] / r + y[0] / r**2])

    def bc(ya, yb):
        return np.array([ya[0] - eps * ya[1], yb[0] - q0])

    r = np.concatenate(
        [eps + np.geomspace(1e-6, 1.0, 60) * xi - 1e-6 * xi, np.linspace(1.01 * xi, R, 300)]
    )
    r = np.unique(np.clip(r, eps, R))
    f0 = q0 * np.tanh(r / xi) / np.tanh(R / xi)
    guess = np.vstack([f0, q0 / xi / np.cosh(r / xi) ** 2 / np.tanh(R / xi)])
    sol = solve_bvp(rhs, bc, r, guess, tol=1e-9, max_nodes=500000)
    if not sol.success:
        raise RuntimeError(f"solve_bvp: {sol.message}")
    rr = np.concatenate([np.geomspace(eps, 2 * xi, 20001)[:-1], np.linspace(2 * xi, R, 80001)])
    f, fp = sol.sol(rr)
    density = lam / 2 * (fp**2 + (f / rr) ** 2) + a / 2 * f**2 + b / 4 * f**4
    energy = 2 * np.pi * trapezoid(density * rr, rr)
    # the disc r < ε (f = c r): λ c² π ε² + Landau a/2 · 0 to leading order
    energy += np.pi * lam * fp[0] ** 2 * eps**2
    rr = np.concatenate([[0.0], rr])
    f = np.concatenate([[0.0], f])
    return RadialVortex(r=rr, f=f, energy=float(energy))
