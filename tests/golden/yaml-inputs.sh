#!/bin/sh
# Writes the input.yaml of every hand-written Helm-mode case under
# testdata/yaml/ (the corpus-derived cases come from yaml-corpus-cases.py).
# Run by gen-yaml-cases.sh; see there. Usage: yaml-inputs.sh OUTDIR
set -eu
out=${1:?usage: yaml-inputs.sh OUTDIR}

# c NAME: input.yaml is standard input, byte for byte.
c() {
	mkdir -p "$out/$1"
	cat > "$out/$1/input.yaml"
}
# p NAME FORMAT [ARG...]: input.yaml is printf's output (for bytes a
# heredoc cannot hold: tabs, CR, invalid UTF-8, NUL).
p() {
	n=$1
	shift
	mkdir -p "$out/$n"
	# shellcheck disable=SC2059
	printf "$@" > "$out/$n/input.yaml"
}
# rep N STR: STR repeated N times.
rep() {
	i=0
	r=
	while [ "$i" -lt "$1" ]; do r="$r$2"; i=$((i + 1)); done
	printf '%s' "$r"
}
# words N: N characters of "word " text (ending in a letter).
words() {
	w=$(rep $(($1 / 5 + 1)) 'abcd ')
	printf '%s' "$w" | cut -c1-"$1" | sed 's/ $/x/'
}

# --- strings that need quoting, as values (written single-quoted) and as keys
qs() { # qs NAME SINGLE-QUOTED-TEXT
	printf 'v: %s\n' "$2" | c "quote-val-$1"
	printf '%s: v\n' "$2" | c "quote-key-$1"
}
qs true "'true'"
qs false "'False'"
qs yes "'yes'"
qs no "'no'"
qs on "'on'"
qs off "'OFF'"
qs y "'y'"
qs n "'n'"
qs upper-y "'Y'"
qs tilde "'~'"
qs null "'null'"
qs null-upper "'NULL'"
qs int "'1'"
qs neg-int "'-1'"
qs plus-int "'+1'"
qs float "'1.0'"
qs dot5 "'.5'"
qs trailing-dot "'1.'"
qs hex "'0x1F'"
qs octal "'0777'"
qs octal-o "'0o17'"
qs binary "'0b101'"
qs exp "'1e3'"
qs underscore "'1_000'"
qs inf "'.inf'"
qs neg-inf "'-.Inf'"
qs nan "'.NaN'"
qs sexagesimal "'1:20'"
qs sexagesimal3 "'190:20:30'"
qs date "'2001-12-14'"
qs timestamp "'2001-12-14T21:59:43.10-05:00'"
qs empty "''"
qs lead-space "' lead'"
qs trail-space "'trail '"
qs colon-space "': '"
qs colon-end "'x:'"
qs colon-mid "'a: b'"
qs colon-nospace "'a:b'"
qs space-hash "' #'"
qs hash-mid "'a #b'"
qs hash-nospace "'a#b'"
qs dash-space "'- x'"
qs dash "'-'"
qs dash3 "'---'"
qs dots3 "'...'"
qs at "'@x'"
qs backtick "'\`x'"
qs percent "'%x'"
qs bang "'!x'"
qs amp "'&x'"
qs star "'*x'"
qs question "'?x'"
qs question-space "'? x'"
qs pipe "'|'"
qs gt "'>'"
qs single-quote "''''"
qs double-quote "'\"'"
qs lbrace "'{'"
qs rbrace "'}'"
qs lbracket "'['"
qs rbracket "']'"
qs comma "','"
qs comma-mid "'a, b'"
qs hash "'#x'"
qs equals "'='"
qs merge "'<<'"
qs backslash "'a\\b'"
qs html "'<b>&amp;</b>'"
qs url "'http://example.com:8080/a?b=c#d'"
qs space "' '"
qs spaces-inner "'a  b'"
qs version "'1.2.3'"
qs semver-v "'v1.2'"
qs port "'8080:80'"
qs cidr "'10.0.0.0/8'"
qs percent-num "'100%'"
qs star-glob "'*.example.com'"

