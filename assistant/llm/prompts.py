"""Prompt templates as files: YAML with a description, declared input variables and role/template messages."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from langchain_core.prompts import ChatPromptTemplate

from assistant.llm.base import Message

log = logging.getLogger(__name__)

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


def _provided(prompt: PromptTemplate, variables: set[str]) -> None:
    """Refuse a template that declares a variable the code never passes."""
    extra = set(prompt.input_variables) - variables
    if extra:
        raise PromptError(
            f"{prompt.path}: variable(s) {', '.join(sorted(extra))} are not provided by the code "
            f"(available: {', '.join(sorted(variables))})"
        )


class ReloadingPrompt:
    """A template that re-reads its file when the file changes (development); a broken edit keeps the last good one."""

    def __init__(self, prompt: PromptTemplate, variables: set[str] | None):
        self._prompt = prompt
        self._variables = variables
        self._mtime = prompt.path.stat().st_mtime_ns
        self._lock = threading.Lock()

    @property
    def current(self) -> PromptTemplate:
        with self._lock:
            mtime = self._prompt.path.stat().st_mtime_ns
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    prompt = load_prompt(self._prompt.path)
                    if self._variables is not None:
                        _provided(prompt, self._variables)
                    self._prompt = prompt
                    log.info("Reloaded %s", prompt.path)
                except PromptError as exc:
                    log.warning("Keeping the previous %s: %s", self._prompt.name, exc)
            return self._prompt

    @property
    def name(self) -> str:
        return self._prompt.name

    @property
    def input_variables(self) -> tuple[str, ...]:
        return self.current.input_variables

    def render(self, **values: str) -> list[Message]:
        return self.current.render(**values)


def _load_folder(prompts_dir: Path, required: dict[str, set[str]]) -> tuple[dict[str, PromptTemplate], list[str]]:
    """The usable templates of a folder, and one line per problem naming its file."""
    prompts, problems = {}, []
    for path in sorted(prompts_dir.glob("*.yaml")):
        try:
            prompts[path.stem] = load_prompt(path)
        except PromptError as exc:
            problems.append(str(exc))
    for name, variables in required.items():
        path = prompts_dir / f"{name}.yaml"
        if not path.is_file():
            problems.append(f"{path}: required prompt file is missing")
        elif name in prompts:
            try:
                _provided(prompts[name], variables)
            except PromptError as exc:
                problems.append(str(exc))
    return prompts, problems


def check_prompts(prompts_dir: Path, required: dict[str, set[str]] | None = None) -> list[str]:
    """Every problem in the folder, one line each naming the file; empty when every template is usable."""
    return _load_folder(prompts_dir, required or {})[1]


def load_prompts(prompts_dir: Path, required: dict[str, set[str]] | None = None,
                 reload: bool = False) -> dict[str, PromptTemplate | ReloadingPrompt]:
    """Every *.yaml in the folder; `required` maps a prompt name to the variables the code will pass it.

    With `reload` (development), each template re-reads its file when the file changes.
    """
    prompts, problems = _load_folder(prompts_dir, required or {})
    if problems:
        raise PromptError(problems[0])
    if reload:
        return {name: ReloadingPrompt(p, (required or {}).get(name)) for name, p in prompts.items()}
    return dict(prompts)
