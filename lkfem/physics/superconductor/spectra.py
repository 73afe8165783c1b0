"""The weak links' currents over a run: the dominant angular frequency of each spectrum, the
amplitude there, and ``spectrum.csv``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.output.series import write_columns
from lkfem.physics.superconductor.twist import spectral_peak, spectrum

__all__ = ["link_spectra", "write_spectrum"]


def _link_series(history: list[dict[str, Any]], name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.array([r["t_s"] for r in history])
    return t, np.array([r["link_heat_W"][name]["out_W"] for r in history])


def link_spectra(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Each weak link's current (the heat leaving its first piece) over the steps: the dominant
    angular frequency of its spectrum and the amplitude there."""
    if len(history) < 4:
        return {}
    out = {}
    for name in history[0]["link_heat_W"]:
        t, J = _link_series(history, name)
        omega, amplitude = spectral_peak(t, J)
        out[name] = {
            "dominant_omega_rad_s": omega,
            "dominant_frequency_Hz": omega / (2 * np.pi),
            "amplitude_W": amplitude,
            "mean_W": float(J.mean()),
            "resolution_rad_s": 2 * np.pi * (t.size - 1) / (t.size * (t[-1] - t[0])),  # bin
        }
    return out


def write_spectrum(path: Path, history: list[dict[str, Any]], comm: MPI.Comm) -> None:
    """spectrum.csv: ω (rad/s), f (Hz) and each weak link's current amplitude (W)."""
    names = list(history[0]["link_heat_W"])
    columns = []
    w = np.zeros(0)
    for name in names:
        w, amplitude = spectrum(*_link_series(history, name))
        columns.append(amplitude)
    header = ["omega_rad_s", "frequency_Hz", *(f"amplitude_W:{n}" for n in names)]
    write_columns(path, header, [w, w / (2 * np.pi), *columns], comm)
