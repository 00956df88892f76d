"""ironclad: security guarantees as code, from Python.

A thin layer over the Rust front door (``crates/ironclad``), the library the ``ironclad``
command line calls: every figure here is the one the CLI prints with ``--format json`` for
the same inputs and seed.

>>> import ironclad
>>> fw = ironclad.load("frameworks/coalition-2025.toml")
>>> [d.code for d in fw.check() if d.severity == "error"]
[]
>>> r = fw.simulate(runs=20_000, seed=1, progress=False)
>>> r.runs, r.seed
(20000, 1)
>>> df = r.to_pandas()          # one row per horizon and need: p_adequate, adequacy, delivered

Loading or running a spec with errors raises :class:`SpecError`, whose ``.diagnostics`` carry
file, line, column, code, severity and message. A long ``simulate`` releases the GIL, shows a
progress bar (tqdm) and stops on Ctrl-C (KeyboardInterrupt).
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._errors import Diagnostic, IroncladError, Label, SpecError, UnservableError, UsageError
from ._results import (
    AttributeReport,
    CheckReport,
    CompareReport,
    Estimate,
    Node,
    ObligationsReport,
    PowerReport,
    Report,
    SensitivityReport,
    ShowReport,
    SimulateReport,
)

__version__: str = _native.__version__
#: The version of the reports' JSON layout (``schema_version`` in every report).
SCHEMA_VERSION: int = _native.SCHEMA_VERSION

__all__ = [
    "AttributeReport",
    "CheckReport",
    "CompareReport",
    "Diagnostic",
    "Estimate",
    "Framework",
    "IroncladError",
    "Label",
    "Node",
    "ObligationsReport",
    "PowerReport",
    "Report",
    "SCHEMA_VERSION",
    "SensitivityReport",
    "ShowReport",
    "SimulateReport",
    "SpecError",
    "UnservableError",
    "UsageError",
    "check",
    "compare",
    "load",
    "schema",
]

#: A spec or scenario: a path (``str`` or ``os.PathLike``) or the TOML text itself.
Source = Union[str, "os.PathLike[str]"]
#: Variant pins: ``{"variant": "option"}`` or ``["variant=option", …]``.
Variants = Union[Mapping[str, str], Sequence[str], None]


def _source(source: Source, name: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """``(name, None)`` for a path, ``(label, text)`` for a text.

    A ``str`` is a path when it is one line that names an existing file or ends in ``.toml``
    (so a missing file gives the CLI's E0003 diagnostic); otherwise it is TOML text.
    """
    if isinstance(source, os.PathLike):
        return os.fspath(source), None
    if not isinstance(source, str):
        raise TypeError(f"a spec or scenario is a path or a TOML text, not {type(source).__name__}")
    one_line = "\n" not in source and "=" not in source
    if one_line and (os.path.isfile(source) or source.endswith(".toml")):
        return source, None
    return name or "<text>", source


def _variants(variants: Variants) -> List[str]:
    if variants is None:
        return []
    if isinstance(variants, Mapping):
        return [f"{k}={v}" for k, v in variants.items()]
    if isinstance(variants, str):
        return [variants]
    return list(variants)


def _progress_bar(progress: Union[bool, Callable[[int, int], Any], None], desc: str) -> Tuple[Optional[Callable[[int, int], Any]], Any]:
    """The callback for the native run, and the bar to close (``tqdm.auto``: a widget in
    notebooks, text in terminals)."""
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None, None
    bars: List[Any] = []

    def update(done: int, planned: int) -> None:
        # The bar appears with the first report, so that a run that fails at once shows none.
        if not bars:
            bars.append(tqdm(total=planned, unit="runs", unit_scale=True, desc=desc, leave=False, file=sys.stderr))
        bar = bars[0]
        if bar.total != planned:
            bar.total = planned
        bar.update(done - bar.n)

    class _Closer:
        def close(self) -> None:
            for bar in bars:
                bar.close()

    return update, _Closer()


class Framework:
    """A framework spec, loaded and checked: the commands of the CLI as methods.

    Obtain one with :func:`load`. The framework keeps a session that caches its compiled engine
    and simulation structures, so a second ``simulate`` on the same scenario skips the replays.
    """

    def __init__(self, native: "_native.Framework") -> None:
        self._native = native

    @property
    def name(self) -> str:
        """The file's path, or the label of a text."""
        return self._native.name

    @property
    def text(self) -> str:
        """The spec's TOML text."""
        return self._native.text

    @property
    def id(self) -> str:
        """The framework's id (``[framework] id``)."""
        return self.show().id

    def __repr__(self) -> str:
        return f"<ironclad.Framework {self.name}>"

    def check(self, deny_warnings: bool = False) -> List[Diagnostic]:
        """The spec's diagnostics (warnings; a loaded spec has no errors).

        >>> fw = ironclad.load("frameworks/nato-1949.toml")
        >>> all(d.severity != "error" for d in fw.check())
        True
        """
        return CheckReport(_json(self._native.check(deny_warnings))).diagnostics

    def check_report(self, deny_warnings: bool = False) -> CheckReport:
        """The whole ``check`` report (``ok``, counts, diagnostics)."""
        return CheckReport(_json(self._native.check(deny_warnings)))

    def show(self) -> ShowReport:
        """Who commits what, where, how firmly (``ironclad show``).

        >>> ironclad.load("frameworks/nato-1949.toml").show().to_pandas("commitments").shape[1]
        18
        """
        return ShowReport(_json(self._native.show()))

    def obligations(
        self,
        scenario: Optional[Source] = None,
        *,
        at: Union[str, int, None] = None,
        variants: Variants = None,
        explain: bool = False,
        why_not: Optional[str] = None,
    ) -> ObligationsReport:
        """Who must do what when (``ironclad obligations``), on ``scenario`` (a path or TOML
        text; default: the framework's own) at day ``at`` (default: the last event).

        >>> fw = ironclad.load("frameworks/nato-1949.toml")
        >>> r = fw.obligations("scenarios/attack-on-estonia.toml", why_not="US")
        >>> r.to_pandas().columns[0]
        'party'
        """
        return ObligationsReport(
            _json(
                self._native.obligations(
                    _opt_source(scenario), None if at is None else str(at), _variants(variants), explain, why_not
                )
            )
        )

    def simulate(
        self,
        runs: Optional[int] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        variants: Variants = None,
        absent: Iterable[str] = (),
        scenario: Optional[Source] = None,
        progress: Union[bool, Callable[[int, int], Any]] = True,
        *,
        until_ci: Optional[float] = None,
        horizons: Iterable[float] = (),
        samples: bool = False,
    ) -> SimulateReport:
        """How credible the framework is (``ironclad simulate``).

        ``runs`` (default 100,000; with ``until_ci``, the most), ``seed`` (the same seed gives
        bit-identical figures for any ``threads``), ``variants`` pins (``{"variant": "option"}``),
        ``absent`` parties that do not act (``--without``), ``horizons`` in days (default 7, 30,
        90), ``samples=True`` to keep per-run records (``report.samples``, a pyarrow Table).

        The runs proceed on their own threads with the GIL released; ``progress`` shows a tqdm
        bar (or is called as ``progress(done, planned)``); Ctrl-C stops the run at its next
        chunk and raises KeyboardInterrupt.

        >>> r = ironclad.load("frameworks/coalition-2025.toml").simulate(runs=8192, absent=["US"], progress=False)
        >>> r.absent
        ['US']
        """
        callback, bar = _progress_bar(progress, f"simulate {os.path.basename(self.name)}")
        try:
            text, seconds, columns, charts = self._native.simulate(
                _opt_source(scenario),
                runs,
                until_ci,
                seed,
                threads,
                [float(h) for h in horizons],
                _variants(variants),
                list(absent),
                callback,
                samples,
            )
        finally:
            if bar is not None:
                bar.close()
        data = _json(text)
        make = None if columns is None else (lambda: _samples_table(*columns))
        return SimulateReport(data, seconds=seconds, samples=make)._with_charts(charts)

    def attribute(
        self,
        scenario: Optional[Source] = None,
        *,
        metric: str = "adequate",
        horizon: Optional[float] = None,
        exact: bool = False,
        precision: Optional[float] = None,
        runs: Optional[int] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        variants: Variants = None,
    ) -> AttributeReport:
        """Who the guarantee rests on (``ironclad attribute``): Shapley values of the guarantors
        on shared random numbers, leave-one-out and interactions. ``metric``: ``adequate``,
        ``adequate:DOMAIN``, ``credibility``, ``deterred`` (exact, at most 20 players) or
        ``delivered:DOMAIN`` (mean amount delivered, in the need's unit).

        >>> a = ironclad.load("frameworks/coalition-2025.toml").attribute(runs=2000, horizon=30)
        >>> list(a.to_pandas().columns[:2])
        ['party', 'shapley']
        """
        text, charts = self._native.attribute(
            _opt_source(scenario), metric, horizon, exact, precision, runs, seed, threads, _variants(variants)
        )
        return AttributeReport(_json(text))._with_charts(charts)

    def sensitivity(
        self,
        scenario: Optional[Source] = None,
        *,
        method: str = "sobol",
        samples: Optional[int] = None,
        runs: Optional[int] = None,
        metric: str = "adequate",
        horizon: Optional[float] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        variants: Variants = None,
    ) -> SensitivityReport:
        """Which uncertain assumption moves the answer most (``ironclad sensitivity``):
        ``method="sobol"`` (first-order and total indices) or ``"morris"`` (screening).

        >>> s = ironclad.load("frameworks/coalition-2025.toml").sensitivity(method="morris", samples=4, runs=200)
        >>> s.method
        'morris'
        """
        text, charts = self._native.sensitivity(
            _opt_source(scenario), method, samples, runs, metric, horizon, seed, threads, _variants(variants)
        )
        return SensitivityReport(_json(text))._with_charts(charts)

    def power(self, body: str) -> PowerReport:
        """Exact voting power of the decision body ``body`` (``ironclad power``).

        >>> p = ironclad.load("frameworks/budapest-1994.toml").power(body="unsc")
        >>> list(p.to_pandas().label)
        ['RU', 'UK', 'US', 'CN', 'FR', 'other seats']
        """
        return PowerReport(_json(self._native.power(body)))

    def bodies(self) -> List[str]:
        """The ids of the spec's decision bodies (for :meth:`power`)."""
        return list(self._native.bodies())

    def compare(self, *others: "Framework", scenarios: Union[Source, Sequence[Source]], **options: Any) -> CompareReport:
        """This framework (the reference) against ``others`` on ``scenarios``: see :func:`compare`."""
        return compare([self, *others], scenarios, **options)


def _json(text: str) -> Dict[str, Any]:
    import json

    return json.loads(text)


def _opt_source(source: Optional[Source]) -> Optional[Tuple[str, Optional[str]]]:
    return None if source is None else _source(source, "<scenario>")


def _samples_table(rows: int, columns: Sequence[Tuple[str, str, bytes]]) -> Any:
    """Per-run records as a pyarrow Table over the Rust-filled buffers (no copy)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    types = {"uint64": pa.uint64(), "uint32": pa.uint32(), "float64": pa.float64(), "bool": pa.bool_()}
    arrays = [pa.Array.from_buffers(types[t], rows, [None, pa.py_buffer(b)]) for _, t, b in columns]
    return pa.Table.from_arrays(arrays, names=[n for n, _, _ in columns])


def load(source: Source, name: Optional[str] = None) -> Framework:
    """Loads a framework spec from a path or from its TOML text (labelled ``name`` in
    diagnostics). Raises :class:`SpecError` with the diagnostics if it has errors.

    >>> fw = ironclad.load("frameworks/coalition-2025.toml")
    >>> fw.show().id
    'coalition-2025'
    """
    n, text = _source(source, name)
    native = _native.Framework(n, text)
    if not native.valid:
        report = CheckReport(_json(native.check(False)))
        errors = report.errors
        raise SpecError(f"{n} has {errors} error(s)", report.diagnostics)
    return Framework(native)


def check(*sources: Source, deny_warnings: bool = False) -> CheckReport:
    """Checks spec files or texts (``ironclad check``) without raising: ``.ok``, ``.errors``,
    ``.warnings``, ``.diagnostics``.

    >>> r = ironclad.check("frameworks/nato-1949.toml", "frameworks/budapest-1994.toml")
    >>> r.ok
    True
    """
    return CheckReport(_json(_native.check([_source(s) for s in sources], deny_warnings)))


def compare(
    frameworks: Sequence[Framework],
    scenarios: Union[Source, Sequence[Source]],
    *,
    with_: Sequence[str] = (),
    runs: Optional[int] = None,
    seed: int = 1,
    horizons: Iterable[float] = (),
    threads: Optional[int] = None,
) -> CompareReport:
    """Frameworks on the same scenarios with the same random numbers (``ironclad compare``);
    the first is the reference of every difference. ``with_``: counterfactuals, as
    ``member=PARTY@FRAMEWORK`` or overlay files.

    >>> fws = [ironclad.load(f"frameworks/{f}.toml") for f in ("coalition-2025", "budapest-1994")]
    >>> c = ironclad.compare(fws, "scenarios/russian-attack-on-ukraine.toml", runs=2000)
    >>> c.reference
    'coalition-2025'
    """
    if isinstance(scenarios, (str, os.PathLike)):
        scenarios = [scenarios]
    return CompareReport(
        _json(
            _native.compare(
                [f._native for f in frameworks],
                [_source(s, "<scenario>") for s in scenarios],
                list(with_),
                runs,
                seed,
                [float(h) for h in horizons],
                threads,
            )
        )
    )


def schema(output: Optional[str] = None) -> Dict[str, Any]:
    """The JSON Schema of a command's report (``"simulate"``, ``"show"``, …), or of the spec
    format when ``output`` is None."""
    return _json(_native.schema(output))
