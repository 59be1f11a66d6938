#!/usr/bin/env python3
"""Import cycles between the top-level modules of a crate (default: crates/app).

Usage: python3 docs/module-cycles.py [crate_src_dir]

A module is a top-level file or folder under src/ (`verification/` counts as one module).
An edge A -> B is any `crate::B` path used inside A. Prints every strongly connected
group of two or more modules (a cycle) and exits 1 when there is one, 0 otherwise.
The crate root (lib.rs) only declares modules and re-exports, so it is not a node.
"""
import os, re, sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "crates", "app", "src")
src = os.path.normpath(src)
mods = {}
for name in os.listdir(src):
    path = os.path.join(src, name)
    if name in ("lib.rs", "main.rs"):
        continue
    if name.endswith(".rs"):
        mods[name[:-3]] = [path]
    elif os.path.isdir(path):
        mods[name] = [os.path.join(dp, f) for dp, _, fs in os.walk(path) for f in fs if f.endswith(".rs")]

uses = re.compile(r"\bcrate::(\w+)")
group = re.compile(r"\bcrate::\{([^}]*)\}", re.S)
edges = {m: set() for m in mods}
for m, files in mods.items():
    for f in files:
        text = open(f, encoding="utf-8").read()
        # Tests inside a file may reach anywhere; they are not part of the module's design.
        text = text.split("#[cfg(test)]")[0]
        found = set(uses.findall(text))
        for g in group.findall(text):
            found.update(re.findall(r"(?:^|,)\s*(\w+)", g))
        edges[m].update(t for t in found if t in mods and t != m)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)

if not sccs:
    print(f"{src}: {len(mods)} modules, no import cycles")
    sys.exit(0)
for comp in sccs:
    print("cycle:", " <-> ".join(comp))
    for a in comp:
        back = sorted(b for b in edges[a] if b in comp)
        print(f"  {a} -> {', '.join(back)}")
sys.exit(1)
