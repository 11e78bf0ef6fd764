"""The catalog: shipped sources keep their ids; operator files are validated row by row."""

from pathlib import Path

import pytest

from assistant.catalog import free_programming_books, generic, load_catalog, metacademy
from assistant.catalog.dedupe import merge_duplicates
from assistant.catalog.documents import chunk_text, documents_for
from assistant.catalog.schema import Resource
from assistant.config import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "vectorstore" / "sources"


def test_free_programming_books_keep_source_ids_and_map_formats():
    result = free_programming_books.load(SOURCES / "free-programming-books" / "fpb_catalog.jsonl")
    assert not result.errors
    by_id = {r.id: r for r in result.resources}
    assert len(by_id) == 4726
    assert by_id["fpb-501"].resource_type == "course" and "video" in by_id["fpb-501"].formats
    assert by_id["fpb-4333"].language == "zh" and by_id["fpb-4333"].resource_type == "book"
    assert "Flutter" in by_id["fpb-501"].topics
    assert all(r.free is True for r in result.resources)


def test_level_is_only_taken_from_what_the_title_says():
    assert free_programming_books.level_from_title("Flutter Tutorial for Beginners") == "beginner"
    assert free_programming_books.level_from_title("Advanced Bash-Scripting Guide") == "advanced"
    assert free_programming_books.level_from_title("The Rust Programming Language") == "unknown"


def test_metacademy_rows_join_concept_and_source():
    result = metacademy.load(SOURCES / "metacademy")
    assert not result.errors
    by_id = {r.id: r for r in result.resources}
    assert len(by_id) == 1084
    esl = by_id["mc-2"]  # AdaBoost in The Elements of Statistical Learning, section 10.1
    assert esl.title.startswith("AdaBoost") and "Elements of Statistical Learning" in esl.title
    assert esl.resource_type == "textbook_section" and esl.level == "advanced"
    assert str(esl.url).endswith("#page=356")
    assert esl.section and "10.1" in esl.section
    assert esl.duration_minutes == 65  # 1.079 h, Metacademy's estimate
    assert esl.concept == "ada_boost"


def test_a_metacademy_resource_says_what_its_concept_teaches_in_plain_words():
    resources = metacademy.load(SOURCES / "metacademy").resources
    halting = next(r for r in resources if r.concept == "decidability")
    assert "Prove that the halting problem is undecidable" in halting.description
    ica = next(r for r in resources if r.concept == "independent_component_analysis")
    assert "source separation example" in ica.description and "*" not in ica.description
    bootstrap = next(r for r in resources if r.concept == "bootstrap").description
    assert "maximum likelihood" in bootstrap and '":' not in bootstrap  # a "label":tag link reads as its label


def test_default_catalog_merges_same_url_into_aliases():
    catalog = load_catalog(SOURCES)
    ids = [r.id for r in catalog.resources]
    assert len(ids) == len(set(ids))
    merged = [r for r in catalog.resources if r.aliases]
    assert merged, "free-programming-books lists some links under several headings"
    all_ids = {i for r in catalog.resources for i in r.all_ids}
    assert len(all_ids) == 4726 + 1084


def test_textbook_sections_sharing_a_url_stay_separate():
    a = Resource(id="a", title="Ch 1", url="https://example.org/book", section="Chapter 1")
    b = Resource(id="b", title="Ch 2", url="https://example.org/book", section="Chapter 2")
    c = Resource(id="c", title="Ch 1 again", url="https://www.example.org/book/", section="Chapter 1", topics=["x"])
    merged = merge_duplicates([a, b, c])
    assert [r.id for r in merged] == ["a", "b"]
    assert merged[0].aliases == ["c"] and merged[0].topics == ["x"]


def test_operator_jsonl_reports_bad_rows_with_file_and_line_and_keeps_good_ones(tmp_path: Path):
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"id": "my-1", "title": "Intro to Go", "url": "https://go.dev/tour", "resource_type": "interactive"}\n'
        '{"id": "my-2", "title": "No url"}\n'
        "not json\n"
        '{"id": "my-3", "title": "Bad level", "url": "https://x.org", "level": "genius"}\n'
        '{"id": "my-1", "title": "Duplicate", "url": "https://y.org"}\n'
        '{"id": "my-4", "title": "Talk", "url": "https://z.org/v", "resource_type": "video", "duration_minutes": 12}\n',
        encoding="utf-8",
    )
    result = generic.load(path)
    assert [r.id for r in result.resources] == ["my-1", "my-4"]
    assert [(e.line, e.path) for e in result.errors] == [(2, path), (3, path), (4, path), (5, path)]
    assert "url" in result.errors[0].message
    assert "level" in result.errors[2].message
    assert "duplicate" in result.errors[3].message
    assert str(result.errors[0]).startswith(f"{path}:2:")


def test_operator_csv_with_list_cells_and_a_bad_row(tmp_path: Path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,title,url,topics,free,duration_minutes\n"
        "c-1,SQL basics,https://sql.example/1,SQL|Databases,yes,30\n"
        "c-2,Broken,https://sql.example/2,SQL,maybe,\n"
        "c-3,Joins,https://sql.example/3,SQL,,-5\n",
        encoding="utf-8",
    )
    result = generic.load(path)
    assert [r.id for r in result.resources] == ["c-1"]
    assert result.resources[0].topics == ["SQL", "Databases"] and result.resources[0].free is True
    assert [e.line for e in result.errors] == [3, 4]


def test_unsupported_catalog_format_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(generic.CatalogFormatError, match="unsupported catalog format"):
        generic.load(path)


def test_long_text_is_chunked_with_overlap_and_every_chunk_names_the_resource():
    transcript = " ".join(f"word{i}" for i in range(400))
    resource = Resource(id="v-1", title="A talk", url="https://v.org", transcript=transcript)
    docs = documents_for(resource, chunk_chars=300, overlap=60)
    assert len(docs) > 5
    assert all(d.resource_id == "v-1" and d.text.startswith("A talk") for d in docs)
    chunks = chunk_text(transcript, 300, 60)
    assert chunks[0].split()[-1] in chunks[1]  # consecutive chunks overlap
    assert " ".join(chunks).count("word399") >= 1
