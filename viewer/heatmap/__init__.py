"""Referral heat maps on the skin: geodesic distance fields, zone weights, combination, caching.

Pure NumPy/SciPy (potpourri3d for the heat method when installed); no Qt, no VTK. Entry point:
:func:`viewer.heatmap.model.build_referral_model`.
"""
