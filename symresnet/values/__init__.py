"""Exact numbers: our parser for user-written entries, exact conversions, limits."""
