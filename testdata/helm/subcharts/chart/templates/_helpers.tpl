{{- define "shared.name" -}}defined-in-parent{{- end -}}
