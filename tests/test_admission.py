"""Turns beyond what may run and wait are answered "busy, try again in N s" at once, never left to time out."""

import threading
import time

import pytest

from assistant.admission import Admission, Busy


def test_turns_beyond_the_running_and_waiting_places_are_busy_with_a_retry_time():
    admission = Admission(running=1, waiting=1, max_wait_s=5)
    inside, release = threading.Event(), threading.Event()

    def hold():
        with admission.turn():
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    def wait_for_a_place():
        with admission.turn():
            pass

    waiter = threading.Thread(target=wait_for_a_place)  # takes the one waiting place
    waiter.start()
    time.sleep(0.1)
    started = time.perf_counter()
    with pytest.raises(Busy) as refused:
        with admission.turn():
            pass
    assert time.perf_counter() - started < 0.5  # at once
    assert refused.value.retry_after_s >= 1 and f"try again in {refused.value.retry_after_s} s" in str(refused.value)
    release.set()
    holder.join(5)
    waiter.join(5)


def test_a_turn_that_waits_longer_than_allowed_is_busy():
    admission = Admission(running=1, waiting=4, max_wait_s=0.2)
    release = threading.Event()

    def hold():
        with admission.turn():
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.05)
    with pytest.raises(Busy):
        with admission.turn():
            pass
    release.set()
    holder.join(5)
