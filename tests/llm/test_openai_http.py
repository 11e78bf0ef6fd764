"""The OpenAI-compatible backend against a small stand-in server on loopback (the real llama.cpp server is the
`make test-scale` run): it finds out what the server offers, streams and stops a row early, reads P(yes) from the
first token's log-probs, names a bad configuration in one line, and degrades instead of failing."""

import json
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.config import LLMSettings
from assistant.llm import build_llm
from assistant.llm.base import Capability, GenerationLimits, GenerationRequest, LLMBusy
from assistant.llm.openai_http import LLMServerError

ANSWER = "It is about Rust, which you asked for. And more words that go on and on."


def stand_in(logprobs: bool, seen: list) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": "assistant", "object": "model", "owned_by": "test"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        seen.append(body)
        if body.get("stream"):
            def chunks():
                for word in ANSWER.split(" "):
                    delta = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "assistant",
                             "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
                    yield f"data: {json.dumps(delta)}\n\n"
                    time.sleep(0.01)
                yield "data: [DONE]\n\n"
            return StreamingResponse(chunks(), media_type="text/event-stream")
        yes = "Rust" in json.dumps(body["messages"])
        top = [{"token": "yes", "logprob": -0.1 if yes else -2.5, "bytes": None},
               {"token": "no", "logprob": -2.5 if yes else -0.1, "bytes": None}]
        choice = {"index": 0, "finish_reason": "length",
                  "message": {"role": "assistant", "content": "yes" if yes else "no"},
                  "logprobs": {"content": [{"token": top[0]["token"], "logprob": top[0]["logprob"], "bytes": None,
                                            "top_logprobs": top}]} if logprobs else None}
        return JSONResponse({"id": "c", "object": "chat.completion", "created": 0, "model": "assistant",
                             "choices": [choice]})

    return app


def serve(app: FastAPI) -> tuple[str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/v1", server


@pytest.fixture
def server(request):
    seen: list = []
    url, running = serve(stand_in(getattr(request, "param", True), seen))
    yield url, seen
    running.should_exit = True


def settings(url: str, **more) -> LLMSettings:
    return LLMSettings(backend="openai", url=url, server_model="assistant", **more)


def test_the_backend_reads_p_yes_from_first_token_log_probs(server):
    url, _ = server
    llm = build_llm(settings(url), cache_dir=None)
    assert Capability.YES_PROBABILITY in llm.capabilities and Capability.VOCABULARY not in llm.capabilities
    rust, knitting = llm.yes_probability([[{"role": "user", "content": "Rust book for a Rust learner?"}],
                                          [{"role": "user", "content": "Knitting book?"}]])
    assert rust > 0.9 and knitting < 0.1


def test_a_row_stops_as_soon_as_its_done_says_so(server):
    url, seen = server
    llm = build_llm(settings(url, server_options={"repeat_penalty": 1.1}), cache_dir=None)
    texts = llm.generate([GenerationRequest([{"role": "user", "content": "why?"}],
                                            done=lambda text: text.rstrip().endswith(".")),
                          GenerationRequest([{"role": "user", "content": "why?"}])], GenerationLimits(48))
    assert texts[0] == "It is about Rust, which you asked for." and texts[1] == ANSWER
    assert seen[-1]["repeat_penalty"] == 1.1 and seen[-1]["temperature"] == 0


@pytest.mark.parametrize("server", [False], indirect=True)
def test_a_server_without_log_probs_is_used_without_p_yes(server, caplog):
    url, _ = server
    with caplog.at_level("WARNING"):
        llm = build_llm(settings(url), cache_dir=None)
    assert Capability.YES_PROBABILITY not in llm.capabilities
    assert "gives no first-token log-probs: relevance P(yes) is off" in caplog.text and url.split("/")[2] in caplog.text


def test_bad_configuration_is_one_line_naming_host_and_port(server):
    url, _ = server
    with pytest.raises(LLMServerError, match=r"does not serve 'nonsense'; it serves \['assistant'\]"):
        build_llm(settings(url).model_copy(update={"server_model": "nonsense"}), cache_dir=None)
    with pytest.raises(LLMServerError, match=r"^Cannot reach the LLM server at 127\.0\.0\.1:1 "):
        build_llm(settings("http://127.0.0.1:1/v1"), cache_dir=None)


def test_a_server_that_goes_away_gives_empty_answers_and_busy_judgements_not_errors(server):
    url, _ = server
    llm = build_llm(settings(url), cache_dir=None)
    llm.client = llm.client.with_options(base_url="http://127.0.0.1:1/v1")  # the server is gone
    assert llm.generate([GenerationRequest([{"role": "user", "content": "why?"}])], GenerationLimits(8)) == [""]
    with pytest.raises(LLMBusy):
        llm.yes_probability([[{"role": "user", "content": "Rust?"}]], wait_s=0.3)
