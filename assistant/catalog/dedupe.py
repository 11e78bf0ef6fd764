"""Merge resources that point at the same place; the first id stays, the others become aliases."""

from __future__ import annotations

from urllib.parse import urlsplit

from assistant.catalog.schema import Resource


def url_key(url: str) -> str:
    parts = urlsplit(str(url))
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{host}{path}{query}{fragment}"


def site_of(url: str) -> str:
    """The host an address is on, without "www." ("learn-js.org")."""
    return url_key(url).split("/")[0]


def merge_duplicates(resources: list[Resource]) -> list[Resource]:
    """Same URL and same section (a textbook's chapters share a URL but are different resources) -> one resource."""
    merged: dict[tuple[str, str, str], Resource] = {}
    for resource in resources:
        key = (url_key(str(resource.url)), resource.section or "", resource.language)
        kept = merged.get(key)
        if kept is None:
            merged[key] = resource.model_copy(deep=True)
            continue
        kept.aliases.extend(i for i in resource.all_ids if i not in kept.all_ids)
        kept.topics.extend(t for t in resource.topics if t not in kept.topics)
    return list(merged.values())
