"""Kept for imports written before :mod:`symresnet.files`: the one atomic writer lives there."""

from __future__ import annotations

from symresnet.files import write_atomic

__all__ = ["write_atomic"]
