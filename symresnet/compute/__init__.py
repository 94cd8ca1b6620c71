"""Realizations (Def. 1.5.4): traces, the flint core, the modular batch path, pieces, regions."""
