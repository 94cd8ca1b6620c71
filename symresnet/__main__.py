"""``python -m symresnet``: the same as the ``symresnet`` command."""

from symresnet.cli import run

run()