# --- unicode and special characters (double-quoted escapes in the input)
dq() { # dq NAME DOUBLE-QUOTED-BODY
	printf 'v: "%s"\n' "$2" | c "str-$1"
}
dq latin1 'caf\u00e9'
dq cjk '\u65e5\u672c\u8a9e'
dq emoji '\U0001F600 ok'
dq combining 'e\u0301'
dq nbsp 'a\u00a0b'
dq nel 'a\u0085b'
dq line-sep 'a\u2028b'
dq para-sep 'a\u2029b'
dq bom-inside 'a\ufeffb'
dq zwsp 'a\u200bb'
dq ctrl-01 'a\x01b'
dq ctrl-esc 'a\eb'
dq ctrl-del 'a\x7fb'
dq ctrl-nul 'a\0b'
dq ctrl-bell '\a'
dq ctrl-vt 'a\vb'
dq ctrl-ff 'a\fb'
dq c1-x80 'a\x80b'
dq c1-x9f 'a\u009fb'
dq tab-inner 'a\tb'
dq tab-lead '\tlead'
dq tab-trail 'trail\t'
dq tab-only '\t'
dq cr-inner 'a\rb'
dq crlf-inner 'a\r\nb'
dq cr-trail 'a\r'
dq private-use '\ue000'
dq noncharacter '\ufffe'
dq replacement '\ufffd'
dq astral-cjk '\U00020000'
dq emoji-zwj '\U0001F468\u200d\U0001F469\u200d\U0001F467'
dq escaped-quote 'say \"hi\"'
dq backslash-only '\\'
dq slash-escape 'a\/b'
p str-raw-tab 'v: a\tb\n'
p str-raw-utf8 'v: gr\303\274\303\237e\n'
p str-raw-emoji 'v: \360\237\232\200 rocket\n'
p str-emoji-key '\360\237\230\200: smile\n'
p str-unicode-keys 'z: 1\n\303\251: 2\na: 3\nZ: 4\n\346\227\245: 5\n'
p file-bom '\357\273\277a: 1\n'
p file-crlf 'a: 1\r\nb:\r\n  c: x\r\n  d: |\r\n    l1\r\n    l2\r\n'
p file-cr-only 'a: 1\rb: 2\r'
p file-no-final-newline 'a: 1\nb: two'
p str-plain-trailing-tab 'v: x\t\n'

# --- long strings: 79/80/81/200 columns, with and without spaces, at two depths
for n in 40 60 79 80 81 82 100 120 200; do
	printf 'v: %s\n' "$(words $n)" | c "long-words-$n"
	printf 'v: %s\n' "$(rep $n x)" | c "long-nospace-$n"
done
for n in 79 80 81 200; do
	printf 'a:\n  b:\n    c:\n      v: %s\n' "$(words $n)" | c "long-words-nested-$n"
	printf 'a:\n  b:\n    c:\n      v: %s\n' "$(rep $n y)" | c "long-nospace-nested-$n"
	printf 'l:\n- - %s\n' "$(words $n)" | c "long-words-in-list-$n"
done
printf 'v: "*%s"\n' "$(words 150)" | c long-words-quoted-star
printf 'v: "%s "\n' "$(words 150)" | c long-words-trailing-space
printf "v: '%s'\n" "$(rep 30 'ab  ')" | c long-double-spaces
printf "v: '%s'\n" "$(rep 30 'ab   c ')" | c long-triple-spaces
printf 'v: "%s\\n%s"\n' "$(words 120)" "$(words 120)" | c long-multiline
printf 'v: "%s\\t%s"\n' "$(words 60)" "$(words 60)" | c long-with-tab
printf 'v: "%s\\u00e9%s"\n' "$(words 60)" "$(words 60)" | c long-with-unicode
printf 'v: "%s"\n' "$(rep 40 '\u00e9 ')" | c long-unicode-words
printf '%s: v\n' "$(words 130)" | c long-key-130
printf '%s: v\n' "$(rep 129 k)" | c long-key-nospace-129
printf '%s: v\n' "$(rep 128 k)" | c long-key-nospace-128
printf 'v: %s\n' "$(rep 20 'http://example.com/a/b/c ')" | c long-urls
printf 'v: "%s"\n' "$(words 100 | tr ' ' '-')x - y $(words 60)" | c long-dash-space

