#!/bin/sh
# Writes the input.yaml of every Kustomize-mode case under
# testdata/yaml_kustomize/. Run by gen-yaml-cases.sh --inputs.
# Usage: yaml-kustomize-inputs.sh OUTDIR
set -eu
out=${1:?usage: yaml-kustomize-inputs.sh OUTDIR}

# c NAME: input.yaml is standard input, byte for byte.
c() {
	mkdir -p "$out/$1"
	cat > "$out/$1/input.yaml"
}
# p NAME FORMAT [ARG...]: input.yaml is printf's output.
p() {
	n=$1
	shift
	mkdir -p "$out/$n"
	# shellcheck disable=SC2059
	printf "$@" > "$out/$n/input.yaml"
}
rep() {
	i=0
	r=
	while [ "$i" -lt "$1" ]; do r="$r$2"; i=$((i + 1)); done
	printf '%s' "$r"
}
words() {
	w=$(rep $(($1 / 5 + 1)) 'abcd ')
	printf '%s' "$w" | cut -c1-"$1" | sed 's/ $/x/'
}
# cm NAME: a ConfigMap named NAME whose data is standard input (indented).
cm() {
	{
		printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n' "$1"
		sed 's/^/  /'
	} | c "$1"
}
# obj NAME: a custom resource named NAME whose spec is standard input.
obj() {
	{
		printf 'apiVersion: example.com/v1\nkind: Values\nmetadata:\n  name: %s\nspec:\n' "$1"
		sed 's/^/  /'
	} | c "$1"
}

