#!/usr/bin/env python3
"""Writes Helm-mode golden cases taken from the Helm corpus.

Usage: yaml-corpus-cases.py CORPUS OUTDIR   (run by gen-yaml-cases.sh --inputs)

For each chart: its whole values.yaml (corpus-<chart>-values); for each corpus
case: its values.yaml (corpus-case-<case>); and every sub-tree of these files
that the chart's templates print with toYaml (`toYaml .Values.a.b`, or
`with .Values.a.b` in a file that does `toYaml .`), cut out of the file as
text (comments, quoting and block scalars kept), dedented, under its own key:
corpus-<chart>-<a>-<b> or corpus-case-<case>-<a>-<b>. Trivial sub-trees
(scalars, {} and []) are skipped, as are texts already written. PyYAML only checks that a cut-out parses to
the same data as the sub-tree it came from.
"""
import os
import re
import sys

import yaml


def indent_of(line):
    return len(line) - len(line.lstrip(' '))


def is_content(line):
    s = line.strip()
    return s != '' and not s.startswith('#')


def find_key(lines, lo, hi, key):
    """Index of the line holding `key:` at the shallowest indent in [lo, hi)."""
    base = None
    for i in range(lo, hi):
        if is_content(lines[i]):
            base = indent_of(lines[i])
            break
    if base is None:
        return None
    pat = re.compile(r'^ {%d}(%s|"%s"|\'%s\'):(\s|$)' % (base, re.escape(key), re.escape(key), re.escape(key)))
    for i in range(lo, hi):
        if pat.match(lines[i]):
            return i
    return None


def block_end(lines, k, hi):
    """End (exclusive) of the value of the key on line k."""
    ind = indent_of(lines[k])
    end = k + 1
    for i in range(k + 1, hi):
        line = lines[i]
        if not is_content(line):
            continue
        li = indent_of(line)
        if li > ind or (li == ind and line[li:].startswith('- ')) or (li == ind and line[li:] == '-'):
            end = i + 1
            continue
        break
    return end


def cut(lines, path):
    lo, hi = 0, len(lines)
    k = None
    for key in path:
        k = find_key(lines, lo, hi, key)
        if k is None:
            return None
        lo, hi = k + 1, block_end(lines, k, hi)
    ind = indent_of(lines[k])
    out = []
    for line in lines[k:hi]:
        if line[:ind].strip() == '':
            out.append(line[ind:])
        else:
            out.append(line.lstrip(' '))
    return ''.join(out)


def subtree(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def template_paths(chart_dir):
    paths = set()
    tdir = os.path.join(chart_dir, 'templates')
    for dirpath, _, files in os.walk(tdir):
        for f in files:
            text = open(os.path.join(dirpath, f), encoding='utf-8').read()
            for m in re.finditer(r'toYaml\s+\(?\s*\.Values\.([A-Za-z0-9_.]+)', text):
                paths.add(m.group(1))
            if re.search(r'toYaml\s+\.\s', text):
                for m in re.finditer(r'with\s+\.Values\.([A-Za-z0-9_.]+)', text):
                    paths.add(m.group(1))
    return sorted(paths)


def write_case(outdir, name, text, seen):
    if text in seen:
        return False
    seen.add(text)
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'input.yaml'), 'w', encoding='utf-8', newline='') as f:
        f.write(text)
    return True


def write_subtrees(outdir, prefix, text, paths, seen):
    """The cases for the sub-trees at paths of one values file."""
    count = 0
    data = yaml.safe_load(text) or {}
    lines = text.splitlines(keepends=True)
    for p in paths:
        path = p.split('.')
        want = subtree(data, path)
        if isinstance(want, str) and '\n' not in want:
            continue
        if want is None or want == {} or want == [] or isinstance(want, (bool, int, float)):
            continue
        piece = cut(lines, path)
        if piece is None:
            continue
        try:
            got = yaml.safe_load(piece)
        except yaml.YAMLError:
            continue
        if not isinstance(got, dict) or got.get(path[-1]) != want:
            continue
        count += write_case(outdir, '%s-%s' % (prefix, '-'.join(path)), piece, seen)
    return count


def main():
    corpus, outdir = sys.argv[1], sys.argv[2]
    seen = set()
    count = 0
    charts = os.path.join(corpus, 'charts')
    for chart in sorted(os.listdir(charts)):
        cdir = os.path.join(charts, chart)
        vpath = os.path.join(cdir, 'values.yaml')
        if not os.path.exists(vpath):
            continue
        text = open(vpath, encoding='utf-8', newline='').read()
        count += write_case(outdir, 'corpus-%s-values' % chart, text, seen)
        count += write_subtrees(outdir, 'corpus-%s' % chart, text, template_paths(cdir), seen)
    cases = os.path.join(corpus, 'cases')
    for case in sorted(os.listdir(cases)):
        vpath = os.path.join(cases, case, 'values.yaml')
        if not os.path.exists(vpath):
            continue
        text = open(vpath, encoding='utf-8', newline='').read()
        count += write_case(outdir, 'corpus-case-%s' % case, text, seen)
        m = re.search(r'charts/([A-Za-z0-9_.-]+)', open(os.path.join(cases, case, 'cmd')).read())
        if m:
            paths = template_paths(os.path.join(charts, m.group(1)))
            count += write_subtrees(outdir, 'corpus-case-%s' % case, text, paths, seen)
    print('corpus: %d cases' % count)


if __name__ == '__main__':
    main()
