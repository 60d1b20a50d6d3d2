{{/*
certctl.migrations.requiredVersion: the first certctl release whose server has --migrate-only
and reads CERTCTL_MIGRATIONS_VIA_HOOK, from chartgen's certctl catalog when the chart was
generated; empty while no release has them.
Usage: {{ include "certctl.migrations.requiredVersion" . }}
*/}}
{{- define "certctl.migrations.requiredVersion" -}}
{{- print "" -}}
{{- end -}}

{{/*
certctl.migrations.validate: fails the render when migrations.viaHook is on and the certctl the
server runs (server.image.tag when it is a version, else the chart's appVersion) cannot run the
hook: without --migrate-only the Job would start a full server and never complete. An operator
running an unreleased certctl build that has the flag says so with migrations.serverHasMigrateOnly.
Usage: {{ include "certctl.migrations.validate" . }}
*/}}
{{- define "certctl.migrations.validate" -}}
{{- if and .Values.migrations.viaHook (not .Values.migrations.serverHasMigrateOnly) -}}
{{- $running := include "certctl.images.defaultTag" . -}}
{{- if regexMatch "^v?[0-9]+\\.[0-9]+\\.[0-9]+$" (toString .Values.server.image.tag) -}}
{{- $running = toString .Values.server.image.tag -}}
{{- end -}}
{{- $needed := include "certctl.migrations.requiredVersion" . -}}
{{- if not $needed -}}
{{- fail (printf "migrations.viaHook needs a certctl release whose server has --migrate-only and reads CERTCTL_MIGRATIONS_VIA_HOOK; no release has them yet (certctl %s does not: they exist only in an unreleased certctl commit). Leave migrations.viaHook false: each server migrates at start-up; or, for a certctl build that has them, set migrations.serverHasMigrateOnly=true." $running) -}}
{{- else if not (semverCompare (printf ">=%s" $needed) $running) -}}
{{- fail (printf "migrations.viaHook needs certctl %s or later (server --migrate-only, CERTCTL_MIGRATIONS_VIA_HOOK); the server runs certctl %s. Set server.image.tag to %s or later, or leave migrations.viaHook false." $needed $running $needed) -}}
{{- end -}}
{{- end -}}
{{- end -}}
