"""Random ResNets for the rendering and compile tests: every activation of activation_table.KNOWN,
a skip into every layer k >= 2, fractions, negative numbers, 1x1 layers, widths up to 12.

Seeded, so the same networks come out every run.  Smooth activations get narrow, shallow
networks: their exact values are closed forms that grow with every layer.
"""

from __future__ import annotations

import random
from fractions import Fraction

from symresnet import ResNet
from symresnet.model.activation_table import KNOWN

#: parameters for the activations that need them
PARAMS = {
    "clip": {"u": "-1/2", "v": 3},
    "swish": {"beta": "3/2"},
    "leaky_relu": {"gamma": "1/10"},
    "elu": {"gamma": -1},
    "repu": {"p": 2},
}
RATIONAL = {"relu", "clip", "leaky_relu", "heaviside", "identity", "softsign", "repu"}


def _q(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-9, 9), rng.choice([1, 1, 1, 2, 3, 7]))


def network(rng: random.Random, name: str, *, wide: bool) -> tuple[ResNet, list[Fraction]]:
    L = rng.randint(2, 4) if wide else 3
    top = 12 if wide else 3
    dims = [rng.choice([1, rng.randint(1, top)]) for _ in range(L + 1)]
    if wide:
        dims[rng.randrange(L + 1)] = top  # at least one layer of width 12
        dims[rng.randrange(L + 1)] = 1  # and one of width 1
    W = [[[_q(rng) for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, L + 1)]
    B = [[_q(rng) for _ in range(dims[k])] for k in range(1, L + 1)]
    skips = {}
    for k in range(1, L + 1):
        if k >= 2 or rng.random() < 0.3:
            r = rng.randrange(0, k)
            skips[(r, k)] = [[_q(rng) for _ in range(dims[r])] for _ in range(dims[k])]
    activation = {"name": name, **PARAMS[name]} if name in PARAMS else name
    x0 = [_q(rng) for _ in range(dims[0])]
    return ResNet(W=W, B=B, skips=skips, activation=activation), x0


def networks(count: int = 24, seed: int = 156) -> list[tuple[ResNet, list[Fraction]]]:
    """``count`` networks cycling through every known activation."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = KNOWN[i % len(KNOWN)]
        out.append(network(rng, name, wide=name in RATIONAL))
    return out
