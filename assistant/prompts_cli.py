"""`assistant prompts check|render`: validate the template files and preview a filled prompt, without the model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.llm.prompts import PromptError, check_prompts, load_prompt
from assistant.tasks import REQUIRED_PROMPTS


def add_prompts_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("prompts", help="check the prompt templates or preview one filled in")
    sub = p.add_subparsers(dest="prompts_command", required=True)

    check = sub.add_parser("check", help="validate every template; exit code 1 names each bad file and variable")
    check.add_argument("--dir", type=Path, help="prompts folder (default: the configured prompts_dir)")
    check.set_defaults(run=_check)

    render = sub.add_parser("render", help="print a template filled with values (a sample learner with --example)")
    render.add_argument("name", help="template name, the file name without .yaml (reason, profile, relevance...)")
    render.add_argument("--dir", type=Path, help="prompts folder (default: the configured prompts_dir)")
    render.add_argument("--example", action="store_true", help="fill the variables from a sample learner and resource")
    render.add_argument("--language", choices=("en", "zh"), default="en", help="the sample learner's language")
    render.add_argument("--set", action="append", default=[], metavar="VAR=VALUE",
                        help="a variable's value (overrides the sample)")
    render.set_defaults(run=_render)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    folder = args.dir or settings.prompts_dir
    problems = check_prompts(folder, REQUIRED_PROMPTS)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"All templates in {folder} are valid ({len(list(folder.glob('*.yaml')))} files).")
    return 0


def example_values(name: str, language: str = "en") -> dict[str, str]:
    """Sample inputs for a template, rendered by the same functions the engine uses."""
    from assistant.catalog.schema import Resource
    from assistant.explain.facts import render_all
    from assistant.locale import ENGLISH
    from assistant.profile.schema import LearnerProfile
    from assistant.reply import Fact
    from assistant.tasks.render import dialogue_inputs, facts_block, learner_summary, resource_summary

    zh = language == "zh"
    resource = Resource(
        id="fpb-example", title="Rust 程序设计语言" if zh else "The Rust Programming Language",
        url="https://doc.rust-lang.org/book/", topics=["Rust"], resource_type="book", modality="text",
        level="beginner", language=language, free=True,
    )
    profile = LearnerProfile(learner_id="example", topics={"Rust": 1.0}, level="beginner", formats={"book": 1.0},
                             time_budget_minutes=20, device="phone", language=language)
    message = "我是编程新手，想学 Rust，每天 20 分钟，用手机，最好是书。" if zh else \
        "I'm new to programming and want to learn Rust, 20 minutes a day on my phone. Books please."
    facts = [Fact(kind="topic", values={"topic": "Rust", "how": "asked"}),
             Fact(kind="format", values={"format": "book"}), Fact(kind="language", values={"language": language})]
    return {
        "facts": facts_block(render_all(facts, language)),
        "title": resource.title,
        "language_name": ENGLISH.name_of("language_names", language),
        **dialogue_inputs(["你好" if zh else "Hi!"], message),
        "learner": learner_summary(profile, message),
        "resource": resource_summary(resource),
    }


def _render(args: argparse.Namespace, settings: Settings) -> int:
    path = (args.dir or settings.prompts_dir) / f"{args.name}.yaml"
    if not path.is_file():
        print(f"error: {path}: no such template", file=sys.stderr)
        return 1
    try:
        prompt = load_prompt(path)
    except PromptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    values = example_values(args.name, args.language) if args.example else {}
    for pair in args.set:
        key, sep, value = pair.partition("=")
        if not sep:
            print(f"error: --set needs VAR=VALUE, got {pair!r}", file=sys.stderr)
            return 1
        if key not in prompt.input_variables:
            print(f"error: {path} has no variable {key!r} (it declares {', '.join(prompt.input_variables)})",
                  file=sys.stderr)
            return 1
        values[key] = value
    if args.example:  # a new template's own variables have no sample yet: show them as placeholders
        values = {v: values.get(v, f"<{v}>") for v in prompt.input_variables}
    try:
        messages = prompt.render(**values)
    except PromptError as exc:
        print(f"error: {exc} (pass --example or --set VAR=VALUE)", file=sys.stderr)
        return 1
    for message in messages:
        print(f"--- {message['role']} ---\n{message['content'].rstrip()}\n")
    return 0
