"""Random Go-template cases for the differential fuzzer (tmpl_difffuzz.py).

A case is a template text plus the tag of each of its statements. Statements
are separated by a marker line (MARK % k) so the driver can tell which one
produced the first difference. All cases of one batch share one values
document (gen_values), since one helm run renders one chart with one values
file. Everything is drawn from a random.Random, so a seed replays a run.

Kinds of argument the generator knows:
  S string   I int   C small count (never huge: repeat/until/indent would
  allocate without bound in Go)   F float   N any number   B bool   L list
  M map   R regex   A anything   T time (from toDate)   V version string
"""

import json
import random

MARK = "\n@@%d@@\n"

# ---------------------------------------------------------------- values

KEYS = ["a", "b", "name", "list", "m", "x", "y", "n", "f", "s", "t", "empty",
        "Key", "k-dash", "k_u", "nested", "zero", "neg"]
STRINGS = ["", "a", "abc", "Hello World", "hello-world_foo bar", " spaced ",
           "quo\"te", "it's", "back\\slash", "tab\there", "new\nline", "é",
           "naïve café", "日本語", "😀x", "Ünïcödé ÄÖ", "12", "-7", "1.5",
           "1e3", "0x1F", "true", "false", "null", "~", "yes", "a,b,c",
           "a.b.c", "foo/bar/baz.txt", "/abs/path/", "../x/./y",
           "http://user:pw@host:8080/p/a?q=1&r=2#frag", "1.2.3", "v2.0.0-rc.1+b5",
           ">=1.0.0", "2024-03-05", "   ", "%d %s", "<b>&amp;</b>", "x{{y}}",
           "camelCaseString", "snake_case_here", "ALLCAPS", "a b  c",
           "\u00a0nbsp", "ǅungla", "ß", "İstanbul", "ﬃ", "dGVzdA==", "MFRGGZDFMZTWQ2LK",
           "{\"a\":1,\"b\":[1,2]}", "[1,2,3]", "not json"]
NUMBERS = [0, 1, 2, 3, -1, -7, 0.5, 1.5, 2.5, -2.5, 3.14159, 1e-7, 1e21, 1e20,
           100000, 123456.789, 1e100, 0.1, 255, 42, 7, 10, -0.0, 1e6, 65,
           9007199254740993, 0.30000000000000004, 5e-324, 1.7976931348623157e308]
SMALLNUM = [0, 1, 2, 3, -1, 5, 7, 10, 0.5, 1.5, 2.5, -2.5]


def gen_values(r):
    """A random values document (a dict) and the list of its paths."""
    def scalar():
        c = r.random()
        if c < 0.4:
            return r.choice(STRINGS)
        if c < 0.75:
            return r.choice(NUMBERS)
        if c < 0.9:
            return r.choice([True, False])
        return None

    def node(depth):
        c = r.random()
        if depth > 2 or c < 0.55:
            return scalar()
        if c < 0.75:
            return [node(depth + 1) for _ in range(r.randint(0, 4))]
        return {r.choice(KEYS): node(depth + 1) for _ in range(r.randint(0, 4))}

    vals = {}
    for k in KEYS:
        if r.random() < 0.7:
            vals[k] = node(0)
    # some fixed shapes so that every batch has each kind somewhere
    vals["str"] = r.choice(STRINGS)
    vals["num"] = r.choice(NUMBERS)
    vals["small"] = r.choice(SMALLNUM)
    vals["int"] = r.choice([0, 1, 2, 3, 4, 5])
    vals["flag"] = r.choice([True, False])
    vals["lst"] = [scalar() for _ in range(r.randint(0, 5))]
    vals["strs"] = [r.choice(STRINGS) for _ in range(r.randint(0, 4))]
    vals["nums"] = [r.choice(SMALLNUM) for _ in range(r.randint(0, 4))]
    vals["map"] = {r.choice(KEYS): scalar() for _ in range(r.randint(0, 4))}
    vals["deep"] = {"a": {"b": {"c": scalar()}}, "l": [{"x": scalar()}]}
    vals["nil"] = None
    return vals


