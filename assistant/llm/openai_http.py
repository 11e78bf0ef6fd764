"""Any OpenAI-compatible server as the LLM: llama.cpp's server on a CPU, vLLM or SGLang on a GPU. Chat completions,
streamed so a row can be stopped early; P(yes) from the first answer token's top log-probs when the server gives
them. What the server lacks is declared: no token restriction and no lookup hints here (the reason task then decodes
from any token, and the check catches what strays)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx
import openai

from assistant.config import LLMSettings
from assistant.errors import ConfigurationError
from assistant.llm.base import Capability, GenerationLimits, GenerationRequest, LLMBusy, LLMInfo, Message

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 10.0
TOP_LOGPROBS = 10  # first-token candidates read for P(yes): "yes", "Yes", " yes"... and the same for "no"


class LLMServerError(ConfigurationError):
    """The configured server cannot serve: unreachable, or not serving the configured model."""


def _words(top: Sequence[tuple[str, float]]) -> tuple[float, float]:
    """Probability mass of the answers spelled "yes" and "no" among a token's top candidates."""
    yes = sum(math.exp(p) for token, p in top if token.strip().lower() == "yes")
    no = sum(math.exp(p) for token, p in top if token.strip().lower() == "no")
    return yes, no


class OpenAILLM:
    def __init__(self, settings: LLMSettings):
        if not settings.url:
            raise LLMServerError("ASSISTANT_LLM_BACKEND=openai needs ASSISTANT_LLM_URL (e.g. http://127.0.0.1:8080/v1)")
        parsed = urlparse(settings.url)
        self.where = f"{parsed.hostname}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"
        self.settings = settings
        self.client = openai.OpenAI(base_url=settings.url, api_key=settings.api_key or "none",
                                    timeout=settings.timeout_s, max_retries=0)
        self.model = self._check_model(settings.server_model)
        self.capabilities = frozenset({Capability.STREAMING, Capability.EARLY_STOP} |
                                      ({Capability.YES_PROBABILITY} if self._has_logprobs() else set()))
        self._pool = ThreadPoolExecutor(max_workers=settings.server_concurrency, thread_name_prefix="llm-http")

    # -- at start: say what is wrong, in one line -------------------------------------------------------------
    def _check_model(self, wanted: str) -> str:
        try:
            served = [m.id for m in self.client.models.list(timeout=PROBE_TIMEOUT_S).data]
        except openai.APIConnectionError as exc:
            raise LLMServerError(f"Cannot reach the LLM server at {self.where} ({exc.__cause__ or exc}): start it, "
                                 "or unset ASSISTANT_LLM_BACKEND to use the in-process model") from exc
        except openai.APIError as exc:
            raise LLMServerError(f"The LLM server at {self.where} refused to list its models: {exc}") from exc
        if not wanted:
            if len(served) != 1:
                raise LLMServerError(f"The LLM server at {self.where} serves {served}: name one in "
                                     "ASSISTANT_LLM_SERVER_MODEL")
            return served[0]
        if wanted not in served:
            raise LLMServerError(f"The LLM server at {self.where} does not serve {wanted!r}; it serves {served}")
        return wanted

    def _has_logprobs(self) -> bool:
        try:
            probe = self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": "Answer yes or no: is water wet?"}],
                max_tokens=1, temperature=0, logprobs=True, top_logprobs=TOP_LOGPROBS, timeout=PROBE_TIMEOUT_S)
            content = probe.choices[0].logprobs.content if probe.choices[0].logprobs else None
            if content and content[0].top_logprobs:
                return True
        except openai.APIError as exc:
            log.warning("The LLM server at %s refused a log-probs request: %s", self.where, exc)
        log.warning("The LLM server at %s gives no first-token log-probs: relevance P(yes) is off", self.where)
        return False

    def describe(self) -> LLMInfo:
        return LLMInfo("openai", f"{self.model} at {self.where}",
                       serving=f"{self.settings.server_concurrency} requests at a time")

    # -- serving ----------------------------------------------------------------------------------------------
    def _options(self, limits: GenerationLimits) -> dict:
        return dict(model=self.model, max_tokens=limits.max_new_tokens, temperature=0,
                    stop=list(limits.stop) or None, extra_body=self.settings.server_options or None)

    def _one(self, request: GenerationRequest, limits: GenerationLimits, deadline: float) -> str:
        """One answer, streamed: stopped as soon as its `done` says so or its time is up. A server that fails
        mid-answer gives what arrived (possibly nothing): the caller's check and fallback take it from there."""
        text = ""
        try:
            stream = self.client.chat.completions.create(messages=list(request.messages), stream=True,
                                                         timeout=max(0.1, deadline - time.perf_counter()),
                                                         **self._options(limits))
            with stream:
                for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        text += chunk.choices[0].delta.content
                        if request.done is not None and request.done(text):
                            break
                    if time.perf_counter() > deadline:
                        break
        except (openai.APIError, httpx.HTTPError) as exc:
            log.warning("The LLM server at %s failed an answer (%s): %s", self.where, type(exc).__name__, exc)
        return text.strip()

    def generate(self, requests: Sequence[GenerationRequest], limits: GenerationLimits = GenerationLimits()) -> list[str]:
        deadline = time.perf_counter() + limits.max_time_s
        return list(self._pool.map(lambda r: self._one(r, limits, deadline), requests))

    def stream(self, messages: Sequence[Message], limits: GenerationLimits = GenerationLimits()) -> Iterator[str]:
        stream = self.client.chat.completions.create(messages=list(messages), stream=True, **self._options(limits))
        with stream:
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    def _p_yes(self, conversation: Sequence[Message], timeout: float) -> float:
        answer = self.client.chat.completions.create(
            model=self.model, messages=list(conversation), max_tokens=1, temperature=0, logprobs=True,
            top_logprobs=TOP_LOGPROBS, timeout=timeout, extra_body=self.settings.server_options or None)
        content = answer.choices[0].logprobs.content if answer.choices[0].logprobs else None
        top = [(c.token, c.logprob) for c in content[0].top_logprobs] if content else []
        yes, no = _words(top)
        return yes / (yes + no) if yes + no > 0 else 0.5  # neither among the candidates: no opinion

    def yes_probability(self, conversations: Sequence[Sequence[Message]], wait_s: float | None = None) -> list[float]:
        """P(yes) per conversation; raises LLMBusy when the server does not answer within `server_relevance_s` or
        fails (the ranker then goes without). `wait_s` is not used: a server's own queue cannot be seen from here."""
        if not conversations:
            return []
        timeout = self.settings.server_relevance_s
        try:
            return list(self._pool.map(lambda c: self._p_yes(c, timeout), conversations))
        except (openai.APIError, httpx.HTTPError) as exc:
            raise LLMBusy(f"the LLM server at {self.where} did not judge relevance: {exc}") from exc
