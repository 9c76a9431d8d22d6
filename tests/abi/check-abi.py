#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check-abi.py - Fail when a library's exported symbols or ABI break the "grow only, by name" rules
#
# usage: check-abi.py --lib LIB.so --map LIB.map --prefix PKTKIT --minor N
#                     --symbols BASELINE.symbols [--abi BASELINE.abi --headers DIR]
#                     [--write-baseline]
#
# Checks, each failure printed as one line naming the symbol and the fix:
#  1. the version script names every exported function explicitly (no globs in
#     a global: section) and every name it lists is exported;
#  2. no version node is newer than the ABI minor (PKTKIT_1.<N> needs minor N);
#  3. every symbol of the baseline (name and node, from the last frozen state)
#     is still exported with the same node;
#  4. a symbol not in the baseline sits in a node newer than the baseline's
#     frozen minor: released nodes never change;
#  5. with --abi, libabigail's abidiff against the stored ABI description
#     reports no incompatible change (a removed function, a changed type).
# --write-baseline rewrites BASELINE.symbols (and BASELINE.abi with --abi) from
# the library as built, freezing every node up to --minor.
# Exit: 0 ok, 1 a rule broken, 77 a tool (nm, abidiff) missing.
import argparse
import os
import re
import shutil
import subprocess
import sys

NODE_RE = re.compile(r'^\s*([A-Z0-9_]+)_(\d+)\.(\d+)\s*\{')


def fail_tool(name):
    print(f"check-abi: '{name}' is not installed (Debian: binutils / abigail-tools)", file=sys.stderr)
    sys.exit(77)


def exported(lib):
    """{name: node} of the functions and data a shared library exports."""
    if not shutil.which('nm'):
        fail_tool('nm')
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        name, _, node = parts[2].partition('@@')
        if parts[1] == 'A':  # the version nodes' own marker symbols
            continue
        syms[name] = node or None
    return syms


def parse_map(path, prefix):
    """[(node, minor, [names], has_glob)] in file order."""
    text = re.sub(r'/\*.*?\*/', '', open(path).read(), flags=re.S)
    nodes = []
    cur = None
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        m = NODE_RE.match(line)
        if m:
            if m.group(1) != prefix:
                sys.exit(f'check-abi: {path}: node {m.group(1)} is not named {prefix}_<major>.<minor>')
            cur = (f'{m.group(1)}_{m.group(2)}.{m.group(3)}', int(m.group(3)), [], [])
            nodes.append(cur)
            section = None
            continue
        if cur is None or not line:
            continue
        if line.startswith('}'):
            cur = None
            continue
        if line in ('global:', 'local:'):
            section = line[:-1]
            continue
        name = line.rstrip(';').strip()
        if section == 'global':
            (cur[3] if any(c in name for c in '*?[') else cur[2]).append(name)
    return nodes


def read_baseline(path):
    frozen = None
    syms = {}
    for line in open(path):
        line = line.strip()
        if line.startswith('# frozen-minor:'):
            frozen = int(line.split(':', 1)[1])
        elif line and not line.startswith('#'):
            name, node = line.split()
            syms[name] = node
    if frozen is None:
        sys.exit(f'check-abi: {path}: no "# frozen-minor: N" line')
    return frozen, syms


def write_baseline(args, syms):
    with open(args.symbols, 'w') as f:
        f.write('# SPDX-License-Identifier: MIT\n')
        f.write(f'# {os.path.basename(args.symbols)} - exported symbols of {os.path.basename(args.lib)} '
                'and their version nodes, as frozen (written by tests/abi/check-abi.py --write-baseline)\n')
        f.write(f'# frozen-minor: {args.minor}\n')
        for name in sorted(syms):
            f.write(f'{name} {syms[name]}\n')
    if args.abi:
        if not shutil.which('abidw'):
            fail_tool('abidw')
        subprocess.run(['abidw', '--no-corpus-path', '--no-comp-dir-path', '--drop-private-types',
                        '--headers-dir', args.headers, '--out-file', args.abi, args.lib], check=True)
    print(f'check-abi: baseline written: {len(syms)} symbols, frozen up to minor {args.minor}')


