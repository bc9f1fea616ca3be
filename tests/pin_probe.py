"""Run as ``python -m tests.pin_probe``: re-starts pinned as the build does, then says what it
runs on (tests/test_float_pins.py)."""

from __future__ import annotations

import os
import sys

from tools.atlas_build.float_pins import restart_pinned

if __name__ == "__main__":
    restart_pinned("tests.pin_probe", sys.argv[1:])
    from numpy._core._multiarray_umath import __cpu_features__

    print("argv", *sys.argv[1:])
    print("OPENBLAS_CORETYPE", os.environ.get("OPENBLAS_CORETYPE"))
    features = __cpu_features__
    print("X86_V4", features.get("X86_V4"), "AVX512_ICL", features.get("AVX512_ICL"))
