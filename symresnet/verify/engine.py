"""The verification engine: input splitting guided by float bounds, exact evidence.

``verify(net, prop)`` answers a :class:`~symresnet.verify.property.Property` for a ReLU
:class:`~symresnet.model.network.ResNet`:

* the cases are grouped by their input box; each group's box is split (a binary tree, each
  split halving one input's interval at its exact midpoint) until, at every leaf, every case of
  the group is refuted by one of its constraints or the sum of two: the float lower bound
  (:mod:`symresnet.verify.bounds`) of ``c . y - d`` is positive with a margin;
* at every box the float network is evaluated at the corners minimizing the bounds and at the
  centre, and projected gradient descent (:mod:`symresnet.verify.attack`) runs on the group's
  box first and on open boxes of the split now and then; a point that violates a case in
  floats is checked exactly (the exact realization of :mod:`symresnet.compute.core` at the
  exact rational point): ``sat`` with that counterexample;
* ``unsat`` only once the certificate (docs/verification.md), written as JSON data, is accepted
  by the exact leaf check (:class:`~symresnet.verify.fast_check.FastNet`, or the
  standard-library checker :mod:`symresnet.verify.checker` with ``check="stdlib"``); a leaf
  the exact check rejects is searched again with interval refutations only (:func:`_resplit`);
* with ``lp`` (and scipy installed), a case the interval bound leaves open on a box may get an
  LP leaf (:mod:`symresnet.verify.lp_leaf`: the dual of step 1's LP relaxation).

Time runs out: ``timeout`` with the fraction of the input volume proven; a box too small to
split: ``unknown``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from symresnet.compute.core import forward
from symresnet.compute.scaled import columns
from symresnet.model.network import ResNet
from symresnet.verify.attack import hunt
from symresnet.verify.bounds import objective_bounds
from symresnet.verify.checker import (
    FORMAT,
    VERSION,
    CertificateError,
    CheckTimeout,
    cases_of,
    check_certificate,
    load_network,
)
from symresnet.verify.fast_check import FastNet
from symresnet.verify.leaf_pool import CheckedLeaves, LeafPool
from symresnet.verify.lp_leaf import available as lp_available
from symresnet.verify.lp_leaf import lp_refute
from symresnet.verify.network_data import NetworkData, network_data
from symresnet.verify.property import Case, Property

__all__ = ["ROUNDING", "Counterexample", "VerifyResult", "property_json", "verify"]

#: the checker's rounding grid: 1/2^ROUNDING
ROUNDING = 32
#: boxes bounded in one numpy batch
BATCH = 128
#: deepest split tree before a box is given up (``unknown``)
MAX_DEPTH = 80
#: the float margin a refutation must clear (absolute, plus relative to the bound's size)
MARGIN = 1e-7
#: cases with at most this many constraints are also refuted by sums of two of them
MAX_PAIRED = 8
#: ... and by the sum of every subset of them when they are at most this many
MAX_SUBSETS = 3
PAIRS = True
#: the largest ratio of two inputs' relative widths that a lookahead split may create
ASPECT = 64.0
#: gradient search (:mod:`symresnet.verify.attack`): starts and steps on a group's box, and
#: on open boxes of the split while it has used at most ATTACK_SHARE of the group's time
ATTACK_STARTS = 256
ATTACK_STEPS = 50
ATTACK_SHARE = 0.1
#: step 1 of the bound procedure (the certificate's field ``"bounds"``): ``"backsub"``
#: (back-substituted intermediate bounds) or ``"forward"`` (symbolic intervals)
BOUNDS = "backsub"
#: with a timeout and no ``bounds`` given, the share of the time the :data:`BOUNDS` search gets
#: before the search starts again with the other step 1
AUTO_SHARE = 0.3
#: LP leaves are tried on a box unless LPs at deficits of the same decade or a smaller one
#: have failed: after LP_PROBES tries with less than LP_SUCCESS of them refuting
#: (docs/verification.md, "LP leaves")
LP_PROBES = 8
LP_SUCCESS = 0.15


@dataclass(frozen=True)
class Counterexample:
    """An exact input ``x`` in the box of case ``case`` whose exact output ``y`` meets all of
    the case's constraints."""

    case: int
    x: tuple[Fraction, ...]
    y: tuple[Fraction, ...]


