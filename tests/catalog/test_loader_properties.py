"""The operator catalog loader on arbitrary files: no row makes it raise; every row is either loaded or reported."""

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.catalog import generic

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that stays on one line: JSONL rows end at \n or \r (Python's universal newlines).
one_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | one_line
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(one_line, inner, max_size=3), max_leaves=10)


def good_row(n: int) -> dict:
    return {"id": f"good-{n}", "title": f"Resource number {n}", "url": f"https://example.org/{n}"}


# A good row with one thing broken: a required field missing, or a value the schema refuses.
BREAKAGES = [
    lambda r: {k: v for k, v in r.items() if k != "url"},
    lambda r: {k: v for k, v in r.items() if k != "id"},
    lambda r: {**r, "url": "not a url"},
    lambda r: {**r, "id": "spaces are not allowed"},
    lambda r: {**r, "level": "genius"},
    lambda r: {**r, "duration_minutes": -5},
    lambda r: {**r, "topics": "not a list"},
    lambda r: {**r, "free": "maybe"},
]
# Arbitrary objects that lack a required field, so none of them can be a valid resource by accident.
junk_objects = st.dictionaries(one_line, json_values, max_size=5).filter(lambda d: not {"id", "title", "url"} <= set(d))
bad_json_lines = st.one_of(
    st.tuples(st.integers(0, 10_000), st.sampled_from(BREAKAGES)).map(lambda t: json.dumps(t[1](good_row(t[0])))),
    junk_objects.map(json.dumps),
    json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps),  # valid JSON, not an object
    one_line,  # anything at all, usually not JSON
)
# Each row of a file: ("good", None) becomes the next good row; ("bad", line) is written as it is.
rows = st.lists(st.one_of(st.just(("good", None)), st.tuples(st.just("bad"), bad_json_lines)), max_size=25)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder for all examples: each example overwrites the file of the one before."""
    return tmp_path_factory.mktemp("catalog-prop")


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


@PROPERTY
@given(rows)
def test_every_jsonl_line_is_either_loaded_or_reported_with_its_line(folder, plan):
    lines = [json.dumps(good_row(i)) if kind == "good" else text for i, (kind, text) in enumerate(plan)]
    path = write(folder, "mine.jsonl", "".join(line + "\n" for line in lines))
    result = generic.load(path)
    nonblank = [n for n, line in enumerate(lines, start=1) if line.strip()]
    good = [n for n, (kind, _) in enumerate(plan, start=1) if kind == "good"]
    assert [r.id for r in result.resources] == [f"good-{n - 1}" for n in good]
    assert sorted(e.line for e in result.errors) == [n for n in nonblank if n not in good]
    assert all(e.path == path and str(e).startswith(f"{path}:{e.line}: ") for e in result.errors)


cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
csv_columns = st.lists(st.sampled_from(["id", "title", "url", "topics", "free", "level", "duration_minutes", "x"]),
                       min_size=1, max_size=6, unique=True)


@PROPERTY
@given(csv_columns, st.lists(st.lists(cells, max_size=8), max_size=15), st.integers(0, 15))
def test_any_csv_rows_load_or_are_reported_and_the_count_adds_up(folder, columns, body, good_at):
    body = [row for row in body if any(row)]  # csv skips rows with no cells at all
    header = ["id", "title", "url", *[c for c in columns if c not in {"id", "title", "url"}]]
    good = ["good-0", "A good row", "https://example.org/0", *[""] * (len(header) - 3)]
    body.insert(min(good_at, len(body)), good)
    path = folder / "mine.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    with path.open(encoding="utf-8", newline="") as handle:
        data_rows = sum(1 for _ in csv.DictReader(handle))
    result = generic.load(path)
    assert len(result.resources) + len(result.errors) == data_rows
    assert "good-0" in {r.id for r in result.resources}
