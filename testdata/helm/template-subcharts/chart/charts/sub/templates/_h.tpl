{{- define "sub.helper" -}}{{ .Template.Name }}{{- end -}}
