#!/usr/bin/env python3
"""A vectorised NumPy implementation of ironclad's Monte Carlo model: what an analyst would write.

Reads a model exported by `ironclad simulate SPEC --export-model MODEL.json` and samples it
exactly as `crates/sim/src/run.rs` (`Runner::run`) does, a batch of runs at a time:

  * one uniform per variant picks its option (first option whose cumulative weight exceeds
    the uniform); the options index the outcome in mixed radix, variant 0 fastest;
  * one standard normal per latent factor; per pair a normal (will), a normal (delay) and a
    uniform (capacity), realised capacity = (1 - (1 - u)^(1/b))^(1/a) (Kumaraswamy), times
    floor + (1 - floor)·u' for a pair whose commitment gives an amount range;
  * a pair honours iff sum(loading * factor) + idio * eps < threshold, and is in time at
    horizon h iff it is in place or its delay normal <= (ln h - delay_mu) / delay_sigma;
  * per party and need, the largest timely honoured pledge (times the realised capacity
    unless the need counts pledges); delivered = sum over parties; adequate iff
    delivered >= required; adequacy = min(1, delivered / required);
  * credibility = mean adequacy over needs at the deterrence horizon; escalation iff an
    escalating pair of the outcome is honoured and in time at the deterrence horizon.

Random numbers come from NumPy's own generator (np.random.default_rng(seed)), so the streams
differ from Rust's: agreement with `ironclad simulate` is statistical (overlapping 95%
intervals), not bitwise. Every run draws the same count of numbers as a Rust run; the
arithmetic skips the pairs that can affect no reported output (no pledge and never escalating).

Usage: python3 bench/reference_numpy.py MODEL.json --runs N --seed S [--batch B]
Prints one JSON object on stdout.
"""

import argparse
import json
import math
import resource
import sys
import time

import numpy as np

Z95 = 1.959963984540054


def wilson(k, n):
    """The Wilson score 95% interval of k successes in n (as ironclad's stats::wilson)."""
    if n == 0:
        return {"value": float("nan"), "low": 0.0, "high": 1.0}
    k = int(k)
    p = k / n
    z2 = Z95 * Z95
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half = Z95 * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    low = 0.0 if k == 0 else max(centre - half, 0.0)
    high = 1.0 if k == n else min(centre + half, 1.0)
    return {"value": p, "low": low, "high": high}


def mean_ci(total, total_sq, n):
    """A mean with a normal-approximation 95% interval (as ironclad's stats::mean)."""
    m = total / n
    variance = max(total_sq / n - m * m, 0.0) * n / max(n - 1.0, 1.0)
    half = Z95 * math.sqrt(variance / n)
    return {"value": m, "low": m - half, "high": m + half}


def finite(x, none_value):
    """serde_json writes non-finite floats as null."""
    return none_value if x is None else float(x)


