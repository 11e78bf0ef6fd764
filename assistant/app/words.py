"""The page's words, from the locale tables: fixed labels follow the browser's language, the rest the learner's."""

from __future__ import annotations

import gradio as gr

from assistant.locale import LOCALES, locale

# Prefixed keys: gradio's own translations use plain words such as "video" for whole groups of strings.
I18N = gr.I18n(**{code: {f"la_{key}": text for key, text in table.labels.items()} for code, table in LOCALES.items()})


def t(key: str) -> gr.i18n.I18nData:
    """A page label by key, translated in the browser."""
    return I18N(f"la_{key}")


def word(key: str, language: str | None) -> str:
    """Text the server writes into the page, in the learner's language."""
    return locale(language).words[key]
