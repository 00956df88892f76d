"""The same inputs and seed give the same figures as the CLI's JSON, field by field, exactly."""

import json

import pytest

import ironclad

from conftest import ROOT, assert_same, cli, cli_json

FLAGSHIP = "frameworks/coalition-2025.toml"


@pytest.mark.parametrize(
    "kwargs, flags",
    [
        (dict(runs=20_000, seed=7), ["--runs", "20000", "--seed", "7"]),
        (
            dict(
                runs=12_345,
                seed=3,
                threads=1,
                variants={"us-military-support": "none"},
                absent=["US"],
                horizons=[14, 60],
            ),
            ["--runs", "12345", "--seed", "3", "--threads", "1", "--variant", "us-military-support=none",
             "--without", "US", "--horizon", "14", "--horizon", "60"],
        ),
        (
            dict(runs=9000, seed=11, scenario="scenarios/attack-without-ceasefire.toml"),
            ["--runs", "9000", "--seed", "11", "--scenario", "scenarios/attack-without-ceasefire.toml"],
        ),
    ],
)
def test_simulate_equals_the_cli_json(kwargs, flags):
    report = ironclad.load(FLAGSHIP).simulate(progress=False, **kwargs)
    theirs = cli_json("simulate", FLAGSHIP, *flags)
    assert_same(report.data, theirs)
    # The typed fields and the table carry the same floats.
    assert report.runs == theirs["runs"]
    assert report.deterred.value == theirs["deterred"]["value"]
    df = report.to_pandas("horizons")
    overall = df[df.domain == "all"]
    assert list(overall.p_adequate) == [e["value"] for e in theirs["adequate"]]
    assert list(overall.p_adequate_low) == [e["low"] for e in theirs["adequate"]]
    commitments = report.to_pandas("commitments")
    assert list(commitments.activation) == [c["activation"]["value"] for c in theirs["commitments"]]


def test_until_ci_equals_the_cli_json():
    report = ironclad.load(FLAGSHIP).simulate(until_ci=0.02, seed=5, progress=False)
    assert_same(report.data, cli_json("simulate", FLAGSHIP, "--until-ci", "0.02", "--seed", "5"))


def test_the_same_seed_whatever_the_threads():
    fw = ironclad.load(FLAGSHIP)
    one = fw.simulate(runs=30_000, seed=2, threads=1, progress=False)
    two = fw.simulate(runs=30_000, seed=2, threads=2, progress=False)
    assert_same(one.data, two.data)


def test_show_equals_the_cli_json():
    for spec in ("frameworks/coalition-2025.toml", "frameworks/nato-1949.toml", "frameworks/budapest-1994.toml"):
        assert_same(ironclad.load(spec).show().data, cli_json("show", spec))


@pytest.mark.parametrize(
    "spec, scenario, extra, flags",
    [
        ("frameworks/coalition-2025.toml", "scenarios/ceasefire-then-offensive.toml", {}, []),
        ("frameworks/nato-1949.toml", "scenarios/strike-on-reassurance-force.toml", {"why_not": "UK"}, ["--why-not", "UK"]),
        ("frameworks/budapest-1994.toml", "scenarios/crimea-2014.toml", {"explain": True}, ["--explain"]),
        ("frameworks/nato-1949.toml", "scenarios/attack-on-estonia.toml", {"at": 3}, ["--at", "3"]),
    ],
)
def test_obligations_equal_the_cli_json(spec, scenario, extra, flags):
    ours = ironclad.load(spec).obligations(scenario, **extra)
    assert_same(ours.data, cli_json("obligations", spec, "--scenario", scenario, *flags))


def test_check_equals_the_cli_json():
    bad = sorted(p.name for p in (ROOT / "tests" / "bad-specs").glob("*.toml"))[0]
    specs = ["frameworks/coalition-2025.toml", "frameworks/nato-1949.toml", f"tests/bad-specs/{bad}"]
    ours = ironclad.check(*specs)
    code, out, _ = cli("check", *specs, "--format", "json", ok=False)
    assert code == 1 and not ours.ok
    assert_same(ours.data, json.loads(out))


def test_attribute_equals_the_cli_json():
    ours = ironclad.load(FLAGSHIP).attribute(runs=2000, seed=4, horizon=30)
    assert_same(ours.data, cli_json("attribute", FLAGSHIP, "--runs", "2000", "--seed", "4", "--horizon", "30"))


def test_sensitivity_equals_the_cli_json():
    ours = ironclad.load(FLAGSHIP).sensitivity(method="morris", samples=4, runs=300, seed=2)
    theirs = cli_json("sensitivity", FLAGSHIP, "--method", "morris", "--samples", "4", "--runs", "300", "--seed", "2")
    assert_same(ours.data, theirs)


def test_power_equals_the_cli_json():
    ours = ironclad.load("frameworks/budapest-1994.toml").power(body="unsc")
    assert_same(ours.data, cli_json("power", "frameworks/budapest-1994.toml", "--body", "unsc"))


def test_compare_equals_the_cli_json():
    specs = ["frameworks/coalition-2025.toml", "frameworks/budapest-1994.toml", "frameworks/nato-1949.toml"]
    scenario = "scenarios/russian-attack-on-ukraine.toml"
    ours = ironclad.compare(
        [ironclad.load(s) for s in specs], scenario, with_=["member=UA@nato-1949"], runs=3000, seed=1
    )
    theirs = cli_json("compare", *specs, "--with", "member=UA@nato-1949", "--scenario", scenario, "--runs", "3000")
    assert_same(ours.data, theirs)