# --- multi-line strings
dq ml-two-lines 'a\nb'
dq ml-trailing-nl 'a\nb\n'
dq ml-two-trailing-nl 'a\nb\n\n'
dq ml-only-nl '\n'
dq ml-lead-nl '\na'
dq ml-lead-space ' lead\nb\n'
dq ml-second-indented 'a\n  b\n'
dq ml-trailing-space-line 'a \nb\n'
dq ml-tab-line 'a\tb\nc\n'
dq ml-crlf 'a\r\nb\r\n'
dq ml-empty-lines 'a\n\n\nb'
dq ml-hash-line '# comment\nx: 1\n'
dq ml-dash-line '- item\n- item2\n'
dq ml-unicode 'caf\u00e9\n\U0001F600\n'
dq ml-ctrl 'a\x01\nb'
dq ml-space-only-line 'a\n \nb\n'
dq ml-trailing-spaces-end 'a\nb  '
dq ml-nl-space-end 'a\n '
c ml-nested-config <<'X'
config:
  server:
    conf: |
      [SERVICE]
          Flush 1
          Log_Level info

      [INPUT]
          Name tail
    script: "#!/bin/sh\necho hi\n"
X
printf 'v: "%s\\n%s\\n"\n' "$(words 100)" "$(rep 100 z)" | c ml-long-lines
printf 'l:\n- "a\\nb\\n"\n- - "c\\nd"\n' | c ml-in-lists

# --- block scalars in the input: every chomping and indentation indicator
c block-literal <<'X'
v: |
  line1
  line2
X
c block-literal-strip <<'X'
v: |-
  line1
  line2


X
c block-literal-keep <<'X'
v: |+
  line1
  line2


k: 1
X
c block-literal-indent <<'X'
v: |2
    indented
  base
X
c block-literal-strip-indent <<'X'
v: |-2
    x
  y
X
c block-literal-keep-indent <<'X'
v: |+1
  a
 b

X
c block-literal-empty <<'X'
v: |
k: 1
X
c block-literal-only-blank <<'X'
v: |+

k: 1
X
c block-folded <<'X'
v: >
  folded
  text

  para
X
c block-folded-strip <<'X'
v: >-
  folded
  text
X
c block-folded-keep <<'X'
v: >+
  folded
  text

X
c block-folded-more-indented <<'X'
v: >
  a
    b more
  c

  d
X
c block-folded-indent <<'X'
v: >2
   lead
  x
X
c block-literal-trailing-spaces <<'X'
v: |
  a  
  b
X
c block-literal-lead-blank <<'X'
v: |

  after blank
X
c block-literal-comment <<'X'
v: | # a comment
  text # not a comment
# a real comment
k: 2
X
c block-literal-in-list <<'X'
l:
- |
  one
  two
- >-
  three
  four
X
c block-literal-long-lines <<X
v: |
  $(words 120)
  $(rep 100 q)
X

# --- numbers
num() { # num NAME TEXT
	printf 'v: %s\n' "$2" | c "num-$1"
}
num zero 0
num neg-zero -0
num neg-zero-float -0.0
num one 1
num neg -42
num plus +7
num float 1.5
num float-one 1.0
num float-trailing-dot 1.
num float-lead-dot .5
num float-tenth 0.1
num float-sum 0.30000000000000004
num pi 3.14159265358979323846
num million 1000000
num e6 1e6
num e6-upper 1E6
num e6-plus 1e+6
num e20 1e20
num e21 1e21
num e22 1.5e22
num e-5 1e-5
num e-6 1e-6
num e-7 1e-7
num small 0.000001
num smaller 0.0000001
num max-float 1.7976931348623157e308
num min-float 5e-324
num overflow-float 1e400
num int-2p53 9007199254740992
num int-2p53-plus1 9007199254740993
num int-max64 9223372036854775807
num int-min64 -9223372036854775808
num int-2p63 9223372036854775808
num int-max-u64 18446744073709551615
num int-2p64 18446744073709551616
num int-huge 123456789012345678901234567890
num int-17-digits 12345678901234567
num octal 0777
num octal-8 08
num octal-o 0o17
num hex 0x1F
num hex-upper 0X1f
num hex-neg -0x10
num binary 0b1010
num underscore 1_000
num underscore-float 1_000.5
num inf .inf
num inf-upper .Inf
num neg-inf -.inf
num plus-inf +.inf
num nan .nan
num nan-upper .NaN
num sexagesimal 190:20:30
num sexagesimal-float 20:30.15
num exp-float 6.8523015e+5
num port 8080
num version 1.20
num version3 1.2.3
num leading-zeros-float 00.5
num int-as-float-big 123456789
num float-big-int 1234567890123.0
c num-list <<'X'
l: [0, 1, -1, 1.5, 1e6, 1e21, 1e-7, 0x10, 0o10, 010, 1_0, 2.5e-3]
X
c num-keys <<'X'
1: one
2.5: two-and-half
0x10: hex
010: octal
-1: neg
1e3: exp
X

