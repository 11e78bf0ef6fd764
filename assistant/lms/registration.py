"""What an LMS administrator pastes to register the tool: Canvas's developer-key JSON and Moodle's manual
registration values, all built from the tool's public base URL."""

from __future__ import annotations

import json
from urllib.parse import urlparse

TITLE = "Learning assistant"
DESCRIPTION = "Recommends learning resources in conversation, with a checked reason for each."


def endpoints(base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {"login": f"{base}/lti/login", "launch": f"{base}/lti/launch", "jwks": f"{base}/lti/jwks.json"}


def canvas_developer_key(base_url: str) -> dict:
    """Canvas: Admin > Developer Keys > + LTI Key > Method "Paste JSON" (redirect URI: the launch URL)."""
    urls = endpoints(base_url)
    placement = {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
                 "target_link_uri": urls["launch"], "text": TITLE, "default": "enabled"}
    return {
        "title": TITLE, "description": DESCRIPTION,
        "oidc_initiation_url": urls["login"], "target_link_uri": urls["launch"], "public_jwk_url": urls["jwks"],
        "scopes": [],  # no LTI Advantage services are used (docs/lms.md says why)
        "extensions": [{
            "platform": "canvas.instructure.com", "domain": urlparse(base_url).hostname or "",
            "privacy_level": "anonymous",  # the opaque user id (sub) is all the assistant needs
            "settings": {"text": TITLE, "placements": [placement]},
        }],
        "custom_fields": {},
    }


def moodle_values(base_url: str) -> list[tuple[str, str]]:
    """Moodle: Site administration > Plugins > External tool > Manage tools > configure a tool manually."""
    urls = endpoints(base_url)
    return [
        ("Tool name", TITLE), ("Tool URL", urls["launch"]), ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"), ("Public keyset", urls["jwks"]), ("Initiate login URL", urls["login"]),
        ("Redirection URI(s)", urls["launch"]), ("Default launch container", "Embed, without blocks"),
        ("Share launcher's name with tool", "Never"), ("Share launcher's email with tool", "Never"),
        ("Accept grades from the tool", "Never"), ("IMS LTI Assignment and Grade Services", "Do not use this service"),
        ("IMS LTI Names and Role Provisioning", "Do not use this service"), ("Supports Deep Linking", "No"),
    ]


def settings_template(base_url: str) -> str:
    """The environment the tool then needs: its public URL and the platform's values (Moodle's shown here)."""
    platform = [{"issuer": "https://moodle.example.edu", "client_id": "CLIENT_ID", "deployment_ids": ["1"],
                 "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
                 "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
                 "key_set_url": "https://moodle.example.edu/mod/lti/certs.php"}]
    return (f"ASSISTANT_SERVING_PUBLIC_URL={base_url.rstrip('/')}\n"
            f"ASSISTANT_LTI_PLATFORMS='{json.dumps(platform)}'")


def describe(base_url: str) -> str:
    """Everything for both LMSs, as the `assistant lti config` command prints it."""
    moodle = "\n".join(f"  {name}: {value}" for name, value in moodle_values(base_url))
    return (f"== Canvas: Developer Keys > + LTI Key > Paste JSON (Redirect URIs: {endpoints(base_url)['launch']})\n"
            f"{json.dumps(canvas_developer_key(base_url), indent=2)}\n\n"
            f"== Moodle: Manage tools > configure a tool manually\n{moodle}\n\n"
            f"== Then tell the assistant about the platform (values from the LMS's tool details), e.g. Moodle's:\n"
            f"{settings_template(base_url)}\n")
