"""Atlas build pipeline: skeleton -> muscles -> skin -> LOD -> meshes/.

Run as ``python -m tools.build_atlas`` from the repository root. The viewer never imports this.
"""
