"""What a task does when the backend lacks a feature: it goes without, and says once what that costs."""

from __future__ import annotations

import logging

from assistant.llm.base import LLM, Capability

log = logging.getLogger(__name__)


class Features:
    """The optional features one task may use on one backend; each missing one is logged the first time it is asked."""

    def __init__(self, llm: LLM, task: str):
        self.llm, self.task = llm, task
        self._reported: set[Capability] = set()

    def offers(self, capability: Capability, without: str) -> bool:
        """Whether the backend has the capability; if not, `without` (what the task loses) is logged once."""
        if capability in self.llm.capabilities:
            return True
        if capability not in self._reported:
            self._reported.add(capability)
            log.warning("%s: the %s backend has no %s, so %s", self.task, self.llm.describe().backend,
                        capability.value, without)
        return False