def paths_of(vals):
    """[(path, pyvalue)] for every field reachable by .Values.a.b chains."""
    out = []

    def walk(v, path):
        out.append((path, v))
        if isinstance(v, dict):
            for k, e in v.items():
                if k.replace("_", "a").isalnum() and not k[0].isdigit():
                    walk(e, path + "." + k)
    walk(vals, ".Values")
    return out


# ---------------------------------------------------------------- signatures

# name: (argument kinds, weight). A trailing '*' repeats the previous kind
# 0..3 times. Non-deterministic functions appear only in deterministic forms
# (see SPECIAL).
SIGS = {
    # strings
    "abbrev": "CS", "abbrevboth": "CCS", "trunc": "CS", "trim": "S", "upper": "S",
    "lower": "S", "title": "S", "untitle": "S", "substr": "CCS", "repeat": "CS",
    "trimAll": "SS", "trimall": "SS", "trimSuffix": "SS", "trimPrefix": "SS",
    "nospace": "S", "initials": "S", "wrap": "CS", "wrapWith": "CSS",
    "contains": "SS", "hasPrefix": "SS", "hasSuffix": "SS", "quote": "A*",
    "squote": "A*", "cat": "A*", "indent": "CS", "nindent": "CS",
    "replace": "SSS", "plural": "SSN", "snakecase": "S", "camelcase": "S",
    "kebabcase": "S", "swapcase": "S", "split": "SS", "splitList": "SS",
    "splitn": "SCS", "toStrings": "A", "join": "SA", "sortAlpha": "A",
    # conversions
    "atoi": "S", "int": "A", "int64": "A", "float64": "A", "toString": "A",
    "toDecimal": "A", "seq": "CC*",
    # math
    "add1": "N", "add": "NN*", "sub": "NN", "div": "NN", "mod": "NN",
    "mul": "NN*", "add1f": "N", "addf": "NN*", "subf": "NN*", "divf": "NN*",
    "mulf": "NN*", "max": "NN*", "min": "NN*", "maxf": "NN*", "minf": "NN*",
    "biggest": "NN*", "ceil": "N", "floor": "N", "round": "NC",
    "until": "C", "untilStep": "CCC",
    # defaults
    "default": "AA", "empty": "A", "coalesce": "A*", "all": "A*", "any": "A*",
    "compact": "L", "mustCompact": "L", "ternary": "AAB", "fromJson": "S",
    "toJson": "A", "toPrettyJson": "A", "toRawJson": "A", "mustFromJson": "S",
    "mustToJson": "A", "mustToPrettyJson": "A", "mustToRawJson": "A",
    "deepCopy": "A", "mustDeepCopy": "A",
    # reflect
    "typeOf": "A", "typeIs": "SA", "typeIsLike": "SA", "kindOf": "A",
    "kindIs": "SA", "deepEqual": "AA",
    # paths
    "base": "S", "dir": "S", "clean": "S", "ext": "S", "isAbs": "S",
    "osBase": "S", "osDir": "S", "osClean": "S", "osExt": "S", "osIsAbs": "S",
    "urlParse": "S", "urlJoin": "M",
    # encoding
    "b64enc": "S", "b64dec": "S", "b32enc": "S", "b32dec": "S",
    # crypto (deterministic ones)
    "sha1sum": "S", "sha256sum": "S", "sha512sum": "S", "adler32sum": "S",
    # lists
    "tuple": "A*", "list": "A*", "append": "LA", "push": "LA", "prepend": "LA",
    "mustAppend": "LA", "mustPrepend": "LA", "mustPush": "LA",
    "first": "L", "mustFirst": "L", "rest": "L", "mustRest": "L", "last": "L",
    "mustLast": "L", "initial": "L", "mustInitial": "L", "reverse": "L",
    "mustReverse": "L", "uniq": "L", "mustUniq": "L", "without": "LA*",
    "mustWithout": "LA*", "has": "AL", "mustHas": "AL", "slice": "LC*",
    "mustSlice": "LC*", "concat": "LL*", "chunk": "CL", "mustChunk": "CL",
    # dicts
    "dict": "SA*", "get": "MS", "set": "MSA", "unset": "MS", "hasKey": "MS",
    "pluck": "SM*", "keys": "MM*", "pick": "MS*", "omit": "MS*",
    "merge": "MM*", "mergeOverwrite": "MM*", "mustMerge": "MM*",
    "mustMergeOverwrite": "MM*", "values": "M", "dig": "SSAM",
    # regex
    "regexMatch": "RS", "mustRegexMatch": "RS", "regexFind": "RS",
    "mustRegexFind": "RS", "regexFindAll": "RSC", "mustRegexFindAll": "RSC",
    "regexReplaceAll": "RSS", "mustRegexReplaceAll": "RSS",
    "regexReplaceAllLiteral": "RSS", "mustRegexReplaceAllLiteral": "RSS",
    "regexSplit": "RSC", "mustRegexSplit": "RSC", "regexQuoteMeta": "S",
    # semver
    "semverCompare": "VV", "semver": "V",
    # dates (deterministic inputs only)
    "date": "DT", "dateInZone": "DTZ", "date_in_zone": "DTZ", "htmlDate": "T",
    "htmlDateInZone": "TZ", "toDate": "DS", "mustToDate": "DS",
    "dateModify": "ST", "mustDateModify": "ST", "date_modify": "ST",
    "duration": "A", "durationRound": "A", "unixEpoch": "T",
    # Go builtins
    "len": "A", "index": "AA*", "not": "A", "and": "AA*", "or": "AA*",
    "print": "A*", "println": "A*", "html": "A*", "js": "A*", "urlquery": "A*",
    "eq": "AA*", "ne": "AA", "lt": "AA", "le": "AA", "gt": "AA", "ge": "AA",
}

