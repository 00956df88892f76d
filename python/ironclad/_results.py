"""Reports as Python objects: the CLI's JSON, with attribute access, tables and HTML.

Every report keeps the exact JSON object the CLI prints with ``--format json`` in ``.data``
(the same serialiser, so every figure is the same float). Attribute access wraps it: JSON
objects become :class:`Node` (``report.deterrence.horizon``), ``{value, low, high}`` becomes an
:class:`Estimate`, lists stay lists.

Each report also names its tables (``.tables``): flat rows of scalars, one per horizon and
need, commitment, party, parameter… ``to_pandas(table)`` and ``to_arrow(table)`` build them (the
first table is the default). A report's tables are tens of rows, so they are built from the
JSON in Python; the one large table — per-run records of ``simulate(samples=True)`` — is
built in Rust as Arrow buffers and wrapped by pyarrow without a copy (see ``samples``).
"""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, TypeVar

from ._errors import Diagnostic

Row = Dict[str, Any]


class Estimate(NamedTuple):
    """A point estimate with its 95 % interval."""

    value: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def __str__(self) -> str:
        return f"{self.value:.4g} [{self.low:.4g}, {self.high:.4g}]"


def _is_estimate(v: Any) -> bool:
    return isinstance(v, dict) and len(v) == 3 and v.keys() == {"value", "low", "high"}


def wrap(v: Any) -> Any:
    """A JSON value with attribute access: objects as :class:`Node`, estimates as :class:`Estimate`."""
    if _is_estimate(v):
        return Estimate(v["value"], v["low"], v["high"])
    if isinstance(v, dict):
        return Node(v)
    if isinstance(v, list):
        return [wrap(x) for x in v]
    return v


class Node(Mapping[str, Any]):
    """A JSON object of a report: ``node.field`` or ``node["field"]``; ``to_dict()`` for the JSON."""

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        try:
            return wrap(self._data[name])
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._data))

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object (shared, not copied)."""
        return self._data

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={_short(v)}" for k, v in list(self._data.items())[:6])
        more = ", …" if len(self._data) > 6 else ""
        return f"{type(self).__name__}({fields}{more})"


def _short(v: Any) -> str:
    if _is_estimate(v):
        return str(wrap(v))
    if isinstance(v, list):
        return f"[{len(v)} items]"
    if isinstance(v, dict):
        return "{…}"
    return repr(v)


def _est(prefix: str, e: Optional[Mapping[str, float]]) -> Row:
    """An estimate as three columns: ``prefix``, ``prefix_low``, ``prefix_high``."""
    if e is None:
        return {prefix: None, f"{prefix}_low": None, f"{prefix}_high": None}
    return {prefix: e["value"], f"{prefix}_low": e["low"], f"{prefix}_high": e["high"]}


R = TypeVar("R", bound="Report")


class Report(Node):
    """A typed report of the front door. ``.data`` is the CLI's JSON; ``.tables`` the names of
    its tables for :meth:`to_pandas` and :meth:`to_arrow`."""

    #: The report's tables, the default first.
    tables: Tuple[str, ...] = ()
    _title = "report"

    @property
    def data(self) -> Dict[str, Any]:
        """The report as the CLI's ``--format json`` prints it, parsed."""
        return self._data

    def to_json(self) -> str:
        """The report as JSON text."""
        return json.dumps(self._data, indent=2, ensure_ascii=False)

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        raise NotImplementedError

    def table_rows(self, table: Optional[str] = None) -> List[Row]:
        """A table as a list of flat dicts (no pandas needed)."""
        return self._rows(self._table(table))[1]

    def _table(self, table: Optional[str]) -> str:
        if table is None:
            if not self.tables:
                raise ValueError(f"a {self._title} report has no tables")
            return self.tables[0]
        if table not in self.tables:
            raise ValueError(f"no table {table!r}; tables: {', '.join(self.tables)}")
        return table

    def to_pandas(self, table: Optional[str] = None) -> Any:
        """A table as a :class:`pandas.DataFrame` (default: the first of ``.tables``)."""
        import pandas as pd  # type: ignore[import-untyped]

        columns, rows = self._rows(self._table(table))
        return pd.DataFrame(rows, columns=columns)

    def to_arrow(self, table: Optional[str] = None) -> Any:
        """A table as a :class:`pyarrow.Table` (default: the first of ``.tables``)."""
        import pyarrow as pa  # type: ignore[import-untyped]

        columns, rows = self._rows(self._table(table))
        return pa.table({c: [r.get(c) for r in rows] for c in columns})

    # --- HTML -----------------------------------------------------------------------------

    def _headline(self) -> List[Tuple[str, str]]:
        return []

    def _with_charts(self: "R", charts: str) -> "R":
        # The HTML report's own charts (inline SVG drawn by the front door), for notebooks.
        object.__setattr__(self, "_charts", charts)
        return self

    def _repr_html_(self) -> str:
        parts = [f"<div class='ironclad-report'><h4>{html.escape(self._heading())}</h4>"]
        head = self._headline()
        if head:
            parts.append(_html_pairs(head))
        charts = self.__dict__.get("_charts")
        if charts:
            parts.append(charts)
        for t in self.tables[:2]:
            columns, rows = self._rows(t)
            parts.append(f"<p><b>{html.escape(t)}</b> ({len(rows)} rows)</p>")
            parts.append(_html_table(columns, rows, limit=60))
        parts.append("</div>")
        return "".join(parts)

    def _heading(self) -> str:
        return self._title

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._heading()}; tables: {', '.join(self.tables)}>"


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _bar(p: float) -> str:
    """A small horizontal bar for a probability (the HTML's one chart)."""
    w = max(0.0, min(1.0, p)) * 100
    return (
        "<div style='background:#e5e7eb;width:8em;height:0.8em;display:inline-block;vertical-align:middle'>"
        f"<div style='background:#2563eb;width:{w:.1f}%;height:100%'></div></div>"
    )


