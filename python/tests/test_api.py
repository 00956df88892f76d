"""The Python API: errors with diagnostics, tables, progress, the GIL, Ctrl-C, HTML, samples."""

import _thread
import doctest
import json
import threading
import time

import pytest

import ironclad

from conftest import cli

FLAGSHIP = "frameworks/coalition-2025.toml"

NATO = "frameworks/nato-1949.toml"
# A valid spec with an error appended: a misspelt table two lines past its end.
BAD = open(NATO).read() + "\n[[parties]]\nid = 7\n"
BAD_LINE = open(NATO).read().count("\n") + 2


def test_a_bad_spec_file_raises_with_its_diagnostics(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    with pytest.raises(ironclad.SpecError) as raised:
        ironclad.load(str(path))
    errors = raised.value.errors
    assert errors, raised.value.diagnostics
    first = errors[0]
    assert first.file == str(path)
    assert first.severity == "error" and first.code.startswith("E")
    assert (first.line, first.column) > (0, 0)
    # The same diagnostics as the CLI's check, position for position.
    code, out, _ = cli("check", path, "--format", "json", ok=False)
    theirs = [d for f in json.loads(out)["files"] for d in f["diagnostics"]]
    assert code == 1
    assert [(d.code, d.line, d.column, d.message) for d in raised.value.diagnostics] == [
        (d["code"], d["start"]["line"], d["start"]["column"], d["message"]) for d in theirs
    ]
    assert f"{path}:{first.line}:{first.column}" in str(raised.value)


def test_a_bad_spec_text_raises_and_names_its_label():
    with pytest.raises(ironclad.SpecError) as raised:
        ironclad.load(BAD, name="<editor>")
    d = raised.value.diagnostics[0]
    assert (d.file, d.line, d.column, d.code) == ("<editor>", BAD_LINE, 3, "E0002")
    assert "unknown field `parties`" in d.message


def test_a_missing_file_is_e0003():
    with pytest.raises(ironclad.SpecError) as raised:
        ironclad.load("frameworks/no-such-framework.toml")
    assert [d.code for d in raised.value.diagnostics] == ["E0003"]


def test_a_bad_scenario_raises_spec_error():
    fw = ironclad.load(FLAGSHIP)
    with pytest.raises(ironclad.SpecError) as raised:
        fw.simulate(runs=1000, scenario='[scenario]\nid = "s"\n[[events]]\nday = "soon"\n', progress=False)
    assert raised.value.diagnostics and raised.value.diagnostics[0].file == "<scenario>"


def test_usage_errors_are_value_errors():
    fw = ironclad.load(FLAGSHIP)
    with pytest.raises(ironclad.UsageError, match="no variant"):
        fw.simulate(runs=1000, variants={"nope": "x"}, progress=False)
    with pytest.raises(ValueError, match="no party"):
        fw.simulate(runs=1000, absent=["ATLANTIS"], progress=False)
    with pytest.raises(ironclad.UsageError):
        fw.simulate(runs=0, progress=False)
    with pytest.raises(ironclad.UsageError):
        fw.power(body="no-such-body")


def test_check_returns_diagnostic_objects():
    diagnostics = ironclad.load(FLAGSHIP).check()
    for d in diagnostics:
        assert isinstance(d, ironclad.Diagnostic)
        assert d.severity in ("warning", "note")
        assert d.file == FLAGSHIP and d.code and d.message
    report = ironclad.check(FLAGSHIP, BAD)
    assert not report.ok and report.errors >= 1
    assert report.to_pandas().shape == (len(report.diagnostics), 8)


def test_a_spec_loads_from_its_text():
    text = open(FLAGSHIP).read()
    from_text = ironclad.load(text, name="flagship")
    assert from_text.name == "flagship"
    assert from_text.show().data == ironclad.load(FLAGSHIP).show().data


def test_show_and_obligations_round_trip():
    fw = ironclad.load("frameworks/nato-1949.toml")
    show = fw.show()
    assert show.id == "nato-1949" and show.counts.commitments == len(show.commitments)
    assert f"{show.counts.exceptions} exceptions" in repr(show), repr(show)
    assert json.loads(show.to_json()) == show.data
    commitments = show.to_pandas("commitments")
    assert list(commitments.id) == [c.id for c in show.commitments]
    ob = fw.obligations("scenarios/strike-on-reassurance-force.toml", why_not="UK")
    assert json.loads(ob.to_json()) == ob.data
    table = ob.to_pandas()
    assert list(table.party) == [o.party for o in ob.obligations]
    assert list(table.commitment) == [o.commitment for o in ob.obligations]
    assert ob.why_not.party == "UK"
    assert len(ob.to_pandas("why_not")) == len(ob.why_not.commitments)


def test_the_default_scenario_is_the_frameworks_own():
    fw = ironclad.load(FLAGSHIP)
    a = fw.obligations()
    b = fw.obligations("frameworks/../scenarios/ceasefire-then-offensive.toml")
    assert a.data == b.data


def test_tables_have_their_shapes():
    pa = pytest.importorskip("pyarrow")
    r = ironclad.load(FLAGSHIP).simulate(runs=5000, horizons=[7, 30, 90, 180], progress=False)
    needs = len(r.needs)
    horizons = r.to_pandas("horizons")
    assert horizons.shape == (4 * (1 + needs), 13)
    arrow = r.to_arrow("horizons")
    assert isinstance(arrow, pa.Table)
    assert arrow.num_rows == len(horizons) and arrow.column_names == list(horizons.columns)
    assert r.to_pandas("commitments").shape == (len(r.commitments), 9)
    assert r.to_arrow("summary").num_rows == 4 + 3
    assert r.to_pandas("variants").share.between(0, 1).all()
    assert r.to_pandas().equals(horizons)  # the first table is the default
    with pytest.raises(ValueError, match="tables"):
        r.to_pandas("nope")
    for report in (ironclad.load("frameworks/budapest-1994.toml").power(body="unsc"), ironclad.load(FLAGSHIP).show()):
        for t in report.tables:
            assert report.to_pandas(t).shape[1] == report.to_arrow(t).num_columns


def test_estimates_and_nodes():
    r = ironclad.load(FLAGSHIP).simulate(runs=5000, progress=False)
    e = r.adequate[1]
    assert isinstance(e, ironclad.Estimate) and e.low <= e.value <= e.high
    assert r.deterrence.horizon == r.data["deterrence"]["horizon"]
    assert r.commitments[0].id == r.data["commitments"][0]["id"]
    assert r.seconds is not None and r.seconds > 0
    assert "seconds" not in r.data  # as in the CLI's JSON: it differs between runs


def test_samples_are_arrow_buffers_from_rust():
    pa = pytest.importorskip("pyarrow")
    runs = 10_000
    r = ironclad.load(FLAGSHIP).simulate(runs=runs, seed=9, samples=True, progress=False)
    s = r.samples
    assert isinstance(s, pa.Table) and s.num_rows == runs
    assert s.column("run").to_pylist() == list(range(runs))
    for h, days in enumerate(r.horizons):
        adequate = s.column(f"adequate_{days:g}d").to_pylist().count(True)
        assert adequate / runs == r.adequate[h].value
    df = r.to_pandas("samples")
    assert df.shape == (runs, s.num_columns)
    # Zero-copy: the DataFrame's column is a view of the Arrow buffer that Rust filled.
    np = pytest.importorskip("numpy")
    buffer = np.frombuffer(s.column("credibility").chunk(0).buffers()[1], dtype="<f8")
    assert np.shares_memory(df["credibility"].to_numpy(), buffer)
    assert list(df["credibility"]) == list(buffer)
    assert ironclad.load(FLAGSHIP).simulate(runs=100, progress=False).samples is None


def test_progress_reaches_the_planned_runs():
    seen = []
    ironclad.load(FLAGSHIP).simulate(runs=300_000, progress=lambda done, planned: seen.append((done, planned)))
    assert seen, "the callback was never called"
    assert seen[-1] == (300_000, 300_000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_default_progress_bar_runs():
    r = ironclad.load(FLAGSHIP).simulate(runs=50_000, progress=True)
    assert r.runs == 50_000


def test_the_gil_is_released_while_it_runs():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        started = time.monotonic()
        ironclad.load(FLAGSHIP).simulate(runs=2_000_000, progress=False)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        t.join()
    # Python ran beside the simulation: about one tick per millisecond.
    assert len(ticks) > 0.2 * elapsed * 1000, (len(ticks), elapsed)


def test_keyboard_interrupt_cancels_a_run():
    fw = ironclad.load(FLAGSHIP)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            fw.simulate(runs=10**10, progress=False)  # hours, if it were not stopped
    finally:
        timer.cancel()
    assert time.monotonic() - started < 5.0
    # The framework is still usable after the interrupt.
    assert fw.simulate(runs=1000, progress=False).runs == 1000



@pytest.mark.parametrize(
    "analysis",
    [
        # Sampled to a precision it would take hours to reach.
        lambda fw: fw.attribute(runs=2, precision=1e-9),
        lambda fw: fw.sensitivity(samples=1024, runs=10**7),
        lambda fw: fw.compare(scenarios="scenarios/ceasefire-then-offensive.toml", runs=10**9),
    ],
    ids=["attribute", "sensitivity", "compare"],
)
def test_keyboard_interrupt_cancels_an_analysis(analysis):
    fw = ironclad.load(FLAGSHIP)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            analysis(fw)
    finally:
        timer.cancel()
    # The call waits for the worker to stop before it raises: the work really stopped.
    assert time.monotonic() - started < 5.0
    assert fw.simulate(runs=1000, progress=False).runs == 1000


def test_html_for_jupyter():
    r = ironclad.load(FLAGSHIP).simulate(runs=5000, progress=False)
    page = r._repr_html_()
    assert page.count("<table") >= 2 and "P(deterred)" in page and "coalition-2025" in page
    for report in (ironclad.load(FLAGSHIP).show(), ironclad.load(FLAGSHIP).obligations(), ironclad.check(FLAGSHIP)):
        assert "<table" in report._repr_html_()


def test_html_for_jupyter_has_the_reports_charts():
    fw = ironclad.load(FLAGSHIP)
    for report, title in (
        (fw.simulate(runs=4096, progress=False), "P(adequate response) by domain and horizon"),
        (fw.attribute(runs=500), "Shapley values and leave-one-out"),
        # credibility: P(every domain adequate) is ~1 % on the flagship, 0 at every point of so small a design
        (fw.sensitivity(samples=4, runs=48, metric="credibility"), "Sobol' indices"),
        (fw.sensitivity(method="morris", samples=3, runs=48, metric="credibility"), "Morris screening"),
    ):
        page = report._repr_html_()
        assert "<svg" in page and "</svg>" in page and title in page, page[:400]
        assert "<table" in page


def test_schema():
    assert "properties" in ironclad.schema("simulate") or "$defs" in ironclad.schema("simulate")
    with pytest.raises(ironclad.UsageError):
        ironclad.schema("nope")


def test_the_docstring_examples_run():
    import ironclad._errors
    import ironclad._results

    for module in (ironclad, ironclad._errors, ironclad._results):
        result = doctest.testmod(module, extraglobs={"ironclad": ironclad}, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, f"{module.__name__}: {result}"