def not_append_only(report):
    """None if abidiff's leaf report shows only additions, else the first offending line."""
    old_size = None
    for line in report.splitlines():
        text = line.strip()
        m = re.match(r'Removed/Changed/Added (?:functions|variables) summary: (\d+) Removed, (\d+) Changed', text)
        if m:
            if int(m.group(1)) or int(m.group(2)):
                return text
            continue
        if not text or not line.startswith(' ') and (text.endswith(' changed:') or 'summary' in text):
            old_size = None if text.endswith(' changed:') else old_size
            continue
        m = re.match(r'type size changed from (\d+) to (\d+) \(in bits\)$', text)
        if m and int(m.group(2)) > int(m.group(1)):
            old_size = int(m.group(1))
            continue
        if re.match(r'\d+ data member insertions?:$', text) or \
                re.match(r'\d+ Added (?:functions?|variables?):$', text) or text.startswith('[A] '):
            continue
        m = re.match(r"'.*', at offset (\d+) \(in bits\)", text)
        if m and old_size is not None and int(m.group(1)) >= old_size:
            continue
        return text
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lib', required=True)
    ap.add_argument('--map', required=True)
    ap.add_argument('--prefix', required=True)
    ap.add_argument('--minor', required=True, type=int)
    ap.add_argument('--symbols', required=True)
    ap.add_argument('--abi')
    ap.add_argument('--headers')
    ap.add_argument('--write-baseline', action='store_true')
    args = ap.parse_args()

    syms = exported(args.lib)
    nodes = parse_map(args.map, args.prefix)
    errors = []

    listed = {}
    for node, minor, names, globs in nodes:
        for g in globs:
            errors.append(f'{args.map}: node {node} exports by pattern "{g}": list each function by name')
        if minor > args.minor:
            errors.append(f'{args.map}: node {node} is newer than the ABI minor {args.minor}: '
                          f'raise the minor (pk_abi_minor in meson.build) or use an existing node')
        for n in names:
            if n in listed:
                errors.append(f'{args.map}: {n} is listed in {listed[n]} and {node}')
            listed[n] = node
    for name, node in sorted(syms.items()):
        if name not in listed:
            errors.append(f'{name} is exported ({node}) but not named in {args.map}')
    for name, node in sorted(listed.items()):
        if name not in syms:
            errors.append(f'{args.map}: {name} ({node}) is not exported: a typo, or a removed function')

    if args.write_baseline:
        if errors:
            print('\n'.join(errors), file=sys.stderr)
            sys.exit(1)
        write_baseline(args, syms)
        return

    frozen, base = read_baseline(args.symbols)
    for name, node in sorted(base.items()):
        if name not in syms:
            errors.append(f'{name} ({node}) was removed: the ABI only grows')
        elif syms[name] != node:
            errors.append(f'{name} moved from {node} to {syms[name]}: released nodes never change')
    for name, node in sorted(syms.items()):
        if name in base or node is None:
            continue
        minor = int(node.rsplit('.', 1)[1])
        if minor <= frozen:
            errors.append(f'{name} is new but sits in the released node {node}: put it in '
                          f'{args.prefix}_1.{max(args.minor, frozen + 1)} (raise the ABI minor if needed)')

    if args.abi:
        if not shutil.which('abidiff'):
            fail_tool('abidiff')
        r = subprocess.run(['abidiff', '--leaf-changes-only', '--hd2', args.headers,
                            '--drop-private-types', args.abi, args.lib],
                           capture_output=True, text=True)
        # abidiff's status bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
        # A change (bit 4) is allowed when all it reports is added functions or
        # variables and structs grown at their end (docs/abi.md: append-only).
        if r.returncode & (1 | 2 | 8):
            errors.append(f'abidiff {args.abi} {args.lib} reports an incompatible change '
                          f'(status {r.returncode}):\n{r.stdout}{r.stderr}')
        elif r.returncode & 4:
            bad = not_append_only(r.stdout)
            if bad:
                errors.append(f'abidiff {args.abi} {args.lib}: a change other than an addition '
                              f'({bad}):\n{r.stdout}')
            else:
                print(f'check-abi: compatible ABI additions since the baseline:\n{r.stdout}')

    if errors:
        print('\n'.join(errors), file=sys.stderr)
        sys.exit(1)
    print(f'check-abi: {os.path.basename(args.lib)}: {len(syms)} symbols in {len(nodes)} named nodes; '
          f'baseline (frozen up to minor {frozen}) intact')


if __name__ == '__main__':
    main()