# Forms that use non-deterministic functions deterministically, or need
# special arguments.
SPECIAL = [
    ("randAlpha", "len (randAlpha {C})"), ("randAlphaNum", "len (randAlphaNum {C})"),
    ("randAscii", "len (randAscii {C})"), ("randNumeric", "len (randNumeric {C})"),
    ("randBytes", "len (randBytes {C})"), ("randInt", "randInt {I} (add1 {I0})"),
    ("randInt", "randInt 5 6"), ("uuidv4", "len uuidv4"), ("shuffle", "len (shuffle {S})"),
    ("encryptAES", "decryptAES {K} (encryptAES {K} {S})"),
    ("decryptAES", "decryptAES {S} {S}"),
    ("semver", "(semver {V}).{SEMF}"), ("urlParse", "(urlParse {S}).{URLF}"),
    ("toDate", "toDate \"2006-01-02\" {DSTR} | date {D}"),
    ("printf", None), ("call", "call {A} {A}"), ("slice", "slice {S} {C} {C}"),
    ("index", "index {M} {S}"), ("index", "index {L} {C}"),
    ("len", "len {L}"), ("typeOf", "typeOf {A}"), ("kindOf", "kindOf {A}"),
]

SEMF = ["Major", "Minor", "Patch", "Prerelease", "Metadata", "Original", "String",
        "IncMajor", "IncPatch", "Minor | add 1", "Nope"]
URLF = ["scheme", "host", "hostname", "path", "query", "opaque", "fragment", "userinfo"]
DATEFMTS = ["\"2006-01-02\"", "\"2006-01-02T15:04:05Z07:00\"", "\"Jan 2, 2006 at 3:04pm (MST)\"",
            "\"Mon Jan _2 15:04:05.000000 2006\"", "\"06/1/2 3PM -0700\"", "\"\"", "\"15:04:05.999999999\"",
            "\"Monday January\"", "\"2006-01-02 15:04:05.00 Z0700\""]
DATESTRS = ["\"2024-03-05\"", "\"1999-12-31\"", "\"2024-02-30\"", "\"not a date\"", "\"0001-01-01\"",
            "\"2038-01-19\""]
ZONES = ["\"UTC\"", "\"America/New_York\"", "\"Europe/Berlin\"", "\"Asia/Kolkata\"", "\"Nowhere/City\"",
         "\"\"", "\"Local\""]
