// The drawing every mode of the explorer shares: cytoscape with a layered
// layout by depth (dagre as an option for small graphs), labels that are
// hidden while too small to read, and edges drawn on demand for very large
// graphs. Elements come in already built: { nodes, edges } whose node data
// carry id, label, depth, bg, fg and w (the box width).
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { DAGRE_MAX_NODES } from './palette.js';

cytoscape.use(dagre);

// Above this many edges edges are drawn as straight haystack lines.
const CHEAP_EDGES = 1200;
// Above this many edges only the selected node's edges are drawn: a graph
// whose requirements each resolve to every matching release has some 30
// edges per node, and 150,000 edges make drawing, zooming and every click
// take tens of seconds.
export const MAX_DRAWN_EDGES = 20000;

// Level of detail for labels. A label is LABEL_PX model units high; where
// its rendered size (LABEL_PX x zoom) would be under LEGIBLE_PX CSS pixels,
// only the labels of the root, the selected node and the node under the
// pointer are drawn, at EMPHASIS_PX on a light background, and the others
// are hidden until the user zooms in. cytoscape's min-zoomed-font-size cannot
// do this by itself: it compares with the zoom rounded up to a power of two
// and multiplied by the pixel ratio, so labels of 3 to 6 pixels were drawn.
const LABEL_PX = 11;
const LEGIBLE_PX = 9;
const EMPHASIS_PX = 12;
// The label properties scaled with the zoom on emphasised nodes.
const EMPHASIS_PROPS = 'font-size text-background-padding text-border-width';

let cy = null;
// When the graph has more than MAX_DRAWN_EDGES edges: its edge elements
// and, per node id, the indexes of its edges; only the selected node's are
// in cy.
let undrawn = null; // { edges, byNode: Map<string, number[]> }
// Whether the labels of ordinary nodes are hidden at the current zoom, and
// the nodes whose labels are drawn at EMPHASIS_PX meanwhile.
let quiet = null;
let magnified = null;

/** current is the cytoscape instance drawn last, null before the first drawing. */
export const current = () => cy;

/** edgesOnDemand reports whether only the selected node's edges are drawn. */
export const edgesOnDemand = () => undrawn !== null;

