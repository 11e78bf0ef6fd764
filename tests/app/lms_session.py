"""An LMS backend's whole session for one learner, through gradio_client in its own process.

Run by tests/app/test_lms_session.py: `python lms_session.py URL LEARNER_ID [API_KEY]`; prints what it saw as JSON.
"""

import json
import os
import sys

# gradio_client looks up the Hugging Face hub unless told it is offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

CONTEXT = {"device": "phone", "local_time": "20:30", "session_minutes": 20, "locale": "en-GB"}


def refusal(call) -> str | None:
    """The error message a call is refused with, or None when it succeeds."""
    try:
        call()
    except Exception as exc:  # gradio_client raises AppError with the server's message
        return str(exc)
    return None


def session(url: str, learner: str, key: str | None) -> dict:
    client = Client(url, headers={"X-API-Key": key} if key else None, verbose=False)
    seen: dict = {}
    if key:
        keyless = Client(url, verbose=False)
        seen["without_key"] = refusal(lambda: keyless.predict(learner, "Rust books", None, api_name="/recommend"))
    updates = list(client.submit(learner, "I'm new to programming and want to learn Rust. Books please.", CONTEXT,
                                 api_name="/chat"))
    seen["chat_updates"] = len(updates)
    seen["first_update_has_reasons"] = any(r["reason"] for r in updates[0]["recommendations"])
    final = updates[-1]
    seen["final_reasons"] = [r["reason"]["text"] for r in final["recommendations"]]
    chosen = final["recommendations"][0]["resource"]["id"]
    seen["chosen"] = chosen
    seen["liked_after_feedback"] = client.predict(learner, chosen, "helpful", api_name="/feedback")["liked"]
    seen["profile"] = client.predict(learner, api_name="/profile")
    seen["edited"] = client.predict(learner, {"level": "intermediate", "time_budget_minutes": 45},
                                    api_name="/update_profile")
    seen["bad_edit"] = refusal(lambda: client.predict(learner, {"levle": "advanced"}, api_name="/update_profile"))
    exported = client.predict(learner, api_name="/export")
    seen["export"] = {"turns": len(exported["turns"]), "feedback": [e["kind"] for e in exported["feedback"]],
                      "level": exported["profile"]["level"]}
    seen["forget"] = client.predict(learner, api_name="/forget")
    seen["profile_after_forget"] = refusal(lambda: client.predict(learner, api_name="/profile"))
    return seen


if __name__ == "__main__":
    url, learner, *key = sys.argv[1:]
    print(json.dumps(session(url, learner, key[0] if key else None)))
