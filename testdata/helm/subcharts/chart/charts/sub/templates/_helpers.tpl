{{- define "shared.name" -}}defined-in-sub{{- end -}}
