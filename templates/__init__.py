"""The LaTeX templates of symresnet (installed as ``symresnet.templates``; see docs/derivations.md)."""
