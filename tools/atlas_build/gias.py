"""Evaluate the GIAS3 cubic Lagrange shape models (musculoskeletal-models, MPL-2.0) to triangles.

A ``.geof`` file holds the node coordinates (mm, CT frame), the ``.mesh`` file the elements and
which element-local nodes coincide, the ``.ens`` file an optional re-ordering of global nodes.
Global node numbers are assigned the way the format defines them: walk the element-local points
``(element, local)`` in sorted order and give each not-yet-numbered point the next number, shared
with every point it is connected to.

Element interpolation (own implementation, Lagrange polynomials on equispaced nodes):
* ``quadAB`` (quad44 bicubic, quad55 biquartic, quad54 quartic x cubic) - tensor product with A
  nodes along xi0 and B along xi1; local node ``i + A j`` sits at (i/(A-1), j/(B-1)).
* ``tri10`` / ``tri15`` - cubic / quartic triangle on (xi0, xi1), xi0 + xi1 <= 1; nodes row by
  row: j = 0..p (xi1 = j/p), within a row i = 0..p-j (xi0 = i/p), e.g. for tri10 (0,0), (1/3,0),
  (2/3,0), (1,0), (0,1/3), (1/3,1/3), (2/3,1/3), (0,2/3), (1/3,2/3), (0,1).
Each element is sampled on a regular grid and triangulated; coincident samples along shared edges
are welded, which gives one watertight surface when the model is closed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import trimesh
from scipy.spatial import cKDTree

ATLAS_DIR = "models/atlas_meshes"
PELVIS = ("pelvis_combined_cubic_mean_rigid_LLP26", "pelvis_combined_cubic_flat")
FEMUR_LEFT = ("femur_left_mean_rigid_LLP26", "femur_left_quartic_flat")


def _package_file(name: str) -> Path:
    """Path of a data file inside the installed musculoskeletal-models package."""
    return Path(str(resources.files("musculoskeletal").joinpath(f"{ATLAS_DIR}/{name}")))


def _lagrange_1d(x: np.ndarray, order: int) -> np.ndarray:
    """Lagrange basis of ``order`` on equispaced nodes k/order: returns (len(x), order + 1)."""
    nodes = np.linspace(0.0, 1.0, order + 1)
    x = np.asarray(x, dtype=np.float64)
    out = np.ones((x.shape[0], order + 1))
    for k in range(order + 1):
        for m in range(order + 1):
            if m != k:
                out[:, k] *= (x - nodes[m]) / (nodes[k] - nodes[m])
    return out


def quad_basis(xi: np.ndarray, n0: int, n1: int) -> np.ndarray:
    """Tensor Lagrange basis (n, n0*n1) at xi (n, 2); node ``i + n0 j`` at (i/(n0-1), j/(n1-1))."""
    a = _lagrange_1d(xi[:, 0], n0 - 1)
    b = _lagrange_1d(xi[:, 1], n1 - 1)
    return (b[:, :, None] * a[:, None, :]).reshape(len(xi), n0 * n1)


def _tri_nodes(order: int) -> np.ndarray:
    """Triangle nodes row by row: xi1 = j/order, within a row xi0 = i/order, i + j <= order."""
    return np.array(
        [(i / order, j / order) for j in range(order + 1) for i in range(order + 1 - j)]
    )


def _tri_monomials(xi: np.ndarray, order: int) -> np.ndarray:
    """Complete monomials x^p y^q (p + q <= order) at xi (n, 2)."""
    x, y = xi[:, 0], xi[:, 1]
    return np.stack([x**p * y**q for q in range(order + 1) for p in range(order + 1 - q)], axis=1)


@lru_cache(maxsize=4)
def _tri_coefficients(order: int) -> np.ndarray:
    """Monomial coefficients of the Lagrange functions on the triangle nodes (column = node)."""
    return np.linalg.inv(_tri_monomials(_tri_nodes(order), order))


def tri_basis(xi: np.ndarray, order: int) -> np.ndarray:
    """Lagrange triangle basis (n, (order+1)(order+2)/2) at parametric points xi (n, 2)."""
    return _tri_monomials(xi, order) @ _tri_coefficients(order)


def element_shape(kind: str) -> tuple[str, tuple[int, ...]]:
    """('quad', (n0, n1)) or ('tri', (order,)) from a GIAS3 element type name."""
    if kind.startswith("quad"):
        return "quad", (int(kind[4]), int(kind[5]))
    return "tri", ({10: 3, 15: 4}[int(kind[3:])],)


def basis_for(kind: str, xi: np.ndarray) -> np.ndarray:
    """Basis matrix (n_samples, n_nodes) of an element type at the sample points."""
    family, args = element_shape(kind)
    if family == "quad":
        return quad_basis(xi, args[0], args[1])
    return tri_basis(xi, args[0])


def n_local_nodes(kind: str) -> int:
    """Number of element-local nodes of an element type."""
    family, args = element_shape(kind)
    if family == "quad":
        return args[0] * args[1]
    return (args[0] + 1) * (args[0] + 2) // 2


def _grid(family: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample points (xi) and triangles of one element's n-per-side grid."""
    t = np.linspace(0.0, 1.0, n)
    if family == "quad":
        xi = np.array([(t[i], t[j]) for j in range(n) for i in range(n)])
        tris = []
        for j in range(n - 1):
            for i in range(n - 1):
                a, b = j * n + i, j * n + i + 1
                c, d = (j + 1) * n + i, (j + 1) * n + i + 1
                tris += [(a, b, d), (a, d, c)]
        return xi, np.array(tris)
    index: dict[tuple[int, int], int] = {}
    pts: list[tuple[float, float]] = []
    for j in range(n):
        for i in range(n - j):
            index[(i, j)] = len(pts)
            pts.append((t[i], t[j]))
    tris = []
    for j in range(n - 1):
        for i in range(n - 1 - j):
            tris.append((index[(i, j)], index[(i + 1, j)], index[(i, j + 1)]))
            if i + 1 + j + 1 <= n - 1:
                tris.append((index[(i + 1, j)], index[(i + 1, j + 1)], index[(i, j + 1)]))
    return np.array(pts), np.array(tris)


