{{- define "fn.greet" -}}hello {{ .Values.name }}{{- end -}}
{{- define "fn.outer" -}}[{{ include "fn.greet" . }}]{{- end -}}
