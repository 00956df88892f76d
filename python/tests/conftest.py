"""Shared fixtures: the repository root as working directory, and the CLI binary to compare with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The CLI built from the same workspace (`cargo build --release`); IRONCLAD_BIN overrides it.
BIN = Path(os.environ.get("IRONCLAD_BIN", ROOT / "target" / "release" / "ironclad"))


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Paths in the tests (and in the reports) are relative to the repository's root, as in the CLI runs."""
    monkeypatch.chdir(ROOT)


def cli(*args, ok=True):
    """Runs the CLI; returns (exit code, stdout, stderr)."""
    if not BIN.exists():
        pytest.skip(f"the CLI is not built ({BIN}); run `cargo build --release`")
    p = subprocess.run([str(BIN), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    if ok:
        assert p.returncode == 0, p.stderr
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    """The CLI's `--format json` output, parsed."""
    return json.loads(cli(*args, "--format", "json")[1])


def assert_same(ours, theirs, path="report"):
    """Field by field, exactly (floats with ==), naming the first field that differs."""
    assert type(ours) is type(theirs), f"{path}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(ours, dict):
        assert list(ours) == list(theirs), f"{path}: fields {list(ours)} != {list(theirs)}"
        for k in ours:
            assert_same(ours[k], theirs[k], f"{path}.{k}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), f"{path}: {len(ours)} items != {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"