# --- booleans: every spelling
for b in true True TRUE false False FALSE yes Yes YES no No NO on On ON off Off OFF y Y n N tRuE yEs; do
	printf 'v: %s\n' "$b" | c "bool-$b"
done
for b in yes on no off y n true null '~'; do
	name=$b
	[ "$b" = '~' ] && name=tilde
	printf '%s: v\n' "$b" | c "bool-key-$name"
done
c bool-list <<'X'
l: [yes, no, on, off, y, n, true, false, Yes, OFF]
X
c bool-key-mixed <<'X'
yes: 1
"yes": 2
no: 3
on: 4
true: 5
X

# --- keys
c key-order-digits <<'X'
a10: 1
a2: 2
a1: 3
a: 4
b: 5
a20: 6
X
c key-order-case <<'X'
b: 1
B: 2
a: 3
A: 4
_x: 5
-x: 6
.x: 7
"1": 8
"~x": 9
X
c key-order-nested <<'X'
z:
  y: 1
  x: 2
a:
  c: [3, {q: 1, p: 2}]
  b: 4
X
c key-null <<'X'
~: a
b: 2
X
c key-null-word <<'X'
null: a
X
c key-empty <<'X'
"": empty
a: 1
X
c key-quoted <<'X'
"a b": 1
'c:d': 2
"e: f": 3
"- g": 4
"#h": 5
"i #j": 6
X
c key-spaces <<'X'
key with spaces: 1
X
c key-special-chars <<'X'
app.kubernetes.io/name: x
nginx.ingress.kubernetes.io/rewrite-target: /$2
"prometheus.io/scrape": "true"
X
c key-numeric-string <<'X'
"1": a
"01": b
"1.0": c
X
c key-float <<'X'
1.5: a
X
c key-complex <<'X'
? a
: b
? |
  block key
: c
X
c key-flow-map <<'X'
{a: 1}: x
X
c key-flow-seq <<'X'
[a, b]: x
X
c key-unicode-order <<'X'
ä: 1
z: 2
Ω: 3
A: 4
X
c key-dup-quoted-unquoted <<'X'
a: 1
"a": 2
X

# --- collections and nulls
c map-empty-flow <<'X'
m: {}
X
c list-empty-flow <<'X'
l: []
X
c empty-nested <<'X'
a:
  b: {}
  c: []
  d:
    e: {}
X
c list-of-lists <<'X'
l:
- - a
  - b
- - - c
- []
X
c list-of-maps <<'X'
l:
- name: a
  value: "1"
- name: b
  valueFrom:
    secretKeyRef:
      name: s
      key: k
- {}
X
c list-of-empty-maps <<'X'
l: [{}, {}]
X
c list-mixed <<'X'
l: [1, "two", 3.0, true, null, {a: 1}, [b]]
X
c list-indented <<'X'
l:
  - a
  - b:
      c: 1
  -   d
X
c list-compact-nested <<'X'
l:
- a: 1
  b:
  - c
  - d: [e]
X
c map-in-list-in-map <<'X'
a:
  b:
  - c:
      d:
      - e: f
X
c null-values <<'X'
a:
b: ~
c: null
d: Null
e: NULL
X
c null-in-list <<'X'
l:
-
- ~
- null
- a
X
c null-nested <<'X'
a:
  b:
  c:
    d: ~
