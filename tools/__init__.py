"""Build-time tooling for Trigger Atlas (never imported by the viewer)."""
