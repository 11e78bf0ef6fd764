"""Reasons: one sentence per recommendation from its facts, written by the LLM in one batch, checked (a draft whose
only fault is a stray clause loses that clause), retried once with the checker's objections, and otherwise replaced
by a template sentence built from the same facts."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from assistant.catalog.dedupe import site_of
from assistant.explain.check import SENTENCE_ENDS, Evidence, lasting_problems, problems
from assistant.explain.facts import record_facts, render, render_all
from assistant.explain.phrasing import phrasings
from assistant.locale import ENGLISH, locale
from assistant.reply import Fact, Reason, Recommendation
from assistant.tasks.reasons import Draft, ReasonDrafter

log = logging.getLogger(__name__)

MAX_FACTS = 3
LEARNER_FACTS = 2  # of MAX_FACTS; the rest come from the item's own record when it has something to tell


def _key(fact: Fact) -> tuple:
    return fact.kind, tuple(sorted(fact.values.items()))


def _untold(facts: list[Fact]) -> list[Fact]:
    """The facts without those naming a subject a stronger fact already named ("about X" and "covers X")."""
    named: set[str] = set()
    kept = []
    for fact in facts:
        subject = str(fact.values.get("topic") or fact.values.get("concept") or fact.values.get("phrase") or "").lower()
        if subject and subject in named:
            continue
        named.add(subject)
        kept.append(fact)
    return kept


def choose_facts(recommendations: list[Recommendation]) -> list[list[Fact]]:
    """Per item, the facts its reason tells: those that set it apart from the rest of the list, and only one of those
    every item shares (five reasons saying the same thing tell the learner nothing); strongest first among equals."""
    offered = []
    for rec in recommendations:
        supporting = _untold([f for f in rec.facts if f.supports])
        offered.append(supporting + record_facts(rec.resource, supporting))
    shared = Counter(key for facts in offered for key in {_key(f) for f in facts})
    chosen = []
    for facts in offered:
        if len(offered) > 1:  # what every item shares is told once per reason, by its strongest fact
            common = [f for f in facts if shared[_key(f)] == len(offered)]
            keep = common[:1]
            if not any(f.learner_specific for f in facts if f not in common or f in keep):
                keep += [f for f in common if f.learner_specific][:1]
            facts = [f for f in facts if f not in common or f in keep]
        distinct_first = sorted(facts, key=lambda f: shared[_key(f)])  # stable: strength order among equals
        learner = [f for f in distinct_first if f.learner_specific][:LEARNER_FACTS]
        record = [f for f in distinct_first if not f.learner_specific][:MAX_FACTS - len(learner)]
        picked = learner + record
        picked += [f for f in distinct_first if f not in picked][:MAX_FACTS - len(picked)]
        chosen.append(sorted(picked, key=facts.index))  # told in the order of strength, record facts last
    return chosen


def set_apart(recommendations: list[Recommendation], chosen: list[list[Fact]]) -> list[Fact | None]:
    """For items that would tell exactly the same facts, one fact only each of them has (two identical reasons in a
    list tell the learner nothing about the second); None for the rest."""
    extra: list[Fact | None] = [None] * len(chosen)
    groups: dict[tuple, list[int]] = {}
    for i, facts in enumerate(chosen):
        groups.setdefault(tuple(sorted(_key(f) for f in facts)), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        group = [recommendations[i] for i in members]
        subjects = {str(v).lower() for i in members for f in chosen[i] for v in f.values.values()}
        for i in members:
            extra[i] = _distinction(recommendations[i], group, recommendations, subjects)
    return extra


_TITLE_WORD = re.compile(r"[^\W_][\w+#.'-]*|[\u4e00-\u9fff]+")
_TITLE_FILLER = frozenset("a an and the of for to in on with your you from by at its into i".split())


def _title_words(title: str, others: list[str], subjects: set[str]) -> str | None:
    """The first run (up to three words) of the title that no other title in the group has and that is not the
    subject every item shares: what sets this item apart by name."""
    taken = {w.lower() for other in others for w in _TITLE_WORD.findall(other)} | subjects
    run: list[str] = []
    before = ""
    for word in _TITLE_WORD.findall(title):
        if not word.isascii():  # a Chinese run holds the subject inside it ("图说设计模式"): only the rest sets it apart
            for subject in subjects:
                if len(subject) > 1 and not subject.isascii():
                    word = word.replace(subject, "")
            if not word:
                continue
        filler = word.lower() in _TITLE_FILLER
        if run and filler:
            run.append(word)  # "Guide to Rustc": joining words stay inside the run
            continue
        if filler or word.lower() in taken:
            if run:
                break
            before = word
            continue
        if not run and len(word) <= 2 and before:
            run.append(before)  # "Volume 2", not "2"
        run.append(word)
        if sum(w.lower() not in _TITLE_FILLER for w in run) == 3:
            break
    while run and run[-1].lower() in _TITLE_FILLER:
        run.pop()
    if any(len(w) > 1 for w in run):  # a lone letter ("C", "R") names nothing a learner could tell apart
        return " ".join(run)
    # Every word is in another title ("Learn Python" beside "Learn Python the Hard Way"): the whole title differs.
    whole = _TITLE_WORD.findall(title)
    if 0 < len(whole) <= 6 and title.lower() not in {o.lower() for o in others}:
        return " ".join(whole)
    return None


def _distinction(rec: Recommendation, group: list[Recommendation], everyone: list[Recommendation],
                 subjects: set[str]) -> Fact | None:
    """A fact only this item of a group with the same reason has: the list's only item of its format, words of its
    title no other in the group has, or its site (their lengths, when known, already differ)."""
    formats = [r.resource.resource_type for r in everyone]
    if formats.count(rec.resource.resource_type) == 1 and rec.resource.resource_type in ENGLISH.format_nouns:
        return Fact(kind="only_format", values={"format": rec.resource.resource_type}, learner_specific=False)
    others = [r.resource.title for r in group if r is not rec]
    words = _title_words(rec.resource.title, others, subjects)
    if words:
        return Fact(kind="title_words", values={"words": words}, learner_specific=False)
    site = site_of(str(rec.resource.url))
    if site and all(site_of(str(r.resource.url)) != site for r in group if r is not rec):  # same title, other sites
        return Fact(kind="site", values={"site": site}, learner_specific=False)
    return None


def template_reason(facts: list[str], language: str) -> str:
    """A plain sentence built only from the facts; the fallback whenever the model's sentence is rejected."""
    table = locale(language)
    if not facts:
        return table.phrase("reason_no_facts")
    text = table.template_joiner.join(facts[:3])
    return f"{text[:1].upper()}{text[1:]}{table.full_stop}"