def _global_numbering(
    mesh_doc: dict[str, Any], ens_doc: dict[str, Any]
) -> dict[tuple[int, int], int]:
    """Map every (element, local node) to its ensemble (global) node index."""
    conn: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for key, val in mesh_doc["connectivity"].items():
        e, p = (int(s) for s in key.split("_"))
        conn[(e, p)] = [tuple(int(s) for s in v.split("_")) for v in val.split()]  # type: ignore[misc]
    numbering: dict[tuple[int, int], int] = {}
    gp = 0
    for ep in sorted(conn):
        if ep in numbering or ep[0] == -1:
            continue
        numbering[ep] = gp
        for other in conn[ep]:
            numbering.setdefault(other, gp)
        gp += 1
    custom = {int(k): int(v) for k, v in (ens_doc.get("custom_map") or {}).items()}
    if custom:
        numbering = {k: custom[v] for k, v in numbering.items()}
    return numbering


def load_model(geof: str, mesh: str) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Node coordinates (n, 3) and elements [(type, global node ids)] of a GIAS3 model."""
    g = json.loads(_package_file(geof + ".geof").read_text())
    m = json.loads(_package_file(mesh + ".mesh").read_text())
    e = json.loads(_package_file(mesh + ".ens").read_text())
    params = g["field_parameters"]
    n_nodes = int(g["ensemble_point_counter"])
    nodes = np.array(
        [[float(params[f"node {i:08d}"][f"dim {d}"]) for d in range(3)] for i in range(n_nodes)]
    )
    numbering = _global_numbering(m, e)
    elements: list[tuple[str, np.ndarray]] = []
    for key in sorted(m["elements"], key=int):
        kind = m["elements"][key].split()[1]
        n_local = n_local_nodes(kind)
        ids = np.array([numbering[(int(key), p)] for p in range(n_local)])
        elements.append((kind, ids))
    return nodes, elements


def evaluate(
    nodes: np.ndarray, elements: list[tuple[str, np.ndarray]], n: int = 10
) -> tuple[trimesh.Trimesh, np.ndarray]:
    """Sample every element on an n-per-side grid, weld shared samples, return the surface.

    Also returns, per output face, the index of the element it came from.
    """
    cache = {k: _grid(k, n) for k in ("quad", "tri")}
    basis: dict[str, np.ndarray] = {}
    verts, faces, owner = [], [], []
    offset = 0
    for ei, (kind, ids) in enumerate(elements):
        family = element_shape(kind)[0]
        if kind not in basis:
            basis[kind] = basis_for(kind, cache[family][0])
        pts = basis[kind] @ nodes[ids]
        tris = cache[family][1]
        verts.append(pts)
        faces.append(tris + offset)
        owner.append(np.full(len(tris), ei))
        offset += len(pts)
    v = np.vstack(verts)
    f = np.vstack(faces)
    # weld coincident samples (shared element edges evaluate to the same points)
    tree = cKDTree(v)
    pairs = tree.query_pairs(1e-5, output_type="ndarray")
    parent = np.arange(len(v))
    for a, b in sorted(map(tuple, pairs)):
        ra, rb = a, b
        while parent[ra] != ra:
            ra = parent[ra]
        while parent[rb] != rb:
            rb = parent[rb]
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    for i in range(len(parent)):
        r = i
        while parent[r] != r:
            r = parent[r]
        parent[i] = r
    f = parent[f]
    keep = (f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])
    f, own = f[keep], np.concatenate(owner)[keep]
    used, inverse = np.unique(f, return_inverse=True)
    mesh = trimesh.Trimesh(v[used], inverse.reshape(-1, 3), process=False)
    return mesh, own
