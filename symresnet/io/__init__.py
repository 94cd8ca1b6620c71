"""Files: spec files <-> networks and claims, point files."""