def _html_table(columns: Sequence[str], rows: Sequence[Row], limit: int = 60) -> str:
    probability = {c for c in columns if c in ("p_adequate", "activation", "honour", "value", "shapley")}
    out = ["<table style='border-collapse:collapse;font-size:90%'><thead><tr>"]
    out += [f"<th style='text-align:left;padding:2px 8px'>{html.escape(c)}</th>" for c in columns]
    out.append("</tr></thead><tbody>")
    for r in rows[:limit]:
        out.append("<tr>")
        for c in columns:
            v = r.get(c)
            cell = html.escape(_fmt(v))
            if c in probability and isinstance(v, float) and 0.0 <= v <= 1.0:
                cell = f"{_bar(v)} {cell}"
            out.append(f"<td style='padding:2px 8px'>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if len(rows) > limit:
        out.append(f"<p>… {len(rows) - limit} more rows (use <code>to_pandas()</code>)</p>")
    return "".join(out)


def _html_pairs(pairs: Sequence[Tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><th style='text-align:left;padding:2px 8px'>{html.escape(k)}</th><td style='padding:2px 8px'>{v}</td></tr>"
        for k, v in pairs
    )
    return f"<table style='border-collapse:collapse'>{rows}</table>"


def _pct(e: Mapping[str, float]) -> str:
    return f"{_bar(e['value'])} {e['value'] * 100:.1f} % [{e['low'] * 100:.1f}, {e['high'] * 100:.1f}]"


# --- the reports --------------------------------------------------------------------------------


class CheckReport(Report):
    """What ``check`` found: ``ok``, ``errors``, ``warnings``, ``files``; ``.diagnostics`` as objects."""

    tables = ("diagnostics",)
    _title = "check"

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Every diagnostic of every file, as :class:`~ironclad.Diagnostic`."""
        return [Diagnostic.from_json(d) for f in self._data["files"] for d in f["diagnostics"]]

    def _heading(self) -> str:
        d = self._data
        return f"check: {'ok' if d['ok'] else 'failed'} — {d['errors']} error(s), {d['warnings']} warning(s)"

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        columns = ["file", "line", "column", "severity", "code", "lint", "message", "help"]
        rows = [{c: getattr(d, c) for c in columns} for d in self.diagnostics]
        return columns, rows


class ShowReport(Report):
    """What a framework promises (``ironclad show``): commitments, coverage, exceptions, red lines, variants."""

    tables = ("commitments", "coverage", "exceptions", "red_lines", "variants", "evidence")
    _title = "show"

    def _heading(self) -> str:
        c = self._data["counts"]
        return (
            f"{self._data['id']}: {self._data['title']} — {c['parties']} parties, "
            f"{c['commitments']} commitments, {c['exceptions']} exceptions, {c['red_lines']} red lines, "
            f"{c['variants']} variants"
        )

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        d = self._data
        if table == "commitments":
            columns = [
                "id", "article", "kind", "by", "body", "to", "domains", "strength", "status", "modality",
                "amount", "deadline_days", "trigger", "conditions", "backs", "variant", "option", "evidence",
            ]
            rows = []
            for c in d["commitments"]:
                by = c["by"]
                variant = c.get("variant") or {}
                rows.append({
                    **{k: c.get(k) for k in columns if k in c and k not in ("by", "variant", "evidence")},
                    "by": by if isinstance(by, list) else None,
                    "body": by.get("body") if isinstance(by, dict) else None,
                    "variant": variant.get("variant"),
                    "option": variant.get("option"),
                    "evidence": len(c.get("evidence", [])),
                })
            return columns, rows
        if table == "coverage":
            cov = d["coverage"]
            columns = ["who", *cov["domains"]]
            rows = []
            for r in cov["rows"]:
                row: Row = {"who": r["who"]}
                for domain, cell in zip(cov["domains"], r["cells"]):
                    row[domain] = None if cell is None else cell["strength"] + (" (variant)" if cell["variant_only"] else "")
                rows.append(row)
            return columns, rows
        if table == "exceptions":
            columns = ["id", "effect", "commitments", "when", "acts", "overrides"]
            return columns, [{c: x.get(c) for c in columns} for x in d.get("exceptions", [])]
        if table == "red_lines":
            columns = ["id", "party", "kind", "strength", "statement", "touches"]
            return columns, [{c: r.get(c) for c in columns} for r in d["red_lines"]]
        if table == "variants":
            columns = ["variant", "question", "option", "weight", "summary"]
            rows = [
                {"variant": v["id"], "question": v["question"], "option": o["id"], "weight": o["weight"], "summary": o.get("summary")}
                for v in d["variants"]
                for o in v["options"]
            ]
            return columns, rows
        columns = ["commitment", "source", "source_id", "speaker", "quote"]
        rows = [{"commitment": c["id"], **{k: e.get(k) for k in columns[1:]}} for c in d["commitments"] for e in c.get("evidence", [])]
        return columns, rows


class ObligationsReport(Report):
    """Who must do what on a scenario, at one day (``ironclad obligations``)."""

    tables = ("obligations", "coverage", "decisions", "why_not")
    _title = "obligations"

    def _heading(self) -> str:
        d = self._data
        return (
            f"{d['framework']} on {d['scenario_title']} at {d['at_text']}: {len(d['obligations'])} obligation(s), "
            f"{d['events_applied']} of {d['events']} events applied"
        )

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        d = self._data
        if table == "obligations":
            columns = [
                "party", "party_name", "commitment", "kind", "domains", "to", "strength", "clause_status", "modality",
                "since", "due", "status", "status_text", "cause", "cause_text", "activated_by", "closed_by",
            ]
            rows = []
            for o in d["obligations"]:
                row = {k: o.get(k) for k in columns}
                row["cause"] = o["cause"]["kind"]
                row["activated_by"] = (o.get("activated_by") or {}).get("text")
                row["closed_by"] = (o.get("closed_by") or {}).get("text")
                rows.append(row)
            return columns, rows
        if table == "coverage":
            return ["domain", "parties"], [dict(c) for c in d["coverage"]]
        if table == "decisions":
            return ["body", "passed", "text"], [dict(c) for c in d["decisions"]]
        columns = ["commitment", "obliged", "status", "test", "reason", "clause"]
        why = d.get("why_not") or {"commitments": []}
        return columns, [{c: w.get(c) for c in columns} for w in why["commitments"]]


class SimulateReport(Report):
    """How credible a framework is on a scenario (``ironclad simulate``).

    Fields as in the CLI's JSON: ``runs``, ``seed``, ``horizons``, ``needs``, ``adequate`` (per
    horizon), ``adequate_by_need``, ``adequacy``, ``delivered`` (per horizon and need),
    ``credibility``, ``deterred``, ``escalation``, ``commitments``, ``variants``…
    ``seconds`` is the wall-clock time of the runs (not in the JSON).

    >>> import ironclad
    >>> r = ironclad.load("frameworks/coalition-2025.toml").simulate(runs=4096, progress=False)
    >>> r.adequate[0].low <= r.adequate[0].value <= r.adequate[0].high
    True
    """

    tables = ("horizons", "commitments", "summary", "variants")
    _title = "simulate"

    def __init__(self, data: Dict[str, Any], seconds: Optional[float] = None, samples: Optional[Callable[[], Any]] = None) -> None:
        super().__init__(data)
        object.__setattr__(self, "_extra", {"seconds": seconds, "samples": samples, "table": None})

    @property
    def seconds(self) -> Optional[float]:
        """Wall-clock seconds of the runs."""
        return self._extra["seconds"]

    @property
    def samples(self) -> Any:
        """Per-run records (``simulate(samples=True)``) as a :class:`pyarrow.Table`, with the
        columns of the CLI's ``--samples-out`` Parquet file. The columns are Arrow buffers filled
        in Rust; pyarrow wraps them without copying. ``None`` without ``samples=True``."""
        make = self._extra["samples"]
        if make is None:
            return None
        if self._extra["table"] is None:
            self._extra["table"] = make()
        return self._extra["table"]

    def to_pandas(self, table: Optional[str] = None) -> Any:
        if table == "samples":
            s = self.samples
            if s is None:
                raise ValueError("no samples: run simulate(..., samples=True)")
            # Numeric columns without nulls become NumPy views of the Arrow buffers.
            return s.to_pandas(split_blocks=True)
        return super().to_pandas(table)

    def to_arrow(self, table: Optional[str] = None) -> Any:
        if table == "samples":
            if self.samples is None:
                raise ValueError("no samples: run simulate(..., samples=True)")
            return self.samples
        return super().to_arrow(table)

    def _heading(self) -> str:
        d = self._data
        return f"{d['framework']} on {d['scenario']}: {d['runs']:,} runs, seed {d['seed']}"

    def _headline(self) -> List[Tuple[str, str]]:
        d = self._data
        out = [(f"P(adequate) at {h:g} days", _pct(e)) for h, e in zip(d["horizons"], d["adequate"])]
        out += [("P(deterred)", _pct(d["deterred"])), ("P(escalation)", _pct(d["escalation"]))]
        c = d["credibility"]
        out.append(("credibility", f"{c['value']:.3f} [{c['low']:.3f}, {c['high']:.3f}]"))
        if d.get("absent"):
            out.append(("absent", html.escape(", ".join(d["absent"]))))
        return out

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        d = self._data
        if table == "horizons":
            columns = [
                "horizon_days", "domain", "required", "unit",
                "p_adequate", "p_adequate_low", "p_adequate_high",
                "adequacy", "adequacy_low", "adequacy_high",
                "delivered", "delivered_low", "delivered_high",
            ]
            rows: List[Row] = []
            for h, horizon in enumerate(d["horizons"]):
                rows.append({
                    "horizon_days": horizon, "domain": "all", "required": None, "unit": None,
                    **_est("p_adequate", d["adequate"][h]),
                    **_est("adequacy", None), **_est("delivered", None),
                })
                for n, need in enumerate(d["needs"]):
                    rows.append({
                        "horizon_days": horizon, "domain": need["domain"], "required": need["required"], "unit": need["unit"],
                        **_est("p_adequate", d["adequate_by_need"][h][n]),
                        **_est("adequacy", d["adequacy"][h][n]),
                        **_est("delivered", d["delivered"][h][n]),
                    })
            return columns, rows
        if table == "commitments":
            columns = ["id", "activation", "activation_low", "activation_high", "honour", "honour_low", "honour_high", "obliged_pairs", "simulated"]
            rows = [
                {"id": c["id"], **_est("activation", c["activation"]), **_est("honour", c.get("honour")), "obliged_pairs": c["obliged_pairs"], "simulated": c["simulated"]}
                for c in d["commitments"]
            ]
            return columns, rows
        if table == "summary":
            columns = ["metric", "horizon_days", "value", "low", "high"]
            rows = [{"metric": "adequate", "horizon_days": h, **e} for h, e in zip(d["horizons"], d["adequate"])]
            dh = d["deterrence"]["horizon"]
            rows += [{"metric": m, "horizon_days": dh, **d[m]} for m in ("credibility", "deterred")]
            rows.append({"metric": "escalation", "horizon_days": None, **d["escalation"]})
            return columns, rows
        columns = ["variant", "option", "share"]
        return columns, [{"variant": v, "option": o, "share": s} for v, options in d["variants"] for o, s in options]


class AttributeReport(Report):
    """Who the guarantee rests on (``ironclad attribute``): Shapley values, leave-one-out, interactions."""

    tables = ("values", "interactions")
    _title = "attribute"

    def _heading(self) -> str:
        d = self._data
        return f"{d['framework']} on {d['scenario']}: {d['metric_text']} ({d['method']}, {d['runs']:,} runs)"

    def _headline(self) -> List[Tuple[str, str]]:
        d = self._data
        return [("with every guarantor", _pct(d["v_all"])), ("with none", _pct(d["v_none"]))]

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        d = self._data
        if table == "values":
            loo = {r["party"]: r["loss"] for r in d["leave_one_out"]}
            columns = ["party", "shapley", "shapley_low", "shapley_high", "null", "loss", "loss_low", "loss_high"]
            rows = [{"party": r["party"], **_est("shapley", r["shapley"]), "null": r["null"], **_est("loss", loo.get(r["party"]))} for r in d["values"]]
            return columns, rows
        columns = ["a", "b", "value", "value_low", "value_high"]
        return columns, [{"a": r["a"], "b": r["b"], **_est("value", r["value"])} for r in d["interactions"]]


class SensitivityReport(Report):
    """Which uncertain assumption moves the answer (``ironclad sensitivity``): Sobol' or Morris."""

    tables = ("parameters",)
    _title = "sensitivity"

    def _heading(self) -> str:
        d = self._data
        return f"{d['framework']} on {d['scenario']}: {d['metric_text']} ({d['method']}, {d['points']} points × {d['runs_per_point']} runs)"

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        columns = [
            "param", "distribution", "nominal", "default",
            "first_order", "first_order_low", "first_order_high",
            "total", "total_low", "total_high",
            "mu_star", "mu_star_low", "mu_star_high", "mu", "sigma", "reason",
        ]
        rows = [
            {
                "param": p["param"], "distribution": p["distribution"], "nominal": p["nominal"], "default": p["default"],
                **_est("first_order", p.get("first_order")), **_est("total", p.get("total")), **_est("mu_star", p.get("mu_star")),
                "mu": p.get("mu"), "sigma": p.get("sigma"), "reason": p["reason"],
            }
            for p in self._data["parameters"]
        ]
        return columns, rows


class CompareReport(Report):
    """Frameworks on the same scenarios and random numbers (``ironclad compare``)."""

    tables = ("figures", "frameworks")
    _title = "compare"

    def _heading(self) -> str:
        d = self._data
        return f"compare: reference {d['reference']}, {len(d['scenarios'])} scenario(s), {d['runs']:,} runs, seed {d['seed']}"

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        d = self._data
        if table == "figures":
            columns = [
                "scenario", "framework", "metric", "horizon_days", "domain",
                "value", "value_low", "value_high", "difference", "difference_low", "difference_high",
            ]
            rows = [
                {
                    "scenario": s["id"], "framework": r["framework"], "metric": f["metric"], "horizon_days": f.get("horizon_days"),
                    "domain": f.get("domain"), **_est("value", f["value"]), **_est("difference", f.get("difference")),
                }
                for s in d["scenarios"]
                for r in s["rows"]
                for f in r["metrics"]
            ]
            return columns, rows
        columns = ["scenario", "framework", "status", "missing", "reason", "pivotal", "pivotal_without", "pivotal_change", "pivotal_change_low", "pivotal_change_high"]
        rows = []
        for s in d["scenarios"]:
            for r in s["rows"]:
                p = r.get("pivotal") or {}
                rows.append({
                    "scenario": s["id"], "framework": r["framework"], "status": r["status"], "missing": r["missing"],
                    "reason": r.get("reason"), "pivotal": p.get("commitment"), "pivotal_without": p.get("without"),
                    **_est("pivotal_change", p.get("change")),
                })
        return columns, rows


class PowerReport(Report):
    """Voting power of a decision body (``ironclad power``): Shapley–Shubik and Banzhaf."""

    tables = ("rows",)
    _title = "power"

    def _heading(self) -> str:
        d = self._data
        return f"{d['framework']}: {d['body_name']} ({d['rule']}, {d['seats']} seats, {d['method']})"

    def _rows(self, table: str) -> Tuple[List[str], List[Row]]:
        columns = ["label", "seats", "veto", "shapley_shubik", "shapley_shubik_exact", "banzhaf", "banzhaf_exact", "banzhaf_raw", "swings"]
        return columns, [{c: r.get(c) for c in columns} for r in self._data["rows"]]