@dataclass(frozen=True)
class VerifyResult:
    """The answer: ``status`` is ``sat``, ``unsat``, ``unknown`` or ``timeout``."""

    status: str
    counterexample: Counterexample | None = None
    certificate: dict[str, Any] | None = None
    leaves: int = 0
    boxes: int = 0
    proven: float = 0.0  #: fraction of the input volume (summed over groups) proven safe
    search_seconds: float = 0.0
    check_seconds: float = 0.0
    detail: str = ""
    checked: bool = False  #: the checker accepted the certificate
    extra: dict[str, Any] = field(default_factory=dict)


def property_json(prop: Property) -> dict[str, Any]:
    return {
        "inputs": prop.inputs,
        "outputs": prop.outputs,
        "cases": [
            {
                "lo": [str(v) for v in c.lo],
                "hi": [str(v) for v in c.hi],
                "constraints": [{"c": [str(v) for v in k.coefficients], "d": str(k.rhs)} for k in c.constraints],
            }
            for c in prop.cases
        ],
    }


def exact_output(net: ResNet, x: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """``R(x)`` exactly (Def. 1.5.4) through the flint core."""
    out = forward(net, columns([list(x)]))[-1].x.to_fmpq_mat()
    return tuple(Fraction(int(out[i, 0].p), int(out[i, 0].q)) for i in range(out.nrows()))


def _clamp(point: Any, case: Case) -> tuple[Fraction, ...]:
    """The float candidate as an exact point of the case's box: each coordinate rounded to
    float32 (so that a float32 replay of an ONNX network runs at the very same input), then
    clamped into the box."""
    return tuple(
        min(max(Fraction(float(np.float32(v))), a), b) for v, a, b in zip(point, case.lo, case.hi, strict=True)
    )


class _Group:
    """Cases sharing one box, with their constraint rows stacked; with ``pairs``, also the sum
    of every two constraints of a case, of every subset for a few (a certificate may refute with any ``mu >= 0``; a sum
    refutes where neither row alone does on the whole leaf, as near the place where the
    refuting row changes).  Row ``t`` belongs to case ``owners[t][0]`` with multipliers
    ``mus[t]``."""

    def __init__(self, indices: list[int], cases: tuple[Case, ...], *, pairs: bool = False):
        self.indices = indices
        self.case = cases[indices[0]]
        C: list[list[float]] = []
        d: list[float] = []
        owners = []
        mus: list[list[int]] = []
        for i in indices:
            cons = cases[i].constraints
            combos = [[int(t == r) for t in range(len(cons))] for r in range(len(cons))]
            if pairs and 2 <= len(cons) <= MAX_SUBSETS:  # every sum of two or more rows
                combos += [[(bits >> t) & 1 for t in range(len(cons))]
                           for bits in range(1, 2 ** len(cons)) if bits & (bits - 1)]
            elif pairs and 2 <= len(cons) <= MAX_PAIRED:
                combos += [[int(t in (r, q)) for t in range(len(cons))]
                           for r in range(len(cons)) for q in range(r + 1, len(cons))]
            for r, mu in enumerate(combos):
                C.append([float(sum((m * con.coefficients[j] for m, con in zip(mu, cons, strict=True)), Fraction(0)))
                          for j in range(len(cons[0].coefficients))])
                d.append(float(sum((m * con.rhs for m, con in zip(mu, cons, strict=True)), Fraction(0))))
                owners.append((i, r))
                mus.append(mu)
        self.C = np.array(C).reshape(len(C), -1)
        self.d = np.array(d)
        self.owners = owners
        self.mus = mus
        #: per case its own rows ``C y <= d`` in floats (for the LP leaves)
        self.rows = {i: (np.array([[float(v) for v in con.coefficients] for con in cases[i].constraints]),
                         np.array([float(con.rhs) for con in cases[i].constraints])) for i in indices}
        self.volume = float(np.prod([float(b - a) for a, b in zip(self.case.lo, self.case.hi, strict=True)]))


class _Search:
    def __init__(self, net: ResNet, data: NetworkData, prop: Property, deadline: float, *, lp: bool = False,
                 bounds: str = "forward"):
        self.bounds = bounds
        self.lp = lp
        self.lp_tries = 0
        self.lp_leaves = 0
        self.lp_seconds = 0.0
        self.lp_log: list[tuple[int, float, bool, float]] = []
        self.resplit = 0  # leaves the exact check rejected, searched again
        self.lp_stats: dict[int, tuple[int, int]] = {}  # decade of the deficit -> (tries, wins)
        self.net = net
        self.data = data
        self.prop = prop
        self.deadline = deadline
        self.boxes = 0
        self.proven = 0.0
        self.total = 0.0
        self.lookahead = 0
        self.attack_seconds = 0.0
        self.attacks = 0
        self.on_leaf: Any = None  #: called with (lo, hi, refutes) of every finished leaf

    def attack(self, group: _Group, lo: Any, hi: Any) -> Counterexample | None:
        """Projected gradient descent for every case of the group from starts in the box
        ``lo, hi`` (or in each of the boxes, rows of ``lo, hi``); the best points are checked
        like any float candidate."""
        t = time.monotonic()
        self.attacks += 1
        points = hunt(self.data, [self.prop.cases[i] for i in group.indices], lo, hi,
                      count=ATTACK_STARTS, steps=ATTACK_STEPS, seed=self.attacks)
        found = self.try_points(group, points)
        self.attack_seconds += time.monotonic() - t
        return found

    def exact_violation(self, point: Any, index: int) -> Counterexample | None:
        case = self.prop.cases[index]
        x = _clamp(point, case)
        y = exact_output(self.net, x)
        return Counterexample(index, x, y) if case.violated_by(y) else None

    def try_points(self, group: _Group, points: Any) -> Counterexample | None:
        """Check float candidates; the exact check confirms a float violation."""
        if not len(points):
            return None
        Y = self.data.forward(points)
        slack = Y @ group.C.T - group.d[None, :]  # <= 0 where a constraint holds
        for i in group.indices:
            cols = [t for t, (owner, _) in enumerate(group.owners) if owner == i]
            worst = slack[:, cols].max(axis=1) if cols else np.full(len(points), -1.0)
            for p in np.argsort(worst)[:3]:
                if worst[p] <= 1e-9:
                    found = self.exact_violation(points[p], i)
                    if found is not None:
                        return found
        return None

    def try_lp(self, group: _Group, lo: Any, hi: Any, depth: int, margin: Any, ok: Any) -> list[Any] | None:
        """LP leaves (:mod:`symresnet.verify.lp_leaf`) for the cases the interval bound left
        open on this box, when the box is deep enough and its deficit small enough to pay;
        ``None`` unless every open case gets one."""
        score = float(self.score(group, margin[None, :])[0])
        bucket = math.floor(math.log10(-score)) if score < 0 else -400  # the decade of the deficit
        if any(b <= bucket and self.lp_skip(b) for b in self.lp_stats):
            return None
        out = []
        for i in group.indices:
            cols = [t for t, (owner, _) in enumerate(group.owners) if owner == i]
            if any(ok[t] for t in cols):
                continue  # refuted by the interval bound
            t0 = time.perf_counter()
            C, d = group.rows[i]
            res = lp_refute(self.data, lo, hi, C, d, step1=self.bounds)
            spent = time.perf_counter() - t0
            self.lp_tries += 1
            self.lp_seconds += spent
            self.lp_log.append((depth, score, res.dual is not None, spent))
            tries, wins = self.lp_stats.get(bucket, (0, 0))
            self.lp_stats[bucket] = (tries + 1, wins + (res.dual is not None))
            if res.dual is None:
                return None
            out.append([i, res.dual])
        return out

    def lp_skip(self, bucket: int) -> bool:
        """Whether LPs at deficits of this decade have failed too often to pay."""
        tries, wins = self.lp_stats[bucket]
        return tries >= LP_PROBES and wins < LP_SUCCESS * tries

    def stats(self) -> dict[str, Any]:
        """The LP leaves' figures: tried, accepted by the float LP, seconds spent."""
        return {"lp_tries": self.lp_tries, "lp_leaves": self.lp_leaves, "lp_seconds": round(self.lp_seconds, 3),
                "resplit": self.resplit}

    @staticmethod
    def score(group: _Group, margin: Any) -> Any:
        """Per box: the worst case's best refutation margin (``> 0``: every case refuted)."""
        score = np.full(len(margin), np.inf)
        for i in group.indices:
            cols = [t for t, (owner, _) in enumerate(group.owners) if owner == i]
            score = np.minimum(score, margin[:, cols].max(axis=1) if cols else -np.inf)
        return score

    def choose_split(self, group: _Group, lo: Any, hi: Any, parent: float) -> int:
        """The input to halve: the one whose two halves have the best worst refutation margin
        (the least summed deficit of the halves: a one-step lookahead, all candidate halves bounded in one batch); ties and
        when no half gains, the widest input relative to the property's box."""
        n0 = len(lo)
        dims = [i for i in range(n0) if hi[i] > lo[i]]
        if not dims:
            return 0
        mid = (lo + hi) / 2
        clo = np.repeat(lo[None, :], 2 * len(dims), axis=0)
        chi = np.repeat(hi[None, :], 2 * len(dims), axis=0)
        for t, i in enumerate(dims):
            chi[2 * t, i] = mid[i]
            clo[2 * t + 1, i] = mid[i]
        self.lookahead += len(clo)
        margin = objective_bounds(self.data, clo, chi, group.C, bounds=self.bounds).lower - group.d[None, :]
        score = self.score(group, margin)
        deficit = np.minimum(score, 0.0)
        gain = deficit[0::2] + deficit[1::2] - 2 * min(parent, 0.0)  # what the halves gained
        rel = np.array([(hi[i] - lo[i]) / self.width[i] for i in dims])
        best = int(np.argmax(gain))
        if gain[best] > 1e-2 * abs(parent) and rel[best] * ASPECT >= rel.max():
            return dims[best]
        # no split helps enough (the relaxation is not monotone), or the box got too thin:
        # halve the widest input, relative to the property's box
        return dims[int(np.argmax(rel))]

    def run_group(self, group: _Group) -> tuple[dict[str, Any] | None, Counterexample | None, int, str]:
        """The split tree of one group (JSON), or a counterexample; the leaf count; why not."""
        case = group.case
        root: dict[str, Any] = {}
        stack: list[tuple[tuple[Fraction, ...], tuple[Fraction, ...], dict[str, Any], int]] = [
            (case.lo, case.hi, root, 0)
        ]
        leaves = 0
        vol = group.volume
        self.total += vol
        rng = np.random.default_rng(0)
        width = np.array([float(b - a) for a, b in zip(case.lo, case.hi, strict=True)])
        self.width = np.where(width > 0, width, 1.0)
        samples = np.array([float(a) for a in case.lo]) + rng.random((256, len(width))) * width
        found = self.try_points(group, samples)
        if found is None:
            found = self.attack(group, np.array([float(a) for a in case.lo]), np.array([float(b) for b in case.hi]))
        if found is not None:
            return None, found, 0, ""
        began, spent = time.monotonic(), self.attack_seconds
        while stack:
            if time.monotonic() > self.deadline:
                return None, None, leaves, "timeout"
            batch = [stack.pop() for _ in range(min(BATCH, len(stack)))]
            lo = np.array([[float(v) for v in b[0]] for b in batch])
            hi = np.array([[float(v) for v in b[1]] for b in batch])
            self.boxes += len(batch)
            bounds = objective_bounds(self.data, lo, hi, group.C, bounds=self.bounds)
            margin = bounds.lower - group.d[None, :]
            tol = MARGIN * (1.0 + np.abs(bounds.lower) + np.abs(group.d)[None, :])
            ok = margin > tol
            candidates = []
            opened = []
            for n, (blo, bhi, node, depth) in enumerate(batch):
                refutes = []
                open_rows = []
                for i in group.indices:
                    cols = [t for t, (owner, _) in enumerate(group.owners) if owner == i]
                    good = [t for t in cols if ok[n, t]]
                    if good:
                        best = max(good, key=lambda t: margin[n, t])
                        mu = [str(m) for m in group.mus[best]]
                        refutes.append([i, mu])
                    else:
                        open_rows.append(max(cols, key=lambda t: margin[n, t]) if cols else None)
                lps = self.try_lp(group, lo[n], hi[n], depth, margin[n], ok[n]) if open_rows and self.lp else None
                if lps is not None:
                    if refutes:
                        node["refute"] = refutes
                    node["lp"] = lps
                    self.lp_leaves += 1
                    open_rows = []
                if not open_rows:
                    if lps is None:
                        node["refute"] = refutes
                    leaves += 1
                    if self.on_leaf is not None and lps is None:  # LP leaves are checked at the end
                        self.on_leaf(blo, bhi, refutes)
                    self.proven += vol * float(np.prod(hi[n] - lo[n])) / max(float(np.prod(width)), 1e-300)
                    continue
                opened.append(n)
                for t in open_rows:
                    if t is not None:
                        candidates.append(bounds.corner[n, t])
                candidates.append((lo[n] + hi[n]) / 2)
                if depth >= MAX_DEPTH:
                    return None, None, leaves, f"a box at split depth {MAX_DEPTH} is neither refuted nor violated"
                i = self.choose_split(group, lo[n], hi[n], float(self.score(group, margin[n : n + 1])[0]))
                at = (blo[i] + bhi[i]) / 2
                if not blo[i] < at < bhi[i]:
                    return None, None, leaves, "a box cannot be split further"
                below: dict[str, Any] = {}
                above: dict[str, Any] = {}
                node.update({"split": i, "at": str(at), "below": below, "above": above})
                b1 = list(bhi)
                b1[i] = at
                a2 = list(blo)
                a2[i] = at
                stack.append((tuple(a2), tuple(bhi), above, depth + 1))
                stack.append((blo, tuple(b1), below, depth + 1))
            if candidates:
                found = self.try_points(group, np.array(candidates))
                if found is None and opened and self.attack_seconds - spent <= ATTACK_SHARE * (time.monotonic() - began):
                    found = self.attack(group, lo[opened], hi[opened])
                if found is not None:
                    return None, found, leaves, ""
        return root, None, leaves, ""


def _groups(prop: Property) -> list[_Group]:
    by_box: dict[tuple[Any, Any], list[int]] = {}
    for i, c in enumerate(prop.cases):
        by_box.setdefault((c.lo, c.hi), []).append(i)
    return [_Group(ix, prop.cases, pairs=PAIRS) for ix in by_box.values()]


def _refine(tree: dict[str, Any], path: tuple[int, ...]) -> dict[str, Any]:
    node = tree
    for step in path:
        node = node["above" if step else "below"]
    return node


def verify(
    net: ResNet,
    prop: Property,
    *,
    timeout: float | None = None,
    workers: int = 1,
    check: str = "fast",
    lp: bool = True,
    bounds: str | None = None,
) -> VerifyResult:
    """Decide ``prop`` for ``net`` (see the module docstring).  ``check="fast"`` checks the
    certificate's leaves with :class:`~symresnet.verify.fast_check.FastNet` (the same exact
    procedure on flint matrices), ``"stdlib"`` with the standard-library checker alone.  With
    ``workers > 1`` and ``check="fast"``, ``workers - 1`` processes check the leaves while the
    search goes on, and this one joins them when it ends (:class:`~symresnet.verify.leaf_pool.LeafPool`); with ``"stdlib"`` the
    reference checker runs in ``workers`` processes after the search.
    ``bounds`` is step 1 of the bound procedure, in the search and in the certificate
    (``"backsub"`` or ``"forward"``).  By default (``None``) the search uses :data:`BOUNDS`,
    and with a ``timeout``, when that search has not decided within :data:`AUTO_SHARE` of it,
    the search starts again with the other step 1 for the rest of the time (back-substitution
    needs far fewer leaves on most ACAS Xu instances but costs some 15 times as much a box;
    on 1_1 property 2 the forward intervals win)."""
    if bounds is not None or not timeout:
        return _verify_with(net, prop, timeout=timeout, workers=workers, check=check, lp=lp,
                            bounds=bounds or BOUNDS)
    start = time.monotonic()
    first = _verify_with(net, prop, timeout=AUTO_SHARE * timeout, workers=workers, check=check,
                         lp=lp, bounds=BOUNDS)
    if first.status != "timeout":
        return first
    other = "forward" if BOUNDS == "backsub" else "backsub"
    rest = timeout - (time.monotonic() - start)
    second = _verify_with(net, prop, timeout=max(rest, 0.0), workers=workers, check=check, lp=lp,
                          bounds=other)
    spent = AUTO_SHARE * timeout if first.search_seconds == 0 else first.search_seconds + first.check_seconds
    note = f"{BOUNDS} step 1 undecided after {spent:.0f} s, then {other}"
    return replace(second, search_seconds=second.search_seconds + spent,
                   detail=f"{note}: {second.detail}" if second.detail else note)


def _verify_with(net: ResNet, prop: Property, *, timeout: float | None, workers: int, check: str,
                 lp: bool, bounds: str) -> VerifyResult:
    start = time.monotonic()
    deadline = start + (timeout if timeout else float("inf"))
    data = network_data(net)
    network, prop_data = data.to_json(), property_json(prop)
    search = _Search(net, data, prop, deadline, lp=lp and lp_available(), bounds=bounds)
    pool = LeafPool(network, prop_data, 2**ROUNDING, workers=workers - 1, bounds=bounds) if workers > 1 and check == "fast" else None
    if pool is not None:
        search.on_leaf = pool.add
    try:
        return _decide(net, data, prop, search, pool, start, deadline, network, prop_data,
                       workers=workers, check=check)
    finally:
        if pool is not None:
            pool.close()


def _decide(net: ResNet, data: NetworkData, prop: Property, search: _Search, pool: LeafPool | None,
            start: float, deadline: float, network: Any, prop_data: Any, *, workers: int,
            check: str) -> VerifyResult:
    proofs = []
    leaves = 0
    for group in _groups(prop):
        tree, found, count, why = search.run_group(group)
        leaves += count
        if found is not None:
            return _sat(net, data, prop, found, search, start)
        if tree is None:
            status = "timeout" if why == "timeout" else "unknown"
            return VerifyResult(status, extra=search.stats(), leaves=leaves, boxes=search.boxes,
                                proven=search.proven / max(search.total, 1e-300),
                                search_seconds=time.monotonic() - start, detail=why)
        proofs.append({"cases": group.indices, "tree": tree})
    certificate = {
        "format": FORMAT,
        "version": VERSION,
        "result": "unsat",
        "rounding": ROUNDING,
        **({"bounds": search.bounds} if search.bounds != "forward" else {}),
        "network": network,
        "property": prop_data,
        "proofs": proofs,
    }
    searched = time.monotonic() - start
    check_start = time.monotonic()
    limit = deadline if deadline != float("inf") else None
    try:
        if pool is not None:
            fast = FastNet(load_network(network))
            cases = [(C, e) for _, _, C, e in cases_of(prop_data, net.dims[0], net.dims[-1])]

            def local(lo: Any, hi: Any, refutes: Any) -> bool:
                return fast.check_leaf(cases, list(lo), list(hi), [(c, list(mu)) for c, mu in refutes], 2**ROUNDING,
                                       search.bounds)

            leaf_checker: Any = CheckedLeaves(pool.results(limit, local), prop_data, 2**ROUNDING, search.bounds)
        else:
            leaf_checker = FastNet if check == "fast" else None
        report = check_certificate(certificate, workers=1 if pool is not None else workers,
                                   deadline=limit, leaf_checker=leaf_checker)
    except CheckTimeout as err:
        return VerifyResult("timeout", extra=search.stats(), leaves=leaves, boxes=search.boxes, proven=1.0,
                            search_seconds=searched, check_seconds=time.monotonic() - check_start,
                            detail=f"the float search refuted every leaf; exact check: {err}")
    total = report.leaves
    if not report.accepted:  # leaves the floats refuted but the exact bound does not: re-split
        try:
            outcome = _resplit(net, data, prop, proofs, report.failed, deadline, check, search.bounds)
        except CheckTimeout as err:
            outcome = (0, f"timeout in the exact check of a re-split leaf: {err}")
        if isinstance(outcome, Counterexample):
            return _sat(net, data, prop, outcome, search, start)
        added, why = outcome
        if why:
            return VerifyResult("timeout" if why.startswith("timeout") else "unknown", extra=search.stats(),
                                leaves=leaves, boxes=search.boxes, proven=1.0, search_seconds=searched,
                                check_seconds=time.monotonic() - check_start,
                                detail=f"{len(report.failed)} leaves failed the exact check; re-split: {why}")
        total += added
        search.resplit = len(report.failed)
    return VerifyResult("unsat", extra=search.stats(), certificate=certificate, leaves=total, boxes=search.boxes,
                        proven=1.0, search_seconds=searched,
                        check_seconds=time.monotonic() - check_start, checked=True)


def _resplit(net: ResNet, data: NetworkData, prop: Property, proofs: list[dict[str, Any]],
             failed: tuple[tuple[int, tuple[int, ...]], ...], deadline: float,
             check: str, bounds: str = "forward") -> Counterexample | tuple[int, str]:
    """The fallback for leaves the float search refuted but the exact check rejects (an LP leaf
    whose rounded duals do not survive): each such leaf's box is searched again with interval
    refutations only, the new subtree checked exactly as a certificate of that box and spliced
    in its place.  Returns the leaves added and ``""``, or why not, or a counterexample (with
    the original case index) found inside a leaf."""
    added = 0
    network = data.to_json()
    for g, path in failed:
        indices = proofs[g]["cases"]
        lo, hi = list(prop.cases[indices[0]].lo), list(prop.cases[indices[0]].hi)
        node = proofs[g]["tree"]
        for step in path:
            i, at = int(node["split"]), Fraction(node["at"])
            if step:
                lo[i], node = at, node["above"]
            else:
                hi[i], node = at, node["below"]
        sub = Property(prop.inputs, prop.outputs,
                       tuple(Case(tuple(lo), tuple(hi), prop.cases[i].constraints) for i in indices))
        search = _Search(net, data, sub, deadline, lp=False, bounds=bounds)
        tree, found, count, why = search.run_group(_Group(list(range(len(indices))), sub.cases, pairs=PAIRS))
        if found is not None:
            return Counterexample(indices[found.case], found.x, found.y)
        if tree is None:
            return added, why or "no subtree"
        certificate = {"format": FORMAT, "version": VERSION, "result": "unsat", "rounding": ROUNDING,
                       **({"bounds": bounds} if bounds != "forward" else {}),
                       "network": network, "property": property_json(sub),
                       "proofs": [{"cases": list(range(len(indices))), "tree": tree}]}
        report = check_certificate(certificate, deadline=deadline if deadline != float("inf") else None,
                                   leaf_checker=FastNet if check == "fast" else None)
        if not report.accepted:
            return added, "a re-split leaf failed the exact check too"
        stack = [tree]
        while stack:  # back to the property's case indices
            leaf = stack.pop()
            if "split" in leaf:
                stack += [leaf["below"], leaf["above"]]
            else:
                leaf["refute"] = [[indices[t], mu] for t, mu in leaf["refute"]]
        node.clear()
        node.update(tree)
        added += count - 1
    return added, ""


def _sat(net: ResNet, data: NetworkData, prop: Property, found: Counterexample, search: _Search,
         start: float) -> VerifyResult:
    certificate = {
        "format": FORMAT,
        "version": VERSION,
        "result": "sat",
        "network": data.to_json(),
        "property": property_json(prop),
        "counterexample": {"case": found.case, "x": [str(v) for v in found.x], "y": [str(v) for v in found.y]},
    }
    searched = time.monotonic() - start
    t = time.monotonic()
    try:
        check_certificate(certificate)
    except CertificateError as err:  # the exact check above passed: the two disagree
        raise AssertionError(f"the checker rejects a counterexample the engine checked: {err}") from None
    return VerifyResult("sat", counterexample=found, certificate=certificate, boxes=search.boxes,
                        search_seconds=searched, check_seconds=time.monotonic() - t, checked=True)
