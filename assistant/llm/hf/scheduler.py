"""One thread owns the in-process model and merges the work of concurrent turns. Each round it scores the P(yes)
requests that arrived meanwhile in one forward pass (cards wait on them), admits waiting answer rows into the running
decode batch (fairly: one request per owner in turn, within a cap on rows and cached tokens), and runs one decode
step; rows leave the batch as soon as they are done."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.llm.base import LLMBusy
from assistant.llm.hf.decode import DecodeBatch, Row

log = logging.getLogger(__name__)

# Measured on 2 cores: a decode step costs ~0.1 s whether 5 or 20 rows take part, while reading one row's prompt
# costs ~0.06 s. Admitting everyone at once makes every answer wait for every prompt (all miss their deadline);
# a few requests decoding at a time finish theirs, and the rest wait their turn.
MAX_ROWS = 20  # answer rows decoding at once (four turns' reasons)
MAX_CACHED_TOKENS = 20 * 640  # KV positions (rows x length, padding included) the batch may hold
SCORE_ROWS = 20  # P(yes) rows in one scoring pass: more would hold every card behind it (a pass is ~0.05 s a row)
SERVED_MEMORY = 10_000  # owners whose last turn is remembered for fairness
WRITE_S = 1.5  # an answer that cannot start this long before its deadline is not started: it ends empty at once
GRACE_S = 0.25  # how far past its deadline an answer may wait for the step under way


@dataclass
class _Score:
    sequences: list[list[int]]
    submitted: float
    wait_s: float | None
    done: threading.Event = field(default_factory=threading.Event)
    state: str = "waiting"  # waiting -> running -> done | given up
    result: list[float] | None = None
    error: BaseException | None = None


@dataclass
class _Answer:
    rows: list[Row]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    @property
    def finished(self) -> bool:
        return not any(row.running for row in self.rows)


class Scheduler:
    def __init__(self, batch: DecodeBatch, score: Callable[[list[list[list[int]]]], list[list[float]]],
                 max_rows: int = MAX_ROWS, max_cached_tokens: int = MAX_CACHED_TOKENS, scores_yield: bool = False):
        """`scores_yield`: P(yes) is not started while answers are being written or wait (a scoring pass holds every
        running answer up by ~0.05 s a row); the turn ranks without it."""
        self.batch, self._score_groups = batch, score
        self.max_rows, self.max_cached_tokens = max_rows, max_cached_tokens
        self.scores_yield = scores_yield
        self._scores: deque[_Score] = deque()
        self._waiting: OrderedDict[str, deque[_Answer]] = OrderedDict()  # owner -> their requests, first come first
        self._served: dict[str, float] = {}  # owner -> when their last request was admitted (the longest ago goes next)
        self._running: list[_Answer] = []
        self._wake = threading.Condition()
        self._closed = False
        # What the scheduler did, for tests and benchmarks: passes that merged requests, the widest batch.
        self.stats = {"score_passes": 0, "merged_score_passes": 0, "scored_rows": 0, "steps": 0,
                      "most_rows": 0, "most_owners": 0, "abandoned": 0, "yielded_scores": 0}
        self._thread = threading.Thread(target=self._loop, name="llm-scheduler", daemon=True)
        self._thread.start()

    # -- called from turn threads -----------------------------------------------------------------------------
    def score(self, sequences: list[list[int]], wait_s: float | None = None) -> list[float]:
        """P(yes) per sequence; raises LLMBusy when the pass could not start within `wait_s` of queueing."""
        job = _Score(sequences, time.perf_counter(), wait_s)
        with self._wake:
            if self.scores_yield and (len(self.batch) or self._waiting):
                self.stats["yielded_scores"] += 1
                raise LLMBusy(f"answers are being written ({len(self.batch)} rows): no P(yes) now")
            self._scores.append(job)
            self._wake.notify()
        if not job.done.wait(wait_s):
            with self._wake:
                if job.state == "waiting":
                    job.state = "given up"
                    self._scores.remove(job)
            if job.state == "given up":
                raise LLMBusy(f"no P(yes) within {wait_s:.2f} s: {len(self._scores)} scoring requests wait")
            job.done.wait()  # it was already running: its result is moments away
        if job.error is not None:
            raise job.error
        return job.result or []

    def generate(self, rows: list[Row], owner: str) -> None:
        """Decode these rows (they fill in); returns once every one of them has finished, or at their deadline
        (with what they hold) when the model is still inside a long step then."""
        job = _Answer(rows)
        with self._wake:
            self._waiting.setdefault(owner, deque()).append(job)
            self._wake.notify()
        deadline = min(row.deadline for row in rows)
        # Deadlines are checked between steps; a scoring pass or prefill on a machine shared with other processes
        # can take seconds, and the caller must not wait them out: it goes on, its rows leave at the next step.
        if not job.done.wait(None if deadline == float("inf") else max(0.0, deadline - time.perf_counter()) + GRACE_S):
            with self._wake:
                self._withdraw(owner, job)
            self.stats["abandoned"] += 1
        if job.error is not None:
            raise job.error

    @property
    def load(self) -> dict[str, int]:
        """Requests and rows in the scheduler now, for reports and the 'busy' estimate."""
        with self._wake:
            return {"scoring": len(self._scores), "waiting_requests": sum(map(len, self._waiting.values())),
                    "running_rows": len(self.batch)}

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=5)

    # -- the model's thread -------------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._wake:
                while not (self._closed or self._scores or self._waiting or len(self.batch)):
                    self._wake.wait()
                if self._closed:
                    return
                scoring = self._take_scores()
                admitting = self._take_answers()
            try:
                if scoring:
                    self._run_scores(scoring)
                self._run_answers(admitting)
            except Exception as exc:  # noqa: BLE001 - every caller gets the error; the thread serves on
                log.exception("The LLM scheduler failed a round; its requests get the error")
                self._fail(scoring + admitting + self._running, exc)

    def _take_scores(self) -> list[_Score]:
        taken, rows = [], 0
        while self._scores and (not taken or rows + len(self._scores[0].sequences) <= SCORE_ROWS):
            job = self._scores.popleft()
            job.state = "running"
            taken.append(job)
            rows += len(job.sequences)
        return taken

    def _take_answers(self) -> list[_Answer]:
        """The request to admit this round, the owners taking turns, if the caps allow (always into an empty batch);
        requests too close to their deadline to be written end at once, unstarted."""
        now = time.perf_counter()
        # Every owner's hopeless requests end now, not when that owner's turn comes (its caller would wait past its
        # deadline behind owners ahead of it).
        for owner, queue in list(self._waiting.items()):
            for job in [j for j in queue if min(row.deadline for row in j.rows) - now < WRITE_S]:
                self._withdraw(owner, job)
        if self._waiting:
            owner = min(self._waiting, key=lambda o: self._served.get(o, float("-inf")))  # stable: first come first
            queue = self._waiting[owner]
            job = queue[0]
            # After the merge every row is as wide as the widest; each may still grow by its token limit.
            rows = len(self.batch) + len(job.rows)
            width = max(self.batch.width, max(len(row.prompt) + row.limits.max_new_tokens for row in job.rows))
            if len(self.batch) and (rows > self.max_rows or rows * width > self.max_cached_tokens):
                return []
            queue.popleft()
            if not queue:
                del self._waiting[owner]
            self._served[owner] = now
            if len(self._served) > SERVED_MEMORY:  # forget the owners served longest ago
                for old in sorted(self._served, key=self._served.get)[: SERVED_MEMORY // 2]:
                    del self._served[old]
            return [job]
        return []

    def _withdraw(self, owner: str, job: _Answer) -> None:
        """End a request early (hopeless, or its caller went on): off its owner's queue if it waits there; its rows
        stop (a running one leaves the batch at the next step). Called with the lock held."""
        queue = self._waiting.get(owner)
        if queue is not None and job in queue:
            queue.remove(job)
            if not queue:
                del self._waiting[owner]
        for row in job.rows:
            row.running = False
        job.done.set()

    def _run_scores(self, jobs: list[_Score]) -> None:
        results = self._score_groups([job.sequences for job in jobs])
        self.stats["score_passes"] += 1
        self.stats["merged_score_passes"] += len(jobs) > 1
        self.stats["scored_rows"] += sum(len(job.sequences) for job in jobs)
        for job, result in zip(jobs, results):
            job.result, job.state = result, "done"
            job.done.set()

    def _run_answers(self, admitting: list[_Answer]) -> None:
        if admitting:
            self._running += admitting
            self.batch.admit([job.rows for job in admitting])
        if len(self.batch):
            self.stats["most_rows"] = max(self.stats["most_rows"], len(self.batch))
            self.stats["most_owners"] = max(self.stats["most_owners"],
                                            sum(any(r.running for r in job.rows) for job in self._running))
            self.batch.step()
            self.stats["steps"] += 1
        for job in [j for j in self._running if j.finished]:
            self._running.remove(job)
            job.done.set()

    def _fail(self, jobs: Sequence[_Score | _Answer], error: BaseException) -> None:
        self.batch.clear()
        for job in jobs:
            if isinstance(job, _Answer):
                for row in job.rows:
                    row.running = False
            job.error = error
            job.done.set()
        self._running = [j for j in self._running if j not in jobs]
