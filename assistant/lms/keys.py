"""The tool's own RSA key: made once (mode 0600) if missing, published as a JWKS, and the seed of the page's
session-cookie secret, so replicas sharing the key file share both."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    public_pem: str
    kid: str

    @classmethod
    def load_or_create(cls, path: Path) -> ToolKey:
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(pem)
        private_pem = path.read_bytes()
        jwk = JWK.from_pem(private_pem)
        public_pem = jwk.export_to_pem().decode()
        return cls(private_pem.decode(), public_pem, jwk.thumbprint())

    def jwks(self) -> dict:
        """The public key as the JWKS platforms fetch to check what the tool signs."""
        public = json.loads(JWK.from_pem(self.public_pem.encode()).export_public())
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def secret(self, purpose: str) -> bytes:
        """A secret for `purpose` derived from the private key (rotating the key changes it too)."""
        return hmac.new(self.private_pem.encode(), purpose.encode(), hashlib.sha256).digest()
