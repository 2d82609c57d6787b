// A dependencyGraph drawn two ways: one node per version (what could be
// installed, every admissible version side by side) or one node per package
// with its versions listed, any package expanded into its version nodes.
import { boxWidth, depthColour } from './palette.js';
import { newestFirst } from './versions.js';

/** packageNodeId is the id of a package's node in the package-level view (GraphQL ids never start so). */
export const packageNodeId = (name) => `pkg:${name}`;

function versionLabel(n, vulnerable) {
  return `${vulnerable ? '⚠ ' : ''}${n.name}==${n.version}`;
}

/**
 * versionElements is the version-level drawing of graph: a node per
 * version, marked root, unsolved, solver-error and vulnerable, and an edge
 * per requirement resolved.
 */
export function versionElements(graph) {
  const rootId = graph.root && graph.root.id;
  const advisories = new Map((graph.vulnerable || []).map((n) => [n.id, n.vulnerabilities]));
  const nodes = graph.nodes.map((n) => {
    const vulns = advisories.get(n.id) || [];
    const vulnerable = vulns.length > 0;
    const label = versionLabel(n, vulnerable);
    const [bg, fg] = depthColour(n.depth);
    const classes = [];
    if (!n.solved) classes.push('unsolved');
    if (n.solverError) classes.push('solver-error');
    if (vulnerable) classes.push('vulnerable');
    if (n.id === rootId) classes.push('root');
    return {
      group: 'nodes',
      data: {
        id: n.id, kind: 'version', label, name: n.name, version: n.version, indexUrl: n.indexUrl, depth: n.depth,
        solved: n.solved, solverError: n.solverError, extras: n.extras, vulnerable,
        vulnerabilities: vulns.map((v) => v.id),
        bg, fg, w: boxWidth(label),
      },
      classes,
    };
  });
  const edges = graph.edges.map((e, i) => ({
    group: 'edges',
    data: {
      id: `e${i}`, source: e.from, target: e.to, versionRange: e.versionRange,
      marker: e.marker, extra: e.extra,
    },
  }));
  return { nodes, edges };
}

/**
 * packages groups graph's version nodes by package name: each with its
 * versions newest first, the least depth of any of them, and the names of
 * the packages it requires and that require it.
 */
export function packages(graph) {
  const advisories = new Map((graph.vulnerable || []).map((n) => [n.id, n.vulnerabilities.length]));
  const rootId = graph.root && graph.root.id;
  const byName = new Map();
  const nameOf = new Map();
  for (const n of graph.nodes) {
    nameOf.set(n.id, n.name);
    let p = byName.get(n.name);
    if (!p) {
      p = { name: n.name, versions: [], depth: n.depth, root: false, requires: new Set(), requiredBy: new Set() };
      byName.set(n.name, p);
    }
    p.versions.push({ ...n, vulnerable: (advisories.get(n.id) || 0) > 0 });
    p.depth = Math.min(p.depth, n.depth);
    if (n.id === rootId) p.root = true;
  }
  for (const e of graph.edges) {
    const a = nameOf.get(e.from);
    const b = nameOf.get(e.to);
    if (!a || !b || a === b) continue;
    byName.get(a).requires.add(b);
    byName.get(b).requiredBy.add(a);
  }
  for (const p of byName.values()) {
    p.versions = newestFirst(p.versions, (v) => v.version);
    p.solved = p.versions.filter((v) => v.solved).length;
    p.vulnerable = p.versions.filter((v) => v.vulnerable).length;
    p.solverError = p.versions.some((v) => v.solverError);
    p.requires = [...p.requires].sort();
    p.requiredBy = [...p.requiredBy].sort();
  }
  return byName;
}

/** distinctVersions counts a package's version strings (a version on two indexes counts once). */
export const distinctVersions = (p) => new Set(p.versions.map((v) => v.version)).size;

/**
 * packageElements is the package-level drawing of graph: one node per
 * package, except the packages named in expanded, drawn as their version
 * nodes; an edge wherever a version of one requires a version of the other
 * (a package's requirements on itself are left out while it is collapsed).
 */
export function packageElements(graph, expanded = new Set()) {
  const groups = packages(graph);
  const versions = versionElements(graph);
  const rep = new Map();
  const nodes = [];
  const byId = new Map(versions.nodes.map((n) => [n.data.id, n]));
  for (const p of groups.values()) {
    if (expanded.has(p.name)) {
      for (const v of p.versions) {
        const n = byId.get(v.id);
        rep.set(v.id, v.id);
        nodes.push({ ...n, classes: [...n.classes, 'member'] });
      }
      continue;
    }
    const id = packageNodeId(p.name);
    for (const v of p.versions) rep.set(v.id, id);
    const count = distinctVersions(p);
    const label = `${p.vulnerable ? '⚠ ' : ''}${p.name} (${count})`;
    const [bg, fg] = depthColour(p.depth);
    const classes = ['pkg'];
    if (p.root) classes.push('root');
    if (p.solved === 0) classes.push('unsolved');
    if (p.vulnerable) classes.push('vulnerable');
    nodes.push({
      group: 'nodes',
      data: {
        id, kind: 'package', label, name: p.name, depth: p.depth, count,
        versions: p.versions.map((v) => v.version), solved: p.solved, vulnerable: p.vulnerable > 0,
        bg, fg, w: boxWidth(label),
      },
      classes,
    });
  }
  const seen = new Map();
  for (const e of graph.edges) {
    const s = rep.get(e.from);
    const t = rep.get(e.to);
    if (!s || !t || s === t) continue;
    const k = `${s}\u0000${t}`;
    let edge = seen.get(k);
    if (!edge) {
      edge = { group: 'edges', data: { id: `pe${seen.size}`, source: s, target: t, count: 0, ranges: [] } };
      seen.set(k, edge);
    }
    edge.data.count++;
    if (!edge.data.ranges.includes(e.versionRange)) edge.data.ranges.push(e.versionRange);
  }
  return { nodes, edges: [...seen.values()], packages: groups };
}
