"""The scheduler that owns the model, specified on a stand-in batch (no model): owners take turns, P(yes) goes first
and gives up when it cannot start in time, hopeless answers are not started, failures reach the callers."""

import threading
import time

import pytest

from assistant.llm.base import GenerationLimits, LLMBusy
from assistant.llm.hf.decode import Row
from assistant.llm.hf.scheduler import Scheduler


class StandInBatch:
    """Each step writes one token per running row; a row is done after `steps` tokens."""

    def __init__(self, steps: int = 3, step_s: float = 0.01):
        self.rows: list[Row] = []
        self.steps, self.step_s = steps, step_s
        self.admitted: list[list[str]] = []  # per admission, the owners' first prompt token (identifies the request)
        self.fail_next = False

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return 10 if self.rows else 0

    def clear(self) -> None:
        self.rows = []

    def admit(self, groups):
        self.admitted.append([g[0].prompt[0] for g in groups if g])
        self.rows += [row for g in groups for row in g]
        return []

    def step(self):
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the model fell over")
        time.sleep(self.step_s)
        for row in self.rows:
            row.tokens.append(1)
            if len(row.tokens) >= self.steps:
                row.running = False
        finished = [r for r in self.rows if not r.running]
        self.rows = [r for r in self.rows if r.running]
        return finished


def rows(tag: int, n: int = 2, deadline_in: float = 60.0) -> list[Row]:
    deadline = time.perf_counter() + deadline_in
    return [Row([tag, i], GenerationLimits(8), deadline=deadline) for i in range(n)]


def scores(groups):
    return [[0.5] * len(g) for g in groups]


def test_requests_queued_behind_a_full_batch_are_admitted_owner_by_owner():
    batch = StandInBatch(steps=2, step_s=0.02)
    scheduler = Scheduler(batch, scores, max_rows=2)
    jobs = [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("c", 5)]
    threads = [threading.Thread(target=scheduler.generate, args=(rows(tag), owner)) for owner, tag in jobs]
    for thread in threads:  # "a" asks three times before "b" and "c" ask once
        thread.start()
        time.sleep(0.002)
    for thread in threads:
        thread.join(timeout=5)
    order = [tag for admitted in batch.admitted for tag in admitted]
    assert sorted(order) == [1, 2, 3, 4, 5]
    assert order.index(4) < order.index(2) and order.index(5) < order.index(3)  # b and c did not wait for all of a's
    scheduler.close()


def test_p_yes_waits_for_nothing_but_the_current_step():
    batch = StandInBatch(steps=50, step_s=0.05)
    scheduler = Scheduler(batch, scores)
    writer = threading.Thread(target=scheduler.generate, args=(rows(1), "a"))
    writer.start()
    time.sleep(0.1)
    started = time.perf_counter()
    assert scheduler.score([[1, 2], [3, 4]], wait_s=1.0) == [0.5, 0.5]
    assert time.perf_counter() - started < 0.5  # between two steps, not after the whole answer
    writer.join(timeout=10)
    scheduler.close()


def test_p_yes_can_yield_to_answers_being_written_and_runs_when_there_are_none():
    batch = StandInBatch(steps=50, step_s=0.05)
    scheduler = Scheduler(batch, scores, scores_yield=True)
    assert scheduler.score([[1, 2]], wait_s=1.0) == [0.5]  # nothing else to do: it runs
    writer = threading.Thread(target=scheduler.generate, args=(rows(1), "a"))
    writer.start()
    time.sleep(0.1)
    with pytest.raises(LLMBusy):  # another learner's answer is being written: the cards go without P(yes)
        scheduler.score([[3, 4]], wait_s=1.0)
    assert scheduler.stats["score_passes"] == 1 and scheduler.stats["yielded_scores"] == 1
    writer.join(timeout=10)
    scheduler.close()


def test_p_yes_that_cannot_start_in_time_gives_up_and_is_never_computed():
    computed = []
    release = threading.Event()

    def slow_scores(groups):
        computed.append(len(groups))
        release.wait(5)
        return [[0.5] * len(g) for g in groups]

    scheduler = Scheduler(StandInBatch(), slow_scores)
    first = threading.Thread(target=scheduler.score, args=([[1]], None))
    first.start()
    time.sleep(0.05)  # the first pass is running and holds the model
    with pytest.raises(LLMBusy):
        scheduler.score([[2]], wait_s=0.1)
    release.set()
    first.join(timeout=5)
    time.sleep(0.05)
    assert computed == [1]  # the one that gave up was taken off the queue
    scheduler.close()


def test_an_answer_that_cannot_start_before_its_deadline_ends_at_once_unwritten():
    batch = StandInBatch()
    scheduler = Scheduler(batch, scores)
    late = rows(1, deadline_in=0.5)  # less than the time an answer needs
    started = time.perf_counter()
    scheduler.generate(late, "a")
    assert time.perf_counter() - started < 0.5
    assert all(not row.running and not row.tokens for row in late) and batch.admitted == []
    scheduler.close()


def test_a_failed_step_reaches_its_callers_and_the_scheduler_serves_on():
    batch = StandInBatch()
    scheduler = Scheduler(batch, scores)
    batch.fail_next = True
    with pytest.raises(RuntimeError, match="fell over"):
        scheduler.generate(rows(1), "a")
    served = rows(2)
    scheduler.generate(served, "b")
    assert all(len(row.tokens) == 3 for row in served)
    scheduler.close()


def test_an_answer_caught_behind_a_long_pass_returns_at_its_deadline_with_what_it_has():
    """A scoring pass on a machine shared with other processes can outlast an answer's deadline: the caller does not
    wait it out, and its rows leave the batch at the next step."""
    release = threading.Event()

    def slow_scores(groups):
        release.wait(5)
        return [[0.5] * len(g) for g in groups]

    batch = StandInBatch(steps=50, step_s=0.02)
    scheduler = Scheduler(batch, slow_scores)
    answer = rows(1, deadline_in=2.0)
    writer = threading.Thread(target=scheduler.generate, args=(answer, "a"))
    writer.start()
    time.sleep(0.2)  # the answer is decoding
    scorer = threading.Thread(target=scheduler.score, args=([[9]], None))
    scorer.start()  # the next round starts a pass that holds the model for 5 s
    started = time.perf_counter()
    writer.join(timeout=10)
    assert time.perf_counter() - started < 2.5  # the deadline (~1.8 s away) and a little grace, not the 5 s pass
    assert all(not row.running and 0 < len(row.tokens) < 50 for row in answer)
    assert scheduler.stats["abandoned"] == 1
    release.set()
    scorer.join(timeout=5)
    time.sleep(0.1)
    assert len(batch) == 0  # the abandoned rows left at the next step
    scheduler.close()