X
c null-tagged <<'X'
a: !!null ""
X
c deep-nesting <<'X'
a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: {l: {m: {n: {o: {p: {q: {r: {s: {t: deep}}}}}}}}}}}}}}}}}}}
X
c deep-list-nesting <<'X'
a: [[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]
X
c file-empty <<'X'
X
c file-only-comments <<'X'
# nothing here
# at all
X
c file-only-doc-start <<'X'
---
X
c file-flow-empty-map <<'X'
{}
X
c file-doc-start <<'X'
---
a: 1
X
c file-doc-end <<'X'
a: 1
...
X
c file-doc-start-comment <<'X'
--- # comment
a: 1
X
c file-two-docs <<'X'
a: 1
---
b: 2
X
c file-docs-override <<'X'
a:
  x: 1
  y: [1, 2]
b: keep
---
a:
  y: [3]
  z: 4
---
---
c: 5
X
c file-docs-null-then-map <<'X'
~
---
a: 1
X
c file-docs-map-then-scalar <<'X'
a: 1
---
just text
X
c file-docs-anchor-across <<'X'
a: &x 1
---
b: *x
X
c file-docs-sep-with-content <<'X'
a: 1
--- {b: 2}
X
c file-docs-sep-trailing-space <<'X'
a: 1
---   
b: 2
X
c file-docs-sep-four-dashes <<'X'
a: 1
----
b: 2
X
c file-docs-sep-no-space <<'X'
a: 1
---b: 2
X
c file-docs-sep-in-quoted <<'X'
a: "x
---
y"
X
c file-docs-sep-in-block <<'X'
a: |
  x
  ---
  y
b: 2
X
c file-docs-end-marker-then-doc <<'X'
a: 1
...
---
b: 2
X
c file-docs-list-merge <<'X'
l: [1, 2]
m: {k: [a]}
---
l: [3]
m: {k: [b]}
X
c file-docs-map-replaces-scalar <<'X'
a: 1
b: {x: 1}
---
a: {y: 2}
b: 3
X
c file-docs-null-value-override <<'X'
a: {x: 1}
---
a: null
X
c file-second-doc-empty <<'X'
a: 1
---
X
c file-directive <<'X'
%YAML 1.1
---
a: 1
X
c file-tag-directive <<'X'
%TAG ! tag:example.com,2000:
---
a: 1
X
c file-null-doc <<'X'
null
X
c file-tilde-doc <<'X'
~
X

# --- anchors, aliases, merge keys
c anchor-scalar <<'X'
a: &x hello
b: *x
X
c anchor-map <<'X'
base: &base
  x: 1
  y: [1, 2]
copy: *base
X
c anchor-list <<'X'
a: &l [1, 2]
b: *l
c: [*l, *l]
X
c merge-key <<'X'
base: &base
  x: 1
  y: 2
obj:
  <<: *base
  y: 3
  z: 4
X
c merge-key-list <<'X'
a: &a {x: 1, y: 1}
b: &b {y: 2, z: 2}
c:
  <<: [*a, *b]
  w: 0
X
c merge-key-inline <<'X'
obj:
  <<: {a: 1, b: 2}
  b: 3
X
c merge-key-nested <<'X'
d1: &d1 {a: 1}
d2: &d2
  <<: *d1
  b: 2
d3:
  <<: *d2
  c: 3
X
c merge-key-quoted <<'X'
obj:
  "<<": {a: 1}
X
c anchor-redefined <<'X'
a: &x 1
b: *x
c: &x 2
d: *x
X
c anchor-on-key <<'X'
&k key: v
other: *k
X
c anchor-in-list <<'X'
l:
- &i item
- *i
X
c anchor-empty-value <<'X'
a: &n
b: *n
X

# --- flow style input
c flow-map <<'X'
m: {a: 1, b: two, c: [x, y], d: {e: null}}
X
c flow-multiline <<'X'
m: {
  a: 1,
  b: [
    2,
    3,
  ],
}
X
c flow-quoted <<'X'
m: {"a": "x, y", 'b': 'it''s'}
X
c flow-top <<'X'
{a: 1, b: [c, d]}
X
c flow-single-pair <<'X'
l: [a: 1, b: 2]
X
c flow-empty-value <<'X'
m: {a, b: }
X
c flow-json <<'X'
{"a": {"b": [1, 2.5, true, null, "s"]}, "c": "d"}
X

# --- comments
c comments-everywhere <<'X'
# head
a: 1 # trailing
# between
b: # after key
  c: 2 # nested
  # indented
l: # list
- x # item
- y
# tail
X
c comment-hash-in-string <<'X'
a: "x # y"
b: x#y
c: 'z # q'
X

# --- plain scalars spanning lines, quoted scalar folding
c plain-multiline <<'X'
v: a
  b
  c

  d
X
c quoted-multiline <<'X'
v: "a
  b\
  c"
w: 'x

  y'
X

# --- tags
c tag-str-int <<'X'
v: !!str 1
X
c tag-str-bool <<'X'
v: !!str yes
X
c tag-int-quoted <<'X'
v: !!int "12"
X
c tag-float-int <<'X'
v: !!float 1
X
c tag-bool <<'X'
v: !!bool true
X
c tag-binary <<'X'
v: !!binary aGVsbG8=
X
c tag-custom <<'X'
v: !custom value
X
c tag-seq-map <<'X'
v: !!map {a: !!seq [1]}
X
c tag-timestamp <<'X'
v: !!timestamp 2001-12-14
X
c timestamp-plain <<'X'
d: 2001-12-14
t: 2001-12-14t21:59:43.10-05:00
s: 2001-12-14 21:59:43.10 -5
X

# --- values files shaped like real charts
c chart-image <<'X'
image:
  repository: nginx
  tag: "1.25"
  pullPolicy: IfNotPresent
  digest: ""
X
c chart-resources <<'X'
resources:
  limits:
    cpu: 100m
    memory: 128Mi
  requests:
    cpu: 0.5
    memory: 1Gi
X
c chart-tolerations <<'X'
tolerations:
- key: "node-role.kubernetes.io/control-plane"
  operator: Exists
  effect: NoSchedule
- key: dedicated
  operator: Equal
  value: "true"
  tolerationSeconds: 3600
X
c chart-env <<'X'
env:
- name: PORT
  value: "8080"
- name: DEBUG
  value: "false"
- name: EMPTY
  value: ""
args:
- --log-level=debug
- "--flag"
- -v=2
X
c chart-annotations <<'X'
annotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: "9090"
  nginx.ingress.kubernetes.io/configuration-snippet: |
    more_set_headers "X-Frame-Options: DENY";
X
c chart-probe <<'X'
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  initialDelaySeconds: 10
  periodSeconds: 5
  timeoutSeconds: 1
  failureThreshold: 3
X

# --- escapes and separators where libyaml and go-yaml might part ways
dq esc-yaml11 'a\Nb\_c\Ld\Pe'
dq esc-space 'a\ b'
dq esc-hex-bad-x 'a\xZZ'
dq esc-u-surrogate '\ud800'
p sep-tab-after-colon 'a:\t1\nb: x\t# comment\n'
p sep-tab-after-dash 'l:\n- \tx\n'
p key-long-1024 '%s: v\n' "$(rep 1025 k)"
c key-implicit-multiline <<'X'
"a
  b": 1
X

# --- limits: deep nesting and alias expansion
printf 'a: %s1%s\n' "$(rep 1001 '[')" "$(rep 1001 ']')" | c limit-depth-1001
printf 'a: %s1%s\n' "$(rep 10001 '[')" "$(rep 10001 ']')" | c limit-depth-10001
{
	printf 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
	for pair in b:a c:b d:c e:d f:e g:f h:g i:h; do
		l=${pair%:*}
		q=${pair#*:}
		printf '%s: &%s [%s]\n' "$l" "$l" "$(rep 9 "*$q,")*$q"
	done
} | c limit-alias-bomb
{
	printf 'a: &a [x, x, x, x]\n'
	printf 'b: &b [*a, *a, *a, *a]\n'
	printf 'c: [*b, *b, *b, *b]\n'
} | c limit-alias-small

# --- bad input (Helm rejects these)
c bad-unclosed-double-quote <<'X'
a: "unclosed
b: 2
X
c bad-unclosed-single-quote <<'X'
a: 'unclosed
X
c bad-indentation <<'X'
a:
    b: 1
  c: 2
X
p bad-tab-indentation 'a:\n\tb: 1\n'
c bad-top-level-list <<'X'
- a
- b
X
c bad-top-level-scalar <<'X'
just a string
X
c bad-top-level-int <<'X'
42
X
c bad-top-level-bool <<'X'
true
X
c dup-key-last-wins <<'X'
a: 1
a: 2
X
c dup-key-nested-y-is-true <<'X'
m:
  x: 1
  y: 2
  x: 3
X
c bad-undefined-alias <<'X'
a: *nope
X
c bad-recursive-alias <<'X'
a: &a [*a]
X
p bad-invalid-utf8 'a: \377\376\n'
p bad-invalid-utf8-key '\300: 1\n'
p bad-truncated-utf8 'a: caf\303\n'
p bad-nul-byte 'a: 1\0b: 2\n'
c bad-unclosed-flow-map <<'X'
a: {b: 1
X
c bad-unclosed-flow-seq <<'X'
a: [1, 2
X
c bad-stray-bracket <<'X'
a: ]
X
c bad-mapping-in-plain <<'X'
a: b: c
X
c bad-continuation <<'X'
a:
  - b
  c: d
X
c bad-binary-tag <<'X'
a: !!binary "not base64!"
X
c bad-int-tag <<'X'
a: !!int abc
X
c bad-merge-scalar <<'X'
a:
  <<: 1
X
c bad-block-indent-indicator <<'X'
a: |0
  x
X
c bad-anchor-no-name <<'X'
a: & 1
X
c bad-tag-directive-unknown <<'X'
a: !e!x 1
X
c bad-nan-value <<'X'
a: .nan
X
c bad-doc-then-list <<'X'
a: 1
---
- b
X
