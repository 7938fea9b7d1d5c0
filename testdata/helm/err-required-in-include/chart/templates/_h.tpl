{{- define "x.req" -}}
{{ required "deep value required" .Values.deep }}
{{- end -}}
