"""What looks like a secret, for the checks that look for secrets outside Secrets
(``secret-in-configmap``, ``secret-in-env-literal``): a name that says so, or a value
that is one whatever its name.
"""

from __future__ import annotations

import re

# A word of the name that says "secret" (words are split at "_", "-", "." and camelCase):
# PGPASSWORD and MYSECRET count, since such names glue the word to a prefix.
_SECRET_WORD = re.compile(
    r"(?:^|_)(?:[a-z0-9]*(?:password|passwd|secret|token|credential)s?"
    r"|api_?keys?|private_?keys?|encryption_?keys?)(?:_|$)"
)
# A last word that says the value is about a secret, not the secret: where it lives
# (CERTCTL_SERVER_TLS_KEY_PATH, tls-secret-name) or how it is handled (TOKEN_TTL).
_DESCRIBING_WORDS = frozenset({"path", "file", "dir", "directory", "name", "ref", "url", "enabled", "ttl"})

_PEM_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
# scheme://user:password@host, unless the password is a $(VAR) or ${VAR} placeholder.
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/:@]*:(?![$][({])[^\s/@]+@", re.I)


def _words(name: str) -> str:
    """``dbPassword`` / ``DB-PASSWORD`` / ``db.password`` → ``db_password``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def names_a_secret(name: str) -> bool:
    """Whether a key or variable name says its value is a secret (see ``_SECRET_WORD``)."""
    normalised = _words(name)
    return bool(_SECRET_WORD.search(normalised)) and normalised.rsplit("_", 1)[-1] not in _DESCRIBING_WORDS


def secret_in_value(value: str) -> str | None:
    """What secret a value holds whatever its name: a PEM private key or a password in a URL."""
    if holds_private_key(value):
        return "a PEM private key"
    if _URL_PASSWORD.search(value):
        return "a URL with a password"
    return None


def holds_private_key(value: str) -> bool:
    """Whether the value contains a PEM private key block (PKCS#1, PKCS#8, EC, OpenSSH, encrypted)."""
    return bool(_PEM_PRIVATE_KEY.search(value))
