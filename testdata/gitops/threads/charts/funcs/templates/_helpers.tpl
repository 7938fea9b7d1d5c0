{{- define "funcs.name" -}}
{{ .Release.Name | trunc 20 | trimSuffix "-" }}
{{- end -}}
