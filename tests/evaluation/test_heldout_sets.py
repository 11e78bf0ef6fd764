"""Every committed held-out set is exactly what its hand-written spec gives by the labelling rule."""

import runpy
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "assistant" / "evaluation" / "data"
SPECS = sorted(DATA.glob("heldout*_spec.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_the_set_is_rebuilt_from_its_spec(spec: Path):
    out = DATA / spec.name.replace("_spec.yaml", "_dialogues.jsonl")
    build = runpy.run_path(str(DATA / "build_heldout.py"))
    assert build["main"](["--check", "--spec", str(spec), "--out", str(out)]) == 0