# --- ConfigMap data: strings that need quoting (single-quoted in the input)
for pair in true:"'true'" yes:"'yes'" on:"'on'" y:"'y'" n:"'N'" tilde:"'~'" \
	null:"'null'" int:"'1'" float:"'1.0'" hex:"'0x1F'" octal:"'0777'" \
	octal-o:"'0o17'" exp:"'1e3'" inf:"'.inf'" sexagesimal:"'1:20'" \
	date:"'2001-12-14'" empty:"''" lead-space:"' lead'" trail-space:"'trail '" \
	colon-space:"': '" space-hash:"' #'" dash-space:"'- x'" at:"'@x'" \
	backtick:"'\`x'" percent:"'%x'" bang:"'!x'" amp:"'&x'" star:"'*x'" \
	question:"'?x'" pipe:"'|'" gt:"'>'" single-quote:"''''" \
	double-quote:"'\"'" lbrace:"'{'" lbracket:"'['" comma:"','" hash:"'#x'" \
	equals:"'='" merge:"'<<'" underscore:"'1_000'"; do
	name=${pair%%:*}
	val=${pair#*:}
	printf 'v: %s\n' "$val" | cm "cm-quote-$name"
done

# --- YAML 1.2 typing of plain scalars, as written (in a custom resource)
plain() { # plain NAME TEXT
	printf 'v: %s\n' "$2" | obj "plain-$1"
}
plain yes yes
plain no no
plain on on
plain off Off
plain y y
plain true True
plain false FALSE
plain null null
plain tilde '~'
plain empty ''
plain int 42
plain neg-zero -0
plain float-one 1.0
plain float 1.5
plain exp 1e3
plain exp-upper 1E3
plain octal-o 0o17
plain octal-leading-zero 017
plain octal-08 08
plain hex 0x1F
plain binary 0b101
plain underscore 1_000
plain plus +1
plain e21 1e21
plain e-7 1e-7
plain tenth 0.1
plain int-2p53-plus1 9007199254740993
plain int-max64 9223372036854775807
plain int-2p63 9223372036854775808
plain int-max-u64 18446744073709551615
plain int-2p64 18446744073709551616
plain inf .inf
plain nan .nan
plain date 2001-12-14
plain sexagesimal 1:20
plain trailing-dot 1.
plain lead-dot .5
plain datetime-z 2001-12-14T21:59:43Z
plain datetime-space '2001-12-14 21:59:43.10 -5'
plain datetime-frac 2001-12-14T21:59:43.123456789+02:00
plain date-quoted '"2001-12-14"'
plain version 1.10
plain e-5 1e-5
plain float-big 123456789012345678901234567890.5
plain tilde-key-like '"~"'
printf 'd: 2001-12-14\nq: "2001-12-14"\n' | cm cm-date
printf 'a: 1\nb: 1.5\nc: true\nd: yes\ne: null\n' | cm cm-non-string-data
c plain-list <<'X'
apiVersion: example.com/v1
kind: Values
metadata:
  name: plain-list
spec:
  l: [yes, no, on, 1, 1.0, 1e3, 0o17, 0x1F, 017, 1_000, null, ~, "", true]
X

# --- strings
printf 'v: %s\nw: %s\nx: %s\ny: %s\n' "$(words 79)" "$(words 80)" "$(words 81)" "$(words 200)" | cm cm-long-words
printf 'v: %s\nw: %s\n' "$(rep 81 x)" "$(rep 200 y)" | cm cm-long-nospace
printf 'v: "*%s"\n' "$(words 150)" | cm cm-long-quoted
printf 'v: "%s\\n%s\\n"\n' "$(words 120)" "$(words 100)" | cm cm-long-multiline
printf 'a: "x\\ny"\nb: "x\\ny\\n"\nc: "x\\ny\\n\\n"\nd: " lead\\nx"\ne: "x \\ny"\nf: "\\n"\n' | cm cm-multiline
c cm-block-scalars <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-block-scalars
data:
  literal: |
    line1
      indented
    line3
  strip: |-
    no newline
  keep: |+
    kept

  folded: >
    a
    b

    c
  nginx.conf: |
    server {
        listen 80;
        location / { return 200 "ok\n"; }
    }
X
printf 'a: "caf\\u00e9"\nb: "\\u65e5\\u672c"\nc: "\\U0001F600"\nd: "a\\tb"\ne: "a\\x01b"\nf: "a\\u2028b"\ng: "a\\u00a0b"\nh: "a\\rb"\ni: "a\\u0085b"\n' | cm cm-unicode
printf 'del: "a\\x7fb"\n' | cm cm-ctrl-del
printf 'c1: "a\\x80b"\n' | cm cm-ctrl-c1
printf 'nc: "\\ufffe"\n' | cm cm-noncharacter
printf 'nul: "a\\0b"\n' | cm cm-nul
printf 'a:\n  b:\n    c:\n      v: %s\n      w: %s\n' "$(words 81)" "$(rep 90 x)" | obj long-nested
printf 'v: "%s"\n' "$(rep 30 'ab  ')" | cm cm-long-double-spaces
printf 'a: "a\\/b"\nb: "a\\Nb\\_c"\n' | cm cm-escapes
p cm-raw-utf8 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-raw-utf8\ndata:\n  k: gr\303\274\303\237e \360\237\232\200\n  \303\251: x\n'
c cm-html <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-html
data:
  html: <b>a & b</b>
X

# --- keys, ordering, collections, nulls
c key-order <<'X'
kind: Values
metadata:
  name: key-order
apiVersion: example.com/v1
spec:
  z: 1
  a10: 2
  a2: 3
  B: 4
  a: 5
  _x: 6
  "1": 7
  é: 8
X
c key-bool-like <<'X'
apiVersion: example.com/v1
kind: Values
metadata:
  name: key-bool-like
spec:
  yes: 1
  on: 2
  n: 3
  "true": 4
X
c key-numeric <<'X'
apiVersion: example.com/v1
kind: Values
metadata:
  name: key-numeric
spec:
  "1": a
  "1.5": b
  "0x10": c
X
obj empty-collections <<'X'
m: {}
l: []
n:
  m: {}
  l: [[], {}]
X
obj nulls <<'X'
a:
b: ~
c: null
l: [null, ~, ]
m:
  x:
X
obj lists <<'X'
lol:
- - a
  - b
- []
lom:
- name: a
  value: 1
- {}
indented:
  - x
  - y
X
obj flow-style <<'X'
m: {a: 1, b: [x, y], c: {d: "e"}}
X
obj anchors <<'X'
base: &base
  x: 1
  y: [1, 2]
copy: *base
s: &s str
t: *s
X
obj merge-key <<'X'
base: &base {x: 1, y: 2}
obj:
  <<: *base
  y: 3
X
obj comments <<'X'
# comment
a: 1 # trailing
b: # after key
  c: 2
X
obj deep <<'X'
a: {b: {c: {d: {e: {f: {g: {h: deep}}}}}}}
X
obj tags <<'X'
s: !!str 1
i: !!int "2"
f: !!float 3
X
obj timestamp <<'X'
d: 2001-12-14
t: 2001-12-14T21:59:43.10-05:00
X

# --- streams
c stream-three <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: zz
data:
  a: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: aa
data:
  b: "2"
---
apiVersion: example.com/v1
kind: Values
metadata:
  name: mm
spec:
  c: 3
X
c stream-empty-docs <<'X'
---
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
...
X
c stream-null-doc <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: before
---
null
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: after
X
c stream-leading-comment <<'X'
# leading comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: lc
  labels:
    app: x
  annotations:
    note: "yes"
X
p stream-crlf 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: x\r\n'
c stream-flow-doc <<'X'
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json"}, "data": {"a": "b"}}
X
c deployment <<'X'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args: ["--port=80", "-v", "2"]
        ports:
        - containerPort: 80
          protocol: TCP
        resources:
          limits: {cpu: 500m, memory: 128Mi}
          requests:
            cpu: 0.5
            memory: 1e3
        env:
        - name: A
          value: "true"
X

# --- bad input
c bad-duplicate-key <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: dup
data:
  a: "1"
  a: "2"
X
p bad-tab-indentation 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n'
c bad-unclosed-quote <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: "unclosed
X
p bad-invalid-utf8 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: \377\n'
c bad-undefined-alias <<'X'
apiVersion: v1
kind: ConfigMap
metadata:
  name: alias
data:
  a: *nope
X
