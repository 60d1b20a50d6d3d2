"""
## What it does
Reports an object with a `helm.sh/hook` annotation and no usable `helm.sh/hook-delete-policy`:

- the policy annotation is missing (a hook Job with `ttlSecondsAfterFinished` is fine: the
  TTL controller deletes it);
- the policy annotation names no policy Helm knows (`before-hook-creation`, `hook-succeeded`,
  `hook-failed`), for example a misspelt `hook-succeed`.

## Why is this bad?
Hook objects are not part of the release: `helm uninstall` does not delete them. Without a
policy, Helm deletes a hook object only just before the same hook runs again, so a finished
hook Job stays in the cluster with its pods (and their logs and mounted Secrets), also after
the release is gone. With a policy that names nothing Helm knows, Helm never deletes the hook:
its next run fails because the object already exists, which blocks the upgrade.

## Example
```yaml
kind: Job
metadata:
  name: app-migrate
  annotations:
    helm.sh/hook: pre-upgrade
```

## Use instead
```yaml
kind: Job
metadata:
  name: app-migrate
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
```

## References
- https://helm.sh/docs/topics/charts_hooks/#hook-deletion-policies
- https://helm.sh/docs/topics/charts_hooks/#hook-resources-are-not-managed-with-corresponding-releases
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.references import key_path
from chartgen.findings import Finding
from chartgen.manifests import Manifest

HOOK = "helm.sh/hook"
DELETE_POLICY = "helm.sh/hook-delete-policy"
KNOWN_POLICIES = ("before-hook-creation", "hook-succeeded", "hook-failed")
LEFT_BEHIND = {"Job": "the finished Job and its pods stay", "Pod": "the finished Pod stays"}


@check(
    id="hook-without-delete-policy",
    code="REF013",
    scope=Scope.OBJECT,
    description="A Helm hook object has no hook-delete-policy that Helm recognises.",
    remediation="Annotate the hook with helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    obj = manifest.obj
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    kind = str(obj.get("kind", ""))
    if not str(annotations.get(HOOK) or "").strip():
        return
    if DELETE_POLICY not in annotations:
        if kind == "Job" and (obj.get("spec") or {}).get("ttlSecondsAfterFinished") is not None:
            return
        left = LEFT_BEHIND.get(kind, f"the {kind} stays")
        yield Finding(
            f"hook {kind} has no {DELETE_POLICY}: Helm deletes it only just before the hook runs again, "
            f"so {left} in the cluster, also after helm uninstall",
            path=key_path("metadata.annotations", HOOK),
        )
        return
    policy = str(annotations[DELETE_POLICY] or "")
    if not any(part.strip().lower() in KNOWN_POLICIES for part in policy.split(",")):
        known = ", ".join(KNOWN_POLICIES)
        yield Finding(
            f'{DELETE_POLICY} "{policy}" names no policy Helm knows ({known}): Helm never deletes the '
            f"hook {kind}, so the hook's next run fails because it already exists",
            path=key_path("metadata.annotations", DELETE_POLICY),
        )