class Model:
    def __init__(self, m):
        self.horizons = [float(h) for h in m["horizons"]]
        all_h = self.horizons + [float(m["deterrence"]["horizon"])]
        self.n_h = len(all_h)
        needs = m["needs"]
        self.n_d = len(needs)
        self.required = np.array([float(n["required"]) for n in needs])[:, None]
        self.count = [bool(n["count"]) for n in needs]

        # Variants: cumulative weights (summed in order, as Rust does) and mixed radix.
        self.cumulative = [np.cumsum(np.asarray(w, dtype=np.float64)) for w in m["variants"]]
        self.radix = []
        r = 1
        for w in m["variants"]:
            self.radix.append(r)
            r *= len(w)
        self.n_v = len(m["variants"])
        self.n_f = int(m["factors"])
        self.inv_a = 1.0 / float(m["capacity"]["a"])
        self.inv_b = 1.0 / float(m["capacity"]["b"])

        pairs = m["pairs"]
        self.n_p = len(pairs)
        outcomes = m["outcomes"]
        n_c = len(outcomes)
        active = np.zeros((n_c, self.n_p), dtype=bool)
        placed = np.zeros((n_c, self.n_p), dtype=bool)
        escalating = np.zeros((n_c, self.n_p), dtype=bool)
        for c, o in enumerate(outcomes):
            active[c, o["active"]] = True
            placed[c, o["in_place"]] = True
            escalating[c, o["escalating"]] = True
        pledge = np.array([[float(x) for x in p["pledge"]] for p in pairs]).reshape(self.n_p, self.n_d)
        # An amount range ("5000..15000 troops"): the pledge is scaled by U(floor, 1) per run.
        self.floor = np.array([float(p.get("pledge_floor", 1.0)) for p in pairs])
        self.any_range = bool((self.floor < 1.0).any())

        # Only pairs that can pledge something or escalate affect the outputs.
        relevant = np.flatnonzero((pledge > 0).any(axis=1) | escalating.any(axis=0))
        self.rel = relevant
        n_r = len(relevant)
        self.active = active[:, relevant]
        self.placed = placed[:, relevant]
        self.escalating = escalating[:, relevant]
        self.any_escalating = bool(self.escalating.any())

        loadings = np.zeros((self.n_f, n_r))
        idio = np.zeros(n_r)
        threshold = np.zeros(n_r)
        delay = np.zeros((self.n_h, n_r))
        for j, i in enumerate(relevant):
            p = pairs[i]
            for f, lam in p["loadings"]:
                loadings[int(f), j] += float(lam)
            idio[j] = float(p["idio"])
            honour = float(p["honour"])
            threshold[j] = finite(p["threshold"], math.inf if honour >= 1.0 else -math.inf)
            mu = finite(p["delay_mu"], -math.inf)
            sigma = float(p["delay_sigma"])
            for h, horizon in enumerate(all_h):
                x = math.log(horizon) - mu
                if sigma > 0.0:
                    delay[h, j] = x / sigma
                else:
                    delay[h, j] = math.inf if x >= 0.0 else -math.inf
        # Column vectors (one row per relevant pair), broadcast against (pairs, runs) arrays.
        self.loadings_t = np.ascontiguousarray(loadings.T)
        self.idio = idio[:, None]
        self.threshold = threshold[:, None]
        self.delay = delay[:, :, None]
        self.active_t = np.ascontiguousarray(self.active.T)
        self.placed_t = np.ascontiguousarray(self.placed.T)
        self.escalating_t = np.ascontiguousarray(self.escalating.T)

        # Per need: the relevant pairs with a pledge, sorted by party, and where each party's
        # group starts (for a per-party max with np.maximum.reduceat).
        party = np.array([int(pairs[i]["party_index"]) for i in relevant], dtype=np.int64)
        self.by_need = []
        rel_pledge = pledge[relevant]
        for d in range(self.n_d):
            cols = np.flatnonzero(rel_pledge[:, d] > 0)
            cols = cols[np.argsort(party[cols], kind="stable")]
            if len(cols) == 0:
                self.by_need.append(None)
                continue
            parties = party[cols]
            starts = np.flatnonzero(np.r_[True, parties[1:] != parties[:-1]])
            self.by_need.append((cols, starts, rel_pledge[cols, d][:, None]))

    def batch(self, rng, n):
        """Samples n runs; returns per-run arrays (adequate_all [h], adequate [h][d], credibility, escalation)."""
        # Exactly the draws of a Rust run: variants, factors, then per pair will, delay and
        # capacity. Pair-major layout (one row per pair), so per-pair rows are contiguous.
        u_var = rng.random((self.n_v, n))
        factors = rng.standard_normal((self.n_f, n))
        eps = rng.standard_normal((self.n_p, n))
        z = rng.standard_normal((self.n_p, n))
        u_cap = rng.random((self.n_p, n))
        u_amt = rng.random((self.n_p, n)) if self.any_range else None

        combination = np.zeros(n, dtype=np.intp)
        for v, cum in enumerate(self.cumulative):
            option = np.minimum(np.searchsorted(cum, u_var[v], side="right"), len(cum) - 1)
            combination += option * self.radix[v]

        rel = self.rel
        latent = self.loadings_t @ factors
        latent += self.idio * eps[rel]
        live = (latent < self.threshold) & self.active_t[:, combination]
        placed = self.placed_t[:, combination]
        z = z[rel]

        # Amounts per need before the timeliness mask (independent of the horizon): realised
        # capacity only where a need is measured in units.
        amounts = []
        for d, entry in enumerate(self.by_need):
            if entry is None:
                amounts.append(None)
                continue
            cols, _, pledge = entry
            if self.count[d]:
                amounts.append(pledge)
            else:
                fraction = (1.0 - (1.0 - u_cap[rel[cols]]) ** self.inv_b) ** self.inv_a
                if u_amt is not None:
                    floor = self.floor[rel[cols]][:, None]
                    fraction = fraction * (floor + (1.0 - floor) * u_amt[rel[cols]])
                amounts.append(fraction * pledge)

        adequate_all = []
        adequate = []
        credibility = None
        escalation = None
        for h in range(self.n_h):
            ok = live & (placed | (z <= self.delay[h]))
            delivered = np.empty((self.n_d, n))
            for d, entry in enumerate(self.by_need):
                if entry is None:
                    delivered[d] = 0.0
                    continue
                cols, starts, _ = entry
                x = np.where(ok[cols], amounts[d], 0.0)
                # Each party sends its largest timely pledge; the parties' contributions add up.
                np.maximum.reduceat(x, starts, axis=0).sum(axis=0, out=delivered[d])
            if h == self.n_h - 1:
                credibility = np.minimum(delivered / self.required, 1.0).mean(axis=0)
                if self.any_escalating:
                    escalation = (ok & self.escalating_t[:, combination]).any(axis=0)
                else:
                    escalation = np.zeros(n, dtype=bool)
            else:
                each = delivered >= self.required
                adequate.append(each)
                adequate_all.append(each.all(axis=0))
        return adequate_all, adequate, credibility, escalation


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a model exported with `ironclad simulate --export-model`")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16384, help="runs per vectorised batch (bounds memory)")
    args = parser.parse_args()
    if args.runs < 1 or args.batch < 1:
        parser.error("--runs and --batch must be at least 1")
    with open(args.model, encoding="utf-8") as f:
        raw = json.load(f)

    started = time.perf_counter()
    model = Model(raw)
    rng = np.random.default_rng(args.seed)
    n_h = len(model.horizons)
    adequate_all = np.zeros(n_h, dtype=np.int64)
    adequate = np.zeros((n_h, model.n_d), dtype=np.int64)
    cred_sum = 0.0
    cred_sq = 0.0
    escalations = 0
    done = 0
    while done < args.runs:
        n = min(args.batch, args.runs - done)
        all_h, each_h, credibility, escalation = model.batch(rng, n)
        for h in range(n_h):
            adequate_all[h] += int(np.count_nonzero(all_h[h]))
            adequate[h] += np.count_nonzero(each_h[h], axis=1)
        cred_sum += float(credibility.sum())
        cred_sq += float(np.dot(credibility, credibility))
        escalations += int(np.count_nonzero(escalation))
        done += n
    seconds = time.perf_counter() - started

    runs = args.runs
    credibility = mean_ci(cred_sum, cred_sq, runs)
    det = raw["deterrence"]

    def deter(c):
        x = (float(det["cost"]) * min(max(c, 0.0), 1.0) - float(det["gain"])) / float(det["noise"])
        return 0.5 * math.erfc(-x / math.sqrt(2.0))

    out = {
        "implementation": "numpy " + np.__version__,
        "runs": runs,
        "seed": args.seed,
        "batch": args.batch,
        "seconds": seconds,
        "runs_per_second": runs / seconds if seconds > 0 else float("inf"),
        "horizons": model.horizons,
        "needs": [n["domain"] for n in raw["needs"]],
        "adequate": [wilson(adequate_all[h], runs) for h in range(n_h)],
        "adequate_by_need": [[wilson(adequate[h, d], runs) for d in range(model.n_d)] for h in range(n_h)],
        "credibility": credibility,
        "deterred": {k: deter(credibility[k]) for k in ("value", "low", "high")},
        "escalation": wilson(escalations, runs),
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
