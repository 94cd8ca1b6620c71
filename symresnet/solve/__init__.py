"""Exact solvers: linear programming, subsets of the real line, conditions on parameters."""
