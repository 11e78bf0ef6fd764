"""Prompt templates as files: YAML with a description, declared input variables and role/template messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from langchain_core.prompts import ChatPromptTemplate

from assistant.llm.model import Message

_ROLES = {"system": "system", "user": "human", "assistant": "ai"}
_BACK = {"system": "system", "human": "user", "ai": "assistant"}


class PromptError(ValueError):
    """A template file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    path: Path
    description: str
    input_variables: tuple[str, ...]
    template: ChatPromptTemplate

    def render(self, **values: str) -> list[Message]:
        missing = [v for v in self.input_variables if v not in values]
        if missing:
            raise PromptError(f"{self.path}: render() is missing {', '.join(missing)}")
        messages = self.template.format_messages(**{k: values[k] for k in self.input_variables})
        return [{"role": _BACK[m.type], "content": str(m.content)} for m in messages]


def load_prompt(path: Path) -> PromptTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PromptError(f"{path}: cannot read template: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list) or not data["messages"]:
        raise PromptError(f"{path}: expected keys 'description', 'input_variables' and a non-empty 'messages' list")
    if data.get("template_format", "f-string") not in {"f-string", "mustache"}:
        raise PromptError(f"{path}: template_format must be f-string or mustache (jinja2 is refused)")
    pairs = []
    for i, message in enumerate(data["messages"]):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in _ROLES or not isinstance(message.get("template"), str):
            raise PromptError(f"{path}: message {i + 1} needs role (system/user/assistant) and template text")
        pairs.append((_ROLES[role], message["template"]))
    try:
        template = ChatPromptTemplate.from_messages(pairs, template_format=data.get("template_format", "f-string"))
    except (ValueError, KeyError) as exc:
        raise PromptError(f"{path}: template does not parse: {exc}") from exc
    declared = list(data.get("input_variables") or [])
    used = set(template.input_variables)
    unknown = sorted(used - set(declared))
    if unknown:
        raise PromptError(f"{path}: template uses undeclared variable(s) {', '.join(unknown)}")
    unused = sorted(set(declared) - used)
    if unused:
        raise PromptError(f"{path}: declared variable(s) {', '.join(unused)} never used in the template")
    return PromptTemplate(path.stem, path, str(data.get("description", "")), tuple(declared), template)


def load_prompts(prompts_dir: Path, required: dict[str, set[str]] | None = None) -> dict[str, PromptTemplate]:
    """Every *.yaml in the folder; `required` maps a prompt name to the variables the code will pass it."""
    prompts = {p.stem: load_prompt(p) for p in sorted(prompts_dir.glob("*.yaml"))}
    for name, variables in (required or {}).items():
        if name not in prompts:
            raise PromptError(f"{prompts_dir / (name + '.yaml')}: required prompt file is missing")
        declared = set(prompts[name].input_variables)
        if declared - variables:
            raise PromptError(
                f"{prompts[name].path}: variable(s) {', '.join(sorted(declared - variables))} are not provided by the code "
                f"(available: {', '.join(sorted(variables))})"
            )
    return prompts
