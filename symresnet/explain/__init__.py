"""Derivation trees: worked solutions as data, every = checked exactly."""