DURS = ["\"1h30m\"", "\"-1.5h\"", "\"90s\"", "\"2h45m30.5s\"", "\"1d\"", "\"300ms\"", "\"\""]
MODS = ["\"1h\"", "\"-30m\"", "\"1.5h\"", "\"24h\"", "\"bad\"", "\"-1h2m3s\""]
REGEXES = ["a+", "[a-z]+", "^a", "(\\\\w+)@(\\\\w+)", "\\\\d+", "(a)(b)?", "x*", "", ".", "[",
           "(?i)hello", "a|b|c", "(?P<first>\\\\w+) (?P<last>\\\\w+)", "\\\\s+", "[^,]+", "é+", "\\\\pL+",
           "a{2,3}", "(?m)^\\\\w", "\\\\bfoo\\\\b", "(a*)*", "\\\\1", "(?=x)", "[[:alpha:]]+", "\\\\Qa.b\\\\E",
           "$", "^", "(?s).+", "[\\\\p{Greek}]", "a.c", "\\\\z"]
REPLS = ["\"X\"", "\"${1}\"", "\"$1W\"", "\"$first\"", "\"${last} ${first}\"", "\"$$\"", "\"\"", "\"<$0>\""]
VERSIONS = ["\"1.2.3\"", "\"v1.2.3\"", "\"1.2\"", "\"1\"", "\"1.2.3-beta.1\"", "\"1.2.3+build.5\"",
            "\">=1.2.0\"", "\"^1.2\"", "\"~1.2.3\"", "\"1.x\"", "\"*\"", "\"<2.0.0 >1.0\"", "\"1.2.3 || 2.0.0\"",
            "\"bad\"", "\"\"", "\"01.2.3\"", "\"1.2.3-0\"", "\">= 1.0, < 2\"", "\"!=1.2.3\"", "\"1.2.3-alpha\""]

# no %p: addresses differ from run to run
PRINTF_VERBS = "vvvdsqxXofeEgGtTcUb%"

# Functions that change the map they are given. Helm renders every template
# of a chart with the same .Values, so a case using them must not share a
# helm run with cases rendered after it (the driver sees to that).
MUTATORS = ("set", "unset", "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite")
PRINTF_FLAGS = ["", "", "", "+", "-", "#", " ", "0", "-0", "+0", "#0"]