function style(large) {
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 22,
        label: 'data(label)',
        'font-size': LABEL_PX,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
        'text-valign': 'center',
        'text-halign': 'center',
        color: 'data(fg)',
        'background-color': 'data(bg)',
        'border-width': 1,
        'border-color': '#555',
      },
    },
    // A package of the package-level view: a thicker box, its versions inside.
    { selector: 'node.pkg', style: { height: 26, 'border-width': 2, 'border-color': '#222' } },
    { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#111', 'font-weight': 'bold' } },
    {
      selector: 'node.unsolved',
      style: {
        'background-opacity': 0.25, color: '#222', 'border-style': 'dashed', 'border-width': 2,
        'border-color': 'data(bg)',
      },
    },
    { selector: 'node.solver-error', style: { 'border-style': 'double', 'border-width': 5, 'border-color': '#d62728' } },
    {
      selector: 'node.vulnerable',
      style: {
        'underlay-color': '#ff3d00', 'underlay-padding': 4, 'underlay-opacity': 0.7,
        'underlay-shape': 'round-rectangle',
      },
    },
    // A resolution: the chosen versions stand out, the other candidates fade.
    { selector: 'node.chosen', style: { 'border-width': 3, 'border-color': '#0a7d28', 'font-weight': 'bold' } },
    {
      selector: 'node.alternative',
      style: { 'background-opacity': 0.15, color: '#555', 'border-color': '#aab1b9', 'border-style': 'dotted' },
    },
    { selector: 'node:selected', style: { 'overlay-color': '#0074d9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    // Zoomed out: no label but the emphasised ones (see updateLabels).
    { selector: 'node.quiet', style: { label: '' } },
    {
      selector: 'node.quiet.root, node.quiet.emphasis, node.quiet:selected, node.quiet.hover',
      style: {
        label: 'data(label)', color: '#111', 'z-index': 10,
        'text-background-color': '#fff', 'text-background-opacity': 0.92, 'text-background-shape': 'round-rectangle',
        'text-border-color': '#5b6570', 'text-border-opacity': 1,
      },
    },
    // The selection's overlay would cover its label: the label's border marks it instead.
    { selector: 'node.quiet:selected', style: { 'overlay-opacity': 0, 'text-border-color': '#0074d9' } },
    {
      selector: 'edge',
      style: large
        ? { width: 0.6, 'line-color': '#9aa3ad', 'curve-style': 'haystack', 'haystack-radius': 0, opacity: 0.6 }
        : {
          width: 1, 'line-color': '#9aa3ad', 'target-arrow-color': '#9aa3ad', 'target-arrow-shape': 'triangle',
          'arrow-scale': 0.7, 'curve-style': 'bezier',
        },
    },
    { selector: 'edge.lock', style: { width: 1.6, 'line-color': '#0a7d28', 'target-arrow-color': '#0a7d28', opacity: 0.9 } },
    { selector: 'edge.constraint', style: { 'line-style': 'dotted' } },
    { selector: 'edge.alternative', style: { opacity: 0.25 } },
    { selector: 'edge.only-a', style: { 'line-color': '#d73027', 'target-arrow-color': '#d73027', 'line-style': 'dashed' } },
    { selector: 'edge.only-b', style: { 'line-color': '#1a9850', 'target-arrow-color': '#1a9850' } },
    { selector: 'edge.hl-out', style: { 'line-color': '#0074d9', 'target-arrow-color': '#0074d9', width: 2, opacity: 1, 'z-index': 9 } },
    { selector: 'edge.hl-in', style: { 'line-color': '#e67e22', 'target-arrow-color': '#e67e22', width: 2, opacity: 1, 'z-index': 9 } },
  ];
}

// layered places nodes in columns by depth, ordered within a column by the
// mean row of their parents (one barycentre pass), and wraps a column that
// would be too tall into several side by side, choosing the wrap height that
// lets the whole graph fit the canvas at the largest zoom. Linear in nodes +
// edges (times the few wrap heights tried), so it suits 2,000 nodes.
function layered(elements, canvasW, canvasH) {
  const byDepth = new Map();
  for (const n of elements.nodes) {
    if (!byDepth.has(n.data.depth)) byDepth.set(n.data.depth, []);
    byDepth.get(n.data.depth).push(n);
  }
  const depths = [...byDepth.keys()].sort((a, b) => a - b);
  const parents = new Map();
  for (const e of elements.edges) {
    if (!parents.has(e.data.target)) parents.set(e.data.target, []);
    parents.get(e.data.target).push(e.data.source);
  }
  // Order: each column by the mean order of its parents in earlier columns.
  const order = new Map();
  for (const depth of depths) {
    const col = byDepth.get(depth);
    const key = new Map(col.map((n) => {
      const ps = (parents.get(n.data.id) || []).filter((p) => order.has(p));
      return [n, ps.length ? ps.reduce((s, p) => s + order.get(p), 0) / ps.length : 0.5];
    }));
    col.sort((a, b) => key.get(a) - key.get(b) || a.data.label.localeCompare(b.data.label));
    col.forEach((n, i) => order.set(n.data.id, (i + 0.5) / col.length));
  }
  const ROW = 30;
  const SUBGAP = 24;
  const GAP = 90;
  // parts cuts a column into sub-columns of at most rows nodes. Nodes in
  // focus (a resolution's choices among the other candidates) go to the
  // middle of the first one, so they make a band through the graph.
  const parts = (col, rows) => {
    const focus = col.filter((n) => n.data.focus);
    let rest = col;
    const out = [];
    if (focus.length) {
      const others = col.filter((n) => !n.data.focus);
      const first = others.slice(0, Math.max(0, rows - focus.length));
      const half = Math.floor(first.length / 2);
      out.push([...first.slice(0, half), ...focus, ...first.slice(half)]);
      rest = others.slice(first.length);
    }
    for (let i = 0; i < rest.length; i += rows) out.push(rest.slice(i, i + rows));
    return out;
  };
  const place = (maxRows, commit) => {
    let x = 0;
    let height = 0;
    for (const depth of depths) {
      const col = byDepth.get(depth);
      const sub = Math.ceil(col.length / maxRows);
      const rows = Math.ceil(col.length / sub);
      const cut = parts(col, rows);
      cut.forEach((part, s) => {
        height = Math.max(height, part.length * ROW);
        const width = Math.max(...part.map((n) => n.data.w));
        if (commit) {
          part.forEach((n, i) => {
            n.position = { x: x + width / 2, y: (i - (part.length - 1) / 2) * ROW };
          });
        }
        x += width + (s === cut.length - 1 ? GAP : SUBGAP);
      });
    }
    return Math.min(canvasW / Math.max(1, x - GAP), canvasH / Math.max(ROW, height));
  };
  const tallest = Math.max(...depths.map((d) => byDepth.get(d).length));
  let best = tallest;
  let bestZoom = place(tallest, false);
  for (let rows = 6; rows < tallest; rows = Math.ceil(rows * 1.15)) {
    const z = place(rows, false);
    if (z > bestZoom) {
      bestZoom = z;
      best = rows;
    }
  }
  place(best, true);
}

/**
 * render draws elements in the #cy container, replacing the previous
 * drawing, and returns the time the layout took in milliseconds. onTap is
 * called with the node tapped.
 */
export function render(elements, { layout = 'depth', onTap } = {}) {
  const large = elements.edges.length > CHEAP_EDGES || elements.nodes.length > DAGRE_MAX_NODES;
  const useDagre = layout === 'dagre' && elements.nodes.length <= DAGRE_MAX_NODES;
  const container = document.getElementById('cy');
  const box = container.getBoundingClientRect();
  const t0 = performance.now();
  if (!useDagre && elements.nodes.length) layered(elements, box.width - 40, box.height - 40);
  const layoutMs = performance.now() - t0;
  if (cy) cy.destroy();
  undrawn = null;
  let drawnEdges = elements.edges;
  if (elements.edges.length > MAX_DRAWN_EDGES) {
    const byNode = new Map();
    elements.edges.forEach((e, i) => {
      for (const id of [e.data.source, e.data.target]) {
        if (!byNode.has(id)) byNode.set(id, []);
        byNode.get(id).push(i);
      }
    });
    undrawn = { edges: elements.edges, byNode };
    drawnEdges = [];
  }
  cy = cytoscape({
    container,
    elements: [...elements.nodes, ...drawnEdges],
    style: style(large),
    layout: useDagre
      ? { name: 'dagre', rankDir: 'LR', nodeSep: 6, rankSep: 70, edgeSep: 4, fit: true, padding: 20, animate: false }
      : { name: 'preset', fit: true, padding: 20 },
    minZoom: 0.02,
    maxZoom: 4,
    textureOnViewport: large,
    hideEdgesOnViewport: large,
    motionBlur: false,
    pixelRatio: large ? 1 : 'auto',
    boxSelectionEnabled: false,
  });
  if (onTap) cy.on('tap', 'node', (ev) => onTap(ev.target));
  cy.on('tap', (ev) => {
    if (ev.target === cy) {
      if (undrawn) cy.edges().remove();
      else cy.$('edge.hl-in, edge.hl-out').removeClass('hl-in hl-out');
    }
  });
  cy.on('mouseover', 'node', (ev) => {
    ev.target.addClass('hover');
    cy.container().style.cursor = 'pointer';
    updateLabels();
  });
  cy.on('mouseout', 'node', (ev) => {
    ev.target.removeClass('hover');
    cy.container().style.cursor = '';
    updateLabels();
  });
  cy.on('zoom select unselect', updateLabels);
  quiet = null;
  magnified = null;
  fitView();
  return layoutMs;
}

/** clear removes the drawing. */
export function clear() {
  if (cy) cy.destroy();
  cy = null;
  undrawn = null;
}

/**
 * select makes node the only selected one and highlights its edges (out
 * blue, in orange), drawing them first when edges are drawn on demand.
 */
export function select(node) {
  // One style pass for all of it: restyling every edge of a 2,000-node
  // graph per click would be slow.
  cy.batch(() => {
    cy.$(':selected').unselect();
    node.select();
    if (undrawn) {
      // Only this node's edges are drawn.
      cy.edges().remove();
      cy.add((undrawn.byNode.get(node.id()) || []).map((i) => undrawn.edges[i]));
    }
    cy.$('edge.hl-in, edge.hl-out').removeClass('hl-in hl-out');
    node.outgoers('edge').addClass('hl-out');
    node.incomers('edge').addClass('hl-in');
  });
}

/**
 * reveal brings nodes into view: nothing moves when they are in view and
 * legible already; otherwise they are centred, zoomed out as far as needed
 * for them all to fit and in as far as needed to read them (never beyond
 * 1.2).
 */
export function reveal(nodes) {
  if (!cy || nodes.empty()) return;
  const b = nodes.renderedBoundingBox();
  const inside = b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height();
  if (inside && LABEL_PX * cy.zoom() >= LEGIBLE_PX) return;
  cy.fit(nodes, 60);
  if (cy.zoom() > 1.2) {
    const r = nodes.renderedBoundingBox();
    cy.zoom({ level: 1.2, renderedPosition: { x: (r.x1 + r.x2) / 2, y: (r.y1 + r.y2) / 2 } });
  }
  updateLabels();
}

// updateLabels applies the level of detail for the current zoom: every
// label when it renders at LEGIBLE_PX or more, otherwise only those of the
// root, the nodes classed emphasis, the selected and the hovered node,
// scaled to render at EMPHASIS_PX.
// Hiding or showing them all restyles every node, so it happens only when
// the zoom crosses the threshold.
export function updateLabels() {
  if (!cy) return;
  const z = cy.zoom();
  const q = LABEL_PX * z < LEGIBLE_PX;
  cy.batch(() => {
    if (q !== quiet) {
      quiet = q;
      if (q) cy.nodes().addClass('quiet');
      else cy.nodes().removeClass('quiet');
    }
    const want = q ? cy.nodes('.root, .emphasis, :selected, .hover') : cy.collection();
    if (magnified) magnified.difference(want).removeStyle(EMPHASIS_PROPS);
    if (want.nonempty()) {
      want.style({ 'font-size': EMPHASIS_PX / z, 'text-background-padding': 3 / z, 'text-border-width': 1.5 / z });
    }
    magnified = want;
  });
}

// fitView fits the graph to the canvas, the emphasised labels included:
// they grow as the zoom shrinks, so a second fit takes them into account
// (the root's label would otherwise stick out of the canvas on the left).
export function fitView() {
  if (!cy) return;
  cy.fit(undefined, 20);
  updateLabels();
  if (quiet) {
    cy.fit(undefined, 20);
    updateLabels();
  }
}

/** png renders the whole drawing, every label at its own size, as a PNG blob. */
export async function png() {
  // The export is drawn at scale 1 or 2, where every label is legible.
  cy.batch(() => {
    cy.nodes().removeClass('quiet');
    if (magnified) magnified.removeStyle(EMPHASIS_PROPS);
  });
  quiet = null;
  magnified = null;
  try {
    return await cy.png({
      output: 'blob-promise', full: true, bg: '#ffffff', scale: cy.nodes().length > DAGRE_MAX_NODES ? 1 : 2,
      maxWidth: 12000, maxHeight: 12000,
    });
  } finally {
    updateLabels();
  }
}

// A pointer leaving the canvas quickly may skip the node's mouseout.
document.getElementById('cy').addEventListener('mouseleave', () => {
  if (!cy) return;
  cy.nodes('.hover').removeClass('hover');
  cy.container().style.cursor = '';
  updateLabels();
});
