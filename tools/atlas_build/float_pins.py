"""Pin the floating-point kernels the build runs on, so two x86 machines build the same bytes.

NumPy picks its SIMD loops and OpenBLAS its matrix kernels at run time from the CPU: on a machine
with AVX-512 both take wider kernels, which sum in a different order. The results differ in the
last bits, and the build amplifies last bits into different files: a decimation that keeps
another edge, a marching-cubes vertex on the other side of a threshold. Measured on 2026-12-02:
the committed atlas, built on a machine without AVX-512, and a build with the same package
versions on an AVX-512 machine differed in 23 files (gluteus maximus triangulated differently,
rectus abdominis's light mesh 28 triangles apart); the same AVX-512 machine, with the kernels
pinned as below, rebuilt every file byte for byte.

The pins are environment variables that both libraries read once, when they load, so the build's
command-line entry points re-start themselves with them set before anything imports NumPy.
Haswell (AVX2 and FMA) is what every x86-64 machine of the last decade runs; disabling NumPy's
AVX-512 dispatch names a machine lacks is harmless (checked: no warning, even under -W error).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

#: environment the build's numerics run under (see the module docstring)
PINNED_ENV: Mapping[str, str] = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}


def missing_pins(env: Mapping[str, str]) -> dict[str, str]:
    """The pinned variables that ``env`` does not hold at their pinned values."""
    return {k: v for k, v in PINNED_ENV.items() if env.get(k) != v}


def restart_pinned(module: str, argv: Sequence[str]) -> None:
    """Re-run ``python -m module argv`` with the kernels pinned, unless they already are.

    Returns only when the pins were already in place; otherwise the process is replaced. Call it
    from a ``__main__`` block before the module's work starts (NumPy is already loaded by then,
    which is why the process has to start again rather than set the variables in place).
    """
    missing = missing_pins(os.environ)
    if not missing:
        return
    env = {**os.environ, **missing}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", module, *argv], env)
