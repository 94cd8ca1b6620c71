"""``python -m symresnet``: the same as the ``symresnet`` command."""

from symresnet.cli.main import run

run()
