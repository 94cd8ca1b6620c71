"""Verification of properties of ReLU networks (VNN-LIB, docs/verification.md): float search,
exact evidence (counterexamples and certificates) and an independent certificate checker."""
