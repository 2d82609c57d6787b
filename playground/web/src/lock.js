// A resolution drawn as a graph: the input's requirements as one node, the
// chosen versions as nodes, an edge per requiredBy link; optionally over
// the candidate graphs of its roots, the versions not chosen faded.
import { boxWidth, depthColour } from './palette.js';

/** REQUIREMENTS_ID is the id of the node standing for the input's requirements and constraints. */
export const REQUIREMENTS_ID = 'requirements';

/**
 * requirementLines reads a requirements text: one PEP 508 requirement per
 * line, blank lines and lines starting with # left out. It returns the
 * requirements (trimmed) and, for each, its line number (from 1), its
 * indent (where it starts in its line) and the offset in text where it
 * starts.
 */
export function requirementLines(text) {
  const out = { requirements: [], lines: [], indents: [], offsets: [] };
  let offset = 0;
  (text || '').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith('#')) {
      out.requirements.push(line);
      out.lines.push(i + 1);
      out.indents.push(raw.indexOf(line));
      out.offsets.push(offset + raw.indexOf(line));
    }
    offset += raw.length + 1;
  });
  return out;
}

function lockNode(p, classes) {
  const vulnerable = p.vulnerabilities.length > 0;
  const label = `${vulnerable ? '⚠ ' : ''}${p.name}==${p.version}`;
  const [bg, fg] = depthColour(p.depth);
  return {
    group: 'nodes',
    data: {
      id: p.packageVersion.id, kind: 'pick', label, name: p.name, version: p.version, indexUrl: p.indexUrl,
      depth: p.depth, vulnerable, bg, fg, w: boxWidth(label),
    },
    classes: [...classes, ...(vulnerable ? ['vulnerable'] : [])],
  };
}

function requirementsNode() {
  const label = 'requirements';
  return {
    group: 'nodes',
    data: { id: REQUIREMENTS_ID, kind: 'requirements', label, name: label, depth: 0, bg: '#fff', fg: '#111', w: boxWidth(label) },
    classes: ['root', 'requirements'],
  };
}

/**
 * lockEdges are the requiredBy links of a resolution's packages: from the
 * requiring package's chosen version (or the requirements node) to the
 * package's, constraints dotted.
 */
function lockEdges(resolution) {
  const idByName = new Map(resolution.packages.map((p) => [p.name, p.packageVersion.id]));
  const edges = [];
  for (const p of resolution.packages) {
    for (const r of p.requiredBy) {
      const source = r.name === 'root' ? REQUIREMENTS_ID : idByName.get(r.name);
      if (!source) continue;
      edges.push({
        group: 'edges',
        data: {
          id: `l${edges.length}`, source, target: p.packageVersion.id, versionRange: r.versionRange,
          marker: r.marker, extra: r.extra, constraint: r.constraint,
        },
        classes: r.constraint ? ['lock', 'constraint'] : ['lock'],
      });
    }
  }
  return edges;
}

/** lockElements draws a resolution: the requirements node, a node per chosen version, the requiredBy links. */
export function lockElements(resolution) {
  return {
    nodes: [requirementsNode(), ...resolution.packages.map((p) => lockNode(p, ['chosen']))],
    edges: lockEdges(resolution),
  };
}

/**
 * overlayElements draws a resolution over graphs, the dependency graphs of
 * its roots' chosen versions: the chosen versions highlighted (chosen), the
 * other versions those graphs reach faded (alternative), at their depth
 * from the requirements node (a root's graph starts at depth 1). Edges of
 * the graphs that are not requiredBy links are faded too.
 */
export function overlayElements(resolution, graphs) {
  const lock = lockElements(resolution);
  // The choices stay labelled at any zoom, in a band through the middle.
  for (const n of lock.nodes) {
    n.data.focus = true;
    if (n.data.kind === 'pick') n.classes.push('emphasis');
  }
  const chosen = new Set(lock.nodes.map((n) => n.data.id));
  const links = new Set(lock.edges.map((e) => `${e.data.source}\u0000${e.data.target}`));
  const others = new Map();
  const edges = [...lock.edges];
  for (const g of graphs) {
    for (const n of g.nodes) {
      if (chosen.has(n.id)) continue;
      const depth = n.depth + 1;
      const prev = others.get(n.id);
      if (prev && prev.data.depth <= depth) continue;
      const label = `${n.name}==${n.version}`;
      const [bg, fg] = depthColour(depth);
      others.set(n.id, {
        group: 'nodes',
        data: {
          id: n.id, kind: 'candidate', label, name: n.name, version: n.version, indexUrl: n.indexUrl, depth,
          solved: n.solved, bg, fg, w: boxWidth(label),
        },
        classes: n.solved ? ['alternative'] : ['alternative', 'unsolved'],
      });
    }
    for (const e of g.edges) {
      const k = `${e.from}\u0000${e.to}`;
      if (links.has(k) || e.from === e.to) continue;
      links.add(k);
      edges.push({
        group: 'edges',
        data: { id: `a${edges.length}`, source: e.from, target: e.to, versionRange: e.versionRange, marker: e.marker, extra: e.extra },
        classes: ['alternative'],
      });
    }
  }
  const nodes = [...lock.nodes, ...others.values()];
  const ids = new Set(nodes.map((n) => n.data.id));
  return { nodes, edges: edges.filter((e) => ids.has(e.data.source) && ids.has(e.data.target)) };
}

/** roots are a resolution's packages some root requirement (not a constraint alone) asks for. */
export function roots(resolution) {
  return resolution.packages.filter((p) => p.requiredBy.some((r) => r.name === 'root' && !r.constraint));
}