def q(s):
    """A Go interpreted string literal for s."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\t':
            out.append('\\t')
        elif o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class CaseGen:
    def __init__(self, r, vals, case_id, wrong=True):
        self.r = r
        self.wrong = wrong      # also wrong argument kinds, arities, syntax
        self.vals = vals
        self.paths = paths_of(vals)
        self.case_id = case_id
        self.vars = []          # variables in scope: (name, kind)
        self.defs = []          # define texts to put first
        self.ndef = 0
        self.tags = []
        self.depth = 0
        self.body = 0           # > 0 inside range/with/define bodies, where dot moved

    # ------------------------------------------------------------ atoms
    def path_of_kind(self, kind):
        r = self.r

        def fits(v):
            if kind == "S":
                return isinstance(v, str)
            if kind in "IN":
                return isinstance(v, (int, float)) and not isinstance(v, bool)
            if kind == "C":
                return (isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= 30)
            if kind == "F":
                return isinstance(v, float)
            if kind == "B":
                return isinstance(v, bool)
            if kind == "L":
                return isinstance(v, list)
            if kind == "M":
                return isinstance(v, dict)
            return True
        cands = [p for p, v in self.paths if fits(v)]
        if kind == "A":
            # never huge numbers where a count might be taken from "A"
            cands = [p for p, v in self.paths]
        if not cands:
            return None
        p = r.choice(cands)
        if self.body or r.random() < 0.2:
            p = "$" + p     # $ is the root wherever dot has moved
        return p

    def missing_path(self):
        r = self.r
        p = self.path_of_kind("M") or ".Values"
        return p + "." + r.choice(["missing", "nope", "a", "zz"]) + r.choice(["", "", ".deeper" if self.wrong else ""])

    def lit(self, kind):
        r = self.r
        if kind == "S":
            if r.random() < 0.1:
                return "`" + r.choice(["raw\\n", "a\"b", "", "x y"]) + "`"
            return q(r.choice(STRINGS))
        if kind == "C":
            return str(r.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 30, -1, -3]))
        if kind == "I":
            return r.choice(["0", "1", "2", "3", "-1", "42", "7", "0x1F", "0o17", "017", "0b101",
                             "1_000", "-0", "255", "9223372036854775807", "-9223372036854775808",
                             "'a'", "'\\n'", "'é'", "100", "65", "1e3"])
        if kind == "F":
            return r.choice(["1.5", "0.5", "-2.5", "3.14159", "1e3", "1e-7", ".5", "1.", "0x1p-2",
                             "-0.0", "2.0", "1e21", "123456.789", "0.1", "1e100", "6.02e23"])
        if kind == "N":
            return self.lit(r.choice("IIFFS")) if r.random() < 0.9 else q(r.choice(["12", "1.5", "x"]))
        if kind == "B":
            return r.choice(["true", "false"])
        if kind == "R":
            return q(r.choice(REGEXES).replace("\\\\", "\\"))
        if kind == "V":
            return r.choice(VERSIONS)
        if kind == "D":
            return r.choice(DATEFMTS)
        if kind == "Z":
            return r.choice(ZONES)
        if kind == "T":
            c = r.random()
            if c < 0.4:
                # (a float or a string would make date use time.Now())
                return r.choice(["0", "86400", "1700000000", "-1", "253402300800", "-62135596800"])
            return "(toDate \"2006-01-02\" %s)" % r.choice(DATESTRS)
        if kind == "L":
            n = r.randint(0, 4)
            return "(list" + "".join(" " + self.expr(r.choice("SSIFBAL"), 1) for _ in range(n)) + ")"
        if kind == "M":
            n = r.randint(0, 3)
            return "(dict" + "".join(" %s %s" % (q(r.choice(KEYS)), self.expr(r.choice("SIFBALM"), 1))
                                     for _ in range(n)) + ")"
        if kind == "A":
            return self.lit(r.choice("SSIIFBLMN")) if r.random() < 0.95 or not self.wrong else "nil"
        return q("?")

    def expr(self, kind, depth=0):
        """An expression of (usually) the given kind, as an operand."""
        r = self.r
        c = r.random()
        if not self.wrong and c >= 0.35 and c < 0.37:
            c = 0.9
        if not self.wrong and c >= 0.45 and c < 0.47:
            c = 0.9
        if kind == "C":
            if c < 0.8 or not self.wrong:
                return self.lit("C")
            if c < 0.9:
                p = self.path_of_kind("C")
                return p or self.lit("C")
            # a wrong kind that is never a huge number
            return self.expr(r.choice("SBLM"), depth + 1)
        if kind in "RVDZT" or depth > 2:
            return self.lit(kind if kind in "SIFNBRVDZTLMA" else "A")
        if c < 0.08 and self.vars:
            return r.choice(self.vars)[0]
        if c < 0.35:
            p = self.path_of_kind(kind)
            if p:
                return p
        if c < 0.37:
            return self.missing_path()
        if c < 0.45 and depth < 2:
            return "(" + self.call(kind, depth + 1)[0] + ")"
        if c < 0.47:
            return self.expr(r.choice("SIFBLMA"), depth + 1)  # wrong kind
        return self.lit(kind)

    # ------------------------------------------------------------ calls
    def args_for(self, sig, depth):
        r = self.r
        out = []
        i = 0
        while i < len(sig):
            k = sig[i]
            if i + 1 < len(sig) and sig[i + 1] == "*":
                for _ in range(r.choice([0, 1, 1, 2, 3])):
                    out.append(self.expr(k, depth))
                i += 2
                continue
            out.append(self.expr(k, depth))
            i += 1
        # arity errors now and then
        c = r.random() if self.wrong else 1
        if c < 0.01 and out:
            out.pop()
        elif c < 0.02:
            out.append(self.expr("A", depth))
        return out

    def call(self, kind, depth=0):
        """A command: (text, tag). kind steers the function choice a little."""
        r = self.r
        c = r.random()
        if c < 0.08:
            name, form = r.choice(SPECIAL)
            if form is None:
                return self.printf(depth), "printf"
            text = form
            for key, kk in (("{C}", "C"), ("{I0}", "I"), ("{I}", "I"), ("{S0}", "S"), ("{S}", "S"),
                            ("{V}", "V"), ("{D}", "D"), ("{A}", "A"), ("{M}", "M"), ("{L}", "L")):
                while key in text:
                    text = text.replace(key, self.expr(kk, depth + 1) if kk != "I" else self.lit("C"), 1)
            if "{K}" in text:
                k = self.lit("S")
                text = text.replace("{K}", k)
            text = text.replace("{SEMF}", r.choice(SEMF)).replace("{URLF}", r.choice(URLF))
            text = text.replace("{DSTR}", r.choice(DATESTRS))
            return text, name
        name = r.choice(list(SIGS))
        if name in MUTATORS and r.random() < 0.8:
            name = r.choice(list(SIGS))
        sig = SIGS[name]
        args = self.args_for(sig, depth)
        # special argument pools
        args = [self.special_arg(name, i, a) for i, a in enumerate(args)]
        if name in ("keys", "values"):
            # Go's map order: sort what comes out
            return " ".join([name] + args) + " | sortAlpha", name
        if args and r.random() < 0.3:
            # pipeline form: last argument piped in
            return "%s | %s" % (args[-1], " ".join([name] + args[:-1])), name
        return " ".join([name] + args), name

    def special_arg(self, name, i, a):
        r = self.r
        if name in ("duration", "durationRound") and r.random() < 0.5:
            return r.choice(DURS + ["95", "3600", "-5", "1e10", "0"])
        if name in ("dateModify", "mustDateModify", "date_modify") and i == 0 and r.random() < 0.7:
            return r.choice(MODS)
        if name.startswith(("regexReplace", "mustRegexReplace")) and i == 2 and r.random() < 0.7:
            return r.choice(REPLS)
        if name in ("typeIs", "typeIsLike", "kindIs") and i == 0 and r.random() < 0.8:
            return q(r.choice(["string", "int", "int64", "float64", "bool", "map", "slice",
                               "map[string]interface {}", "[]interface {}", "*int", "ptr", "invalid"]))
        if name in ("toDate", "mustToDate") and r.random() < 0.7:
            return r.choice(DATEFMTS[:2]) if i == 0 else r.choice(DATESTRS)
        return a

    def printf(self, depth=0):
        r = self.r
        parts = []
        nargs = 0
        for _ in range(r.randint(1, 3)):
            if r.random() < 0.3:
                parts.append(r.choice(["x", " ", "é", "=", "%%", "\\n"]))
            flags = r.choice(PRINTF_FLAGS)
            width = r.choice(["", "", "", "5", "1", "10", "*", "0"])
            prec = r.choice(["", "", "", ".2", ".0", ".5", ".*", "."])
            idx = r.choice([""] * 8 + ["[1]", "[2]", "[3]"])
            verb = r.choice(PRINTF_VERBS)
            parts.append("%" + flags + idx + width + prec + verb)
            nargs += 1 + (width == "*") + (prec == ".*")
        nargs += r.choice([0, 0, 0, 0, -1, 1])
        fmt = '"' + "".join(parts) + '"'
        args = [self.expr(r.choice("SIFNBLMA"), depth + 1) for _ in range(max(nargs, 0))]
        return " ".join(["printf", fmt] + args)

    # ------------------------------------------------------------ statements
    def cond(self):
        r = self.r
        c = r.random()
        if c < 0.4:
            op = r.choice(["eq", "ne", "lt", "le", "gt", "ge"])
            k = r.choice("SIFNBA")
            k2 = k if r.random() < 0.75 or not self.wrong else r.choice("SIFNBA")
            args = [self.expr(k), self.expr(k2)]
            if op == "eq" and r.random() < 0.2:
                args.append(self.expr(k))
            return "%s %s" % (op, " ".join(args)), op
        if c < 0.55:
            op = r.choice(["and", "or"])
            return "%s %s" % (op, " ".join(self.expr("A") for _ in range(r.randint(1, 3)))), op
        if c < 0.65:
            return "not " + self.expr("A"), "not"
        return self.expr("A"), "field"

    def range_target(self):
        """What range iterates: never a call that might give a huge int (Go
        1.22's range over an int would run for ever, in helm too)."""
        r = self.r
        c = r.random()
        if c < 0.3:
            return self.path_of_kind(r.choice("LLM")) or ".Values.lst"
        if c < 0.5:
            return self.lit(r.choice("LLM"))
        if c < 0.65:
            return r.choice(["3", "0", "-2", "$.Values.int", "5", "1"])
        if c < 0.8:
            form, kind = r.choice([("(until %s)", "C"), ("(seq %s)", "C"), ("(splitList \",\" %s)", "S"),
                                   ("(keys %s | sortAlpha)", "M"), ("(pick %s \"a\" \"b\")", "M")])
            return form % self.expr(kind)
        if c < 0.9 or not self.wrong:
            return self.path_of_kind(r.choice("LM" if not self.wrong else "A")) or ".Values"
        return self.lit(r.choice("SFB"))

    def trim(self):
        r = self.r
        return (r.choice(["{{", "{{", "{{", "{{- "]), r.choice(["}}", "}}", "}}", " -}}"]))

    def out(self, text):
        o, c = self.trim()
        if not o.endswith(" "):
            o += " "
        if not c.startswith(" "):
            c = " " + c
        return o + text + c

    def statement(self, depth=0):
        """(text, tag)"""
        r = self.r
        c = r.random()
        if depth > 1:
            c = r.random() * 0.6
        if c < 0.45:
            text, tag = self.call("A")
            if r.random() < 0.15:
                text += " | " + r.choice(["quote", "toString", "len", "upper", "toJson", "b64enc",
                                          "printf \"%v\"", "print", "kindOf"])
            return self.out(text), tag
        if c < 0.55:
            return self.out(self.printf()), "printf"
        if c < 0.62:
            e = self.expr(r.choice("SIFNBLMA"))
            if r.random() < 0.3:
                e = self.missing_path()
            return self.out(e), "print-value"
        if c < 0.67:
            name = "$v%d" % len(self.vars)
            kind = r.choice("SIFBLM")
            e = self.expr(kind)
            self.vars.append((name, kind))
            txt = self.out("%s := %s" % (name, e))
            if r.random() < 0.4:
                txt += self.out("%s = %s" % (name, self.expr(r.choice("SIFBLM"))))
            txt += self.out(name)
            return txt, "variable"
        if c < 0.75:
            cond, ctag = self.cond()
            o, cl = self.trim()
            body = self.statement(depth + 1)[0]
            txt = "%s if %s %s%s" % (o, cond, cl, body)
            if r.random() < 0.3:
                c2, _ = self.cond()
                txt += "{{ else if %s }}%s" % (c2, self.statement(depth + 1)[0])
            if r.random() < 0.5:
                txt += "{{ else }}" + self.statement(depth + 1)[0]
            return txt + "{{ end }}", "if/" + ctag
        if c < 0.80:
            e = self.expr(r.choice("SIFBLMA"))
            txt = "{{ with %s }}%s" % (e, r.choice(["{{ . }}", "{{ printf \"%v|%T\" . . }}", "{{ .a }}",
                                                    "{{ len . }}", "{{ $.Values.str }}"]))
            if r.random() < 0.2:
                txt += "{{ else with %s }}{{ . }}" % self.expr("A")
            if r.random() < 0.4:
                txt += "{{ else }}none"
            return txt + "{{ end }}", "with"
        if c < 0.88:
            e = self.range_target()
            vars_ = r.choice(["", "$v := ", "$i, $v := ", "$i := "])
            inner = r.choice(["{{ . }}", "{{ $v }}", "{{ $i }}:{{ $v }}", "{{ printf \"%v,\" . }}"])
            if "$v" not in vars_:
                inner = inner.replace("$v", ".")
            if "$i" not in vars_:
                inner = inner.replace("{{ $i }}", "{{ $.Values | len }}")
            self.body += 1
            ctl = r.choice(["", "", "{{ break }}", "{{ continue }}", "{{ if eq (len $.Values) 3 }}{{ break }}{{ end }}",
                            "{{ if %s }}{{ continue }}{{ end }}" % self.cond()[0]])
            self.body -= 1
            txt = "{{ range %s%s }}%s%s," % (vars_, e, inner, ctl)
            if r.random() < 0.3:
                txt += "{{ else }}empty"
            return txt + "{{ end }}", "range"
        if c < 0.93:
            self.ndef += 1
            name = "d%d_%d" % (self.case_id, self.ndef)
            # in a define, $ is the argument: passing $ keeps .Values paths valid
            arg = "$" if not self.wrong and r.random() < 0.7 else self.expr(r.choice("SIFLMA"))
            if arg == "$":
                self.body += 1
            body = self.statement(depth + 1)[0]
            if arg == "$":
                self.body -= 1
            if r.random() < 0.5:
                self.defs.append('{{ define "%s" }}%s{{ end }}' % (name, body))
                return '{{ template "%s" %s }}' % (name, arg), "template"
            return '{{ block "%s" %s }}%s{{ end }}' % (name, arg, body), "block"
        if c < 0.97 or r.random() < 0.5 or not self.wrong:
            if self.wrong:
                return self.out(r.choice(["len", "index", "slice", "not", "html", "js", "urlquery", "print",
                                          "println"]) + " " + self.expr("A") + " " + self.expr("A")), "builtin"
            return self.out(r.choice([
                "len " + self.expr(r.choice("SLM")), "not " + self.expr("A"),
                "index %s %s" % (self.expr("M"), self.expr("S")), "index %s %s" % (self.expr("L"), self.lit("C")),
                "slice %s %s" % (self.expr("S"), r.choice(["0", "1", "0 1", "1 2"])),
                "html %s" % self.expr("A"), "js %s %s" % (self.expr("A"), self.expr("A")),
                "urlquery %s" % self.expr("A"), "print %s %s" % (self.expr("A"), self.expr("A")),
                "println %s" % self.expr("A")])), "builtin"
        # a comment, whitespace trimming, or a deliberate error
        return r.choice([
            ("{{/* a comment */}}x", "comment"), ("a  {{- /* c */ -}}  b", "comment"),
            ("{{ nofunc 1 }}", "parse-error"), ("{{ $undefined }}", "parse-error"),
            ("{{ if true }}x", "parse-error"), ("{{ end }}", "parse-error"), ("{{ 1 2 }}", "parse-error"),
            ("{{ .Values.str.x }}", "field-on-string"), ("{{ (1).x }}", "field-on-int"),
            ("{{ nil }}", "parse-error"), ("{{ break }}", "parse-error"),
            ("{{ \"unterminated }}", "parse-error"), ("{{ .Values | len }}", "builtin"),
            ("{{ index .Values.lst 10 }}", "index"), ("{{ template \"nope\" }}", "template"),
            ("{{ $x := 1 }}{{ $x := 2 }}{{ $x }}", "variable"), ("{{ 'ab' }}", "parse-error"),
            ("{{ 1e400 }}", "parse-error"), ("{{ 0x }}", "parse-error"), ("{{ -}}", "parse-error"),
        ])

    def case(self):
        r = self.r
        n = 1 if r.random() < 0.7 else r.randint(2, 3)
        stmts = []
        for _ in range(n):
            t, tag = self.statement()
            stmts.append(t)
            self.tags.append(tag)
        text = "".join(self.defs)
        for k, s in enumerate(stmts):
            if k:
                text += MARK % k
            text += s
        if r.random() < 0.2:
            text += "\n"
        return text, list(self.tags)


def gen_case(r, vals, case_id, wrong=True):
    g = CaseGen(r, vals, case_id, wrong)
    return g.case()


if __name__ == "__main__":
    import sys
    r = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    vals = gen_values(r)
    print(json.dumps(vals))
    for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 20):
        t, tags = gen_case(r, vals, i)
        print("----", tags)
        print(t)
