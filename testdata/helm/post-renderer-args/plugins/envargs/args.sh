cat
printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: args\ndata:\n  count: "%s"\n' "$#"
i=0
for a in "$@"; do i=$((i+1)); printf '  arg%s: "%s"\n' "$i" "$a"; done
printf '  plugin: "%s"\n' "$HELM_PLUGIN_NAME"
case "$HELM_PLUGIN_DIR" in */plugins/envargs) echo '  dir: ok';; *) echo '  dir: bad';; esac
