// A comparison of two dependency graphs (two roots, or one root in two
// environments): per package of the closures, the versions the second adds
// and removes, drawn as one package-level graph coloured by the change.
import { boxWidth, DIFF_COLOURS } from './palette.js';
import { packageNodeId, packages } from './packages.js';
import { newestFirst } from './versions.js';

/**
 * diff compares the closures of graphs a and b, package by package (a
 * version on two indexes counts once): added are the packages only b has,
 * removed those only a has, changed those both have with different version
 * sets (with the versions b adds and removes, newest first), same the
 * names of the others. Every list is sorted by name.
 */
export function diff(a, b) {
  const pa = packages(a);
  const pb = packages(b);
  const versionsOf = (p) => newestFirst([...new Set(p.versions.map((v) => v.version))]);
  const out = { added: [], removed: [], changed: [], same: [] };
  const names = [...new Set([...pa.keys(), ...pb.keys()])].sort();
  for (const name of names) {
    const x = pa.get(name);
    const y = pb.get(name);
    if (!x) {
      out.added.push({ name, versions: versionsOf(y) });
      continue;
    }
    if (!y) {
      out.removed.push({ name, versions: versionsOf(x) });
      continue;
    }
    const vx = versionsOf(x);
    const vy = versionsOf(y);
    const sx = new Set(vx);
    const sy = new Set(vy);
    const added = vy.filter((v) => !sx.has(v));
    const removed = vx.filter((v) => !sy.has(v));
    if (added.length || removed.length) {
      out.changed.push({ name, added, removed, kept: vy.filter((v) => sx.has(v)), a: vx, b: vy });
    } else {
      out.same.push(name);
    }
  }
  return out;
}

/** statusOf maps each package name of a diff to added, removed, changed or same. */
export function statusOf(d) {
  const s = new Map();
  for (const kind of ['added', 'removed', 'changed']) for (const e of d[kind]) s.set(e.name, kind);
  for (const name of d.same) s.set(name, 'same');
  return s;
}

function label(kind, name, entry) {
  if (kind === 'added') return `+ ${name}`;
  if (kind === 'removed') return `− ${name}`;
  if (kind === 'changed') return `${name} +${entry.added.length} −${entry.removed.length}`;
  return name;
}

/**
 * compareElements draws the union of a's and b's package-level graphs:
 * nodes coloured by status (classes added, removed, changed, same), at
 * the least depth either graph gives; edges in one graph only are classed
 * only-a or only-b.
 */
export function compareElements(a, b, d) {
  const pa = packages(a);
  const pb = packages(b);
  const entries = new Map();
  for (const kind of ['added', 'removed', 'changed']) for (const e of d[kind]) entries.set(e.name, [kind, e]);
  for (const name of d.same) entries.set(name, ['same', null]);
  const nodes = [];
  for (const [name, [kind, entry]] of entries) {
    const x = pa.get(name);
    const y = pb.get(name);
    const depth = Math.min(x ? x.depth : Infinity, y ? y.depth : Infinity);
    const text = label(kind, name, entry);
    const [bg, fg] = DIFF_COLOURS[kind];
    const classes = ['pkg', kind];
    if ((x && x.root) || (y && y.root)) classes.push('root');
    nodes.push({
      group: 'nodes',
      data: { id: packageNodeId(name), kind: 'diff', status: kind, label: text, name, depth, bg, fg, w: boxWidth(text) },
      classes,
    });
  }
  const links = new Map();
  const add = (groups, side) => {
    for (const p of groups.values()) {
      for (const t of p.requires) {
        const k = `${p.name}\u0000${t}`;
        const l = links.get(k) || { source: packageNodeId(p.name), target: packageNodeId(t), a: false, b: false };
        l[side] = true;
        links.set(k, l);
      }
    }
  };
  add(pa, 'a');
  add(pb, 'b');
  const edges = [...links.values()].map((l, i) => ({
    group: 'edges',
    data: { id: `ce${i}`, source: l.source, target: l.target, inA: l.a, inB: l.b },
    classes: l.a && l.b ? [] : [l.a ? 'only-a' : 'only-b'],
  }));
  return { nodes, edges, a: pa, b: pb };
}
