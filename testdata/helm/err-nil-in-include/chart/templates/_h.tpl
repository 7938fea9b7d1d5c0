{{- define "x.nil" -}}
{{ .Values.a.b.c }}
{{- end -}}
