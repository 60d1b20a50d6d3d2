"""
## What it does
Reports ConfigMap keys (`data` and `binaryData`) that hold a secret:

- a key whose name says it is one (a word such as `password`, `passwd`, `secret`,
  `token`, `credentials`, `api-key`, `private_key`, `encryption_key`, also glued to a
  prefix as in `PGPASSWORD`) with a non-empty value, unless its last word says the value
  only describes the secret (`…_path`, `…_file`, `…_dir`, `…-secret-name`, `…_url`,
  `…_ttl`, `…_enabled`);
- any key whose value contains a PEM private key block or a URL with a password
  (`postgres://user:password@host`), whatever its name.

## Why is this bad?
ConfigMaps are not treated as secrets: they are readable by every role that may `get`
ConfigMaps (including the built-in `view` role), are printed by `kubectl describe`, are
not encrypted at rest by the usual EncryptionConfiguration, and end up in logs, bug
reports and GitOps repositories.

## Example
```yaml
kind: ConfigMap
data:
  CERTCTL_DATABASE_URL: "postgres://certctl:hunter2@certctl-postgres:5432/certctl"
  CERTCTL_AUTH_SECRET: "change-me"
```

## Use instead
```yaml
kind: Secret
stringData:
  CERTCTL_AUTH_SECRET: "change-me"
---
kind: ConfigMap
data:
  CERTCTL_DATABASE_URL: "postgres://certctl@certctl-postgres:5432/certctl"   # PGPASSWORD from the Secret
```

## References
- https://kubernetes.io/docs/concepts/configuration/configmap/
- https://kubernetes.io/docs/concepts/security/secrets-good-practices/
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.references import key_path
from chartgen.checks.security.secret_like import names_a_secret, secret_in_value
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="secret-in-configmap",
    code="SEC012",
    scope=Scope.OBJECT,
    kinds=("ConfigMap",),
    description="A ConfigMap holds a password, token, key or other secret.",
    remediation="Move the value into a Secret and read it from there.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    for field in ("data", "binaryData"):
        entries = manifest.obj.get(field)
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            text = _text(value, binary=field == "binaryData")
            held = secret_in_value(text)
            if held:
                problem = f"holds {held}"
            elif text.strip() and names_a_secret(str(key)):
                problem = "has a value and its name says it is a secret"
            else:
                continue
            yield Finding(f'key "{key}" {problem}', path=key_path(field, str(key)))


def _text(value: object, *, binary: bool) -> str:
    if value is None:
        return ""
    if not binary:
        return str(value)
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return str(value)