# A sentence ends at CJK end marks, or at . ! ? followed by a space, but not after an initial ("David E. Penney") and
# never inside a word ("Next.js").
_SENTENCE_BREAK = re.compile(r"(?<=[。！？])\s*|(?<![\s.][A-Z]\.)(?<=[.!?])\s+")


def clean_draft(text: str) -> str:
    """The model's draft as it is checked and shown: one line, one or two sentences, closed punctuation."""
    # A character cut in half by the token limit decodes as U+FFFD; it is never part of a sentence.
    text = " ".join(text.replace("\ufffd", "").split()).strip("\"' ")
    # Keep the first sentence or two: the small model tends to run on; a second one cut by the token limit goes.
    sentences = [s for s in _SENTENCE_BREAK.split(text) if s][:2]
    if len(sentences) == 2 and sentences[1][-1] not in SENTENCE_ENDS:
        sentences = sentences[:1]
    text = " ".join(sentences).strip()
    # A sentence cut by the token limit keeps its whole clauses and is closed after the last of them.
    if text and text[-1] not in SENTENCE_ENDS:
        cut = max(text.rfind(mark) for mark in ",;，；、")
        if cut > 0:
            text = text[:cut].rstrip() + ("。" if re.search(r"[\u4e00-\u9fff]", text) else ".")
    return text


def settled(draft: str, evidence: Evidence) -> bool:
    """True once more text cannot help the draft: two sentences are done (clean_draft keeps no more), or it already
    has a problem no continuation repairs (clean_draft then keeps the text up to its last clause break: it may pass)."""
    return len([s for s in _SENTENCE_BREAK.split(" ".join(draft.split())) if s]) > 2 or bool(
        lasting_problems(draft, evidence))


_CLAUSE_BREAK = re.compile(r"\s*;\s*(?:and\s+)?|,\s+and\s+")


