"""What gets embedded: one summary document per resource plus chunks of its long text fields."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.catalog.schema import Resource

_TYPE_WORDS = {
    "book": "book", "course": "course", "video": "video", "podcast": "podcast", "interactive": "interactive tutorial",
    "textbook_section": "textbook section", "paper": "paper", "lecture_notes": "lecture notes", "other": "resource",
}


@dataclass(frozen=True)
class Document:
    id: str
    resource_id: str
    part: int
    text: str


def chunk_text(text: str, size: int, overlap: int) -> list[str]:
    """Split on whitespace into windows of about `size` characters that overlap by about `overlap`."""
    words = text.split()
    if not words:
        return []
    chunks: list[str] = []
    start = 0
    while start < len(words):
        length, end = 0, start
        while end < len(words) and (length + len(words[end]) + 1 <= size or end == start):
            length += len(words[end]) + 1
            end += 1
        chunks.append(" ".join(words[start:end]))
        if end >= len(words):
            break
        back, step_back = 0, end
        while step_back > start + 1 and back + len(words[step_back - 1]) + 1 <= overlap:
            step_back -= 1
            back += len(words[step_back]) + 1
        start = step_back
    return chunks


def summary_text(resource: Resource) -> str:
    parts = [resource.title, f"{_TYPE_WORDS[resource.resource_type]}"]
    if resource.topics:
        parts.append("Topics: " + ", ".join(resource.topics))
    if resource.section:
        parts.append(resource.section)
    if resource.authors:
        parts.append("by " + resource.authors)
    return ". ".join(parts)


def documents_for(resource: Resource, chunk_chars: int = 600, overlap: int = 100) -> list[Document]:
    """The summary (title, type, topics, start of the description) first, then every chunk of the long fields."""
    long_text = [resource.description, resource.table_of_contents or "", resource.transcript or ""]
    chunks = [c for text in long_text if text for c in chunk_text(text, chunk_chars, overlap)]
    head = summary_text(resource)
    texts = [f"{head}. {chunks[0]}" if chunks else head]
    texts += [f"{resource.title}: {c}" for c in chunks[1:]]
    return [Document(f"{resource.id}#{i}", resource.id, i, t) for i, t in enumerate(texts)]
