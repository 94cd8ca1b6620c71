"""The ``symresnet`` command line: one module per command, shared helpers in ``common``."""