def prune(draft: str, evidence: Evidence, topics_in: Callable[[str], list[str]] | None = None) -> str | None:
    """The draft without the clauses that stray from the facts, when what is left passes the check on its own."""
    clauses = [c for c in _CLAUSE_BREAK.split(draft.rstrip(".!? ")) if c]
    kept = []
    for clause in clauses:  # a clause keeps its parts up to the first stray one ("made by X, the creator of it")
        parts = clause.split(", ")
        stray = next((i for i, part in enumerate(parts) if evidence.ungrounded_words(part)), len(parts))
        if stray:
            kept.append(", ".join(parts[:stray]))
    if not kept or kept == clauses:
        return None
    text = kept[0] if len(kept) == 1 else "; ".join(kept[:-1]) + "; and " + kept[-1]
    text = f"{text[:1].upper()}{text[1:]}."
    return None if problems(text, evidence, topics_in) else text


@dataclass
class ReasonStats:
    written: int = 0
    retried: int = 0
    templated: int = 0

    @property
    def rejection_rate(self) -> float:
        return self.templated / self.written if self.written else 0.0


def _with_fact(reason: Reason, fact: Fact, language: str) -> Reason:
    """The reason followed by a sentence of one more fact, written from the fact alone (the adapter was not trained
    on these kinds)."""
    clause = render(fact, language)
    if clause in reason.facts:  # told in its own words, so the sentence is in the reason's facts already
        reason = reason.model_copy(update={"facts": [f for f in reason.facts if f != clause],
                                           "grounds": [g for g in reason.grounds if _key(g) != _key(fact)]})
    table = locale(language)
    sentence = f"{clause[:1].upper()}{clause[1:]}{table.full_stop}"
    text = f"{reason.text}{'' if not table.spaced else ' '}{sentence}"
    return reason.model_copy(update={"text": text, "facts": [*reason.facts, clause], "grounds": [*reason.grounds, fact]})


def _plain(text: str) -> str:
    return " ".join(_WORDS_OF.findall(text.lower()))


_WORDS_OF = re.compile(r"\w+")


class ReasonWriter:
    """Drafts (with the LLM, when there is one), checks, prunes, retries once, and falls back to templates."""

    def __init__(self, drafter: ReasonDrafter | None, topics_in: Callable[[str], list[str]] | None = None,
                 stop_early: bool = True, limit_vocabulary: bool = True):
        self.drafter = drafter
        self.stop_early = stop_early
        self.limit_vocabulary = limit_vocabulary
        self.topics_in = topics_in
        self.stats = ReasonStats()

    def _checked_template(self, facts: list[str], evidence: Evidence) -> str:
        """The template sentence of the most facts that passes the check: two facts can repeat each other's words."""
        choices = [facts[:n] for n in range(min(MAX_FACTS, len(facts)), 0, -1)] + [[f] for f in facts[1:MAX_FACTS]]
        for chosen in choices:
            text = template_reason(chosen, evidence.language)
            if not problems(text, evidence, self.topics_in):
                return text
        log.warning("No template sentence of %s passes the check; showing the first fact alone", facts)
        return template_reason(facts[:1], evidence.language)

    def _told_apart(self, reason: Reason, fact: Fact, rec: Recommendation, language: str) -> Reason | None:
        """The reason followed by a sentence of the fact, if the whole still passes the check."""
        extended = _with_fact(reason, fact, language)
        evidence = Evidence(extended.facts, rec.resource, language, extended.grounds)
        return None if problems(extended.text, evidence, self.topics_in) else extended

    def _template_led_by(self, own: Fact, supporting: list[Fact], rendered: list[str], rec: Recommendation,
                         language: str, late: bool) -> Reason:
        """The checked template of the item's facts with `own` (what only this item has) first."""
        first = render_all([own], language)
        facts = first + [f for f in rendered if f not in first]
        grounds = [own, *(f for f in supporting if _key(f) != _key(own))]
        text = self._checked_template(facts, Evidence(facts, rec.resource, language, grounds))
        return Reason(text=text, facts=facts, grounds=grounds, written_by="template", late=late)

    def _drafts(self, items: list[tuple[Recommendation, list[str]]], evidence: list[Evidence], owner: str,
                deadline: float, objections: list[str] | None = None) -> list[str]:
        language = evidence[0].language
        name = ENGLISH.name_of("language_names", language)
        drafts = [Draft(
            facts, rec.resource.title, name,
            # Decoding only from the words the check allows keeps drafts from straying (and skips most of the vocabulary).
            vocabulary=e.vocabulary() if self.limit_vocabulary else None,
            # A draft stops as soon as it is settled: the longest draft sets how long the whole batch takes.
            done=(lambda text, e=e: settled(text, e)) if self.stop_early else None,
            hints=phrasings(e.values, language),  # the tuned model mostly writes these wordings
            problems=None if objections is None else objections[i],
        ) for i, ((rec, facts), e) in enumerate(zip(items, evidence))]
        within = None if deadline == float("inf") else max(0.0, deadline - time.perf_counter())
        return [clean_draft(t) for t in self.drafter.draft(drafts, owner, within)]

    def write(self, recommendations: list[Recommendation], language: str, owner: str = "",
              within_s: float | None = None) -> list[Reason]:
        """Reasons in rank order; each either passed the check or is a template sentence of the same facts. Past
        `within_s` nothing is retried: a draft not accepted by then is a template marked late."""
        deadline = float("inf") if within_s is None else time.perf_counter() + within_s
        supporting = choose_facts(recommendations)
        apart = set_apart(recommendations, supporting)
        rendered = [render_all(facts, language) for facts in supporting]
        evidence = [Evidence(facts, rec.resource, language, values)
                    for rec, facts, values in zip(recommendations, rendered, supporting)]
        accepted: list[str | None] = [None] * len(recommendations)
        if self.drafter is not None and recommendations:
            drafts = self._drafts(list(zip(recommendations, rendered)), evidence, owner, deadline)
            objections = {i: problems(d, evidence[i], self.topics_in) for i, d in enumerate(drafts)}
            for i, draft in enumerate(drafts):
                accepted[i] = draft if not objections[i] else prune(draft, evidence[i], self.topics_in)
            again = [i for i in objections if accepted[i] is None]
            late = time.perf_counter() >= deadline
            if again and self.drafter.retry is not None and not late:
                self.stats.retried += len(again)
                redrafts = self._drafts([(recommendations[i], rendered[i]) for i in again],
                                        [evidence[i] for i in again], owner, deadline,
                                        ["; ".join(objections[i]) for i in again])
                for i, draft in zip(again, redrafts):
                    issues = problems(draft, evidence[i], self.topics_in)
                    accepted[i] = draft if not issues else prune(draft, evidence[i], self.topics_in)
                    if accepted[i] is None:
                        log.info("Reason for %s rejected twice (%s): %r", recommendations[i].resource.id,
                                 "; ".join(issues), draft)
        reasons: list[Reason] = []
        said: dict[str, int] = {}
        for i, facts in enumerate(rendered):
            self.stats.written += 1
            if accepted[i] is not None:
                reasons.append(Reason(text=accepted[i], facts=facts, grounds=supporting[i], written_by="model"))
            else:
                self.stats.templated += 1
                reasons.append(Reason(text=self._checked_template(facts, evidence[i]), facts=facts,
                                      grounds=supporting[i], written_by="template",
                                      late=self.drafter is not None and time.perf_counter() >= deadline))
            if apart[i] is not None:
                reasons[-1] = self._told_apart(reasons[-1], apart[i], recommendations[i], language) or reasons[-1]
            earlier = said.get(_plain(reasons[-1].text))
            if earlier is not None:
                # Still an earlier item's sentence (the model left out what tells them apart, or the sentence that
                # would tell it repeats the reason): say what only this one has, or fall back to its template.
                theirs = {_key(f) for f in reasons[earlier].grounds}
                text = reasons[-1].text.lower()
                own = next((f for f in supporting[i] if _key(f) not in theirs
                            and not any(str(v).lower() in text for v in f.values.values())), None) or \
                    _distinction(recommendations[i], [recommendations[i], recommendations[earlier]], recommendations,
                                 {str(v).lower() for f in supporting[i] for v in f.values.values()})
                if own is not None:
                    told = self._told_apart(reasons[-1], own, recommendations[i], language)
                    if told is None:
                        self.stats.templated += reasons[-1].written_by == "model"
                        told = self._template_led_by(own, supporting[i], rendered[i], recommendations[i], language,
                                                     reasons[-1].late)
                    reasons[-1] = told
            said.setdefault(_plain(reasons[-1].text), i)
        if self.stats.templated:
            log.info("Reasons replaced by templates so far: %d of %d (%.0f %%)", self.stats.templated,
                     self.stats.written, 100 * self.stats.rejection_rate)
        return reasons
