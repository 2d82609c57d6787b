// The dependency-graph explorer: a form, one dependencyGraph query, a
// cytoscape drawing, and a details panel per node. The URL carries the form,
// so a view can be shared.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import './explorer.css';
import { query } from './gql.js';

cytoscape.use(dagre);

// Above this many nodes dagre is too slow for an interactive page; the
// layered layout by depth (the default, computed here) takes its place.
const DAGRE_MAX_NODES = 300;
// Above this many edges edges are drawn as straight haystack lines.
const CHEAP_EDGES = 1200;
// Above this many edges only the selected node's edges are drawn: a graph
// whose requirements each resolve to every matching release has some 30
// edges per node, and 150,000 edges make drawing, zooming and every click
// take tens of seconds.
const MAX_DRAWN_EDGES = 20000;

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

// Depth colours (viridis for 0-4, then distinct warm hues), with the label
// colour readable on each.
const DEPTH_COLOURS = [
  ['#440154', '#fff'], ['#3b528b', '#fff'], ['#21918c', '#fff'], ['#5ec962', '#000'],
  ['#fde725', '#000'], ['#f4a259', '#000'], ['#e39bc8', '#000'], ['#a6886d', '#000'],
];
const depthColour = (d) => DEPTH_COLOURS[Math.min(d, DEPTH_COLOURS.length - 1)];

const $ = (id) => document.getElementById(id);
const form = $('form');
const pkgInput = $('package');
const versionSelect = $('version');
const envSelect = $('environment');
const depthInput = $('depth');
const extrasInput = $('extras');
const markerInput = $('markerTrueOnly');
const details = $('details');

let cy = null;
let lastResult = null; // { variables, graph }
// When the graph has more than MAX_DRAWN_EDGES edges: its edge elements
// and, per node id, the indexes of its edges; only the selected node's are
// in cy.
let undrawn = null; // { edges, byNode: Map<string, number[]> }
let drawSeq = 0;
// Whether the labels of ordinary nodes are hidden at the current zoom, and
// the nodes whose labels are drawn at EMPHASIS_PX meanwhile.
let quiet = null;
let magnified = null;
let detailSeq = 0;

// GRAPH_QUERY asks for the vulnerable nodes with their advisories (the
// gateway's overlay: one statement for the whole graph, and the nodes and
// edges lists stay plain leaves); a walk over the query cost budget with
// them is retried without (PLAIN_QUERY).
const GRAPH_TEMPLATE = `query ExplorerGraph($root: PackageVersionInput!, $environment: EnvironmentInput!,
    $maxDepth: Int, $extras: [String!], $markerTrueOnly: Boolean) {
  dependencyGraph(root: $root, environment: $environment, maxDepth: $maxDepth,
                  extras: $extras, markerTrueOnly: $markerTrueOnly) {
    root { id name version indexUrl }
    truncated
    depthReached
    nodes { id name version indexUrl depth solved solverError extras }
    edges { from to versionRange marker extra markerEvaluationResult }VULNS
  }
}`;

const GRAPH_QUERY = GRAPH_TEMPLATE.replace('VULNS', '\n    vulnerable { id vulnerabilities { id summary fixedIn } }');
const PLAIN_QUERY = GRAPH_TEMPLATE.replace('VULNS', '');

const DETAILS_QUERY = `query ExplorerNode($name: String!, $version: String!, $indexUrl: String,
    $environment: EnvironmentInput!) {
  packageVersion(name: $name, version: $version, indexUrl: $indexUrl) {
    id name version indexUrl
    environments { osName osVersion pythonVersion }
    solved(environment: $environment) {
      solverName solverVersion solvedAt error errorUnparseable errorUnsolvable documentId
    }
    dependencies(environment: $environment, markerTrueOnly: false) {
      name versionRange marker extra extras markerEvaluationResult
      resolvedVersions { version }
    }
    dependents(environment: $environment, first: 1) { totalCount }
    vulnerabilities { id summary fixedIn references { url } }
    metadata { summary license requiresPython }
  }
}`;

// ---- errors and status ----

function showError(err) {
  const box = $('error');
  if (!err) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  let text = err.name === 'GraphQLError' ? `GraphQL error\n${err.message}` : String(err.message || err);
  if (err.errors && err.errors.some((e) => e.extensions && e.extensions.code === 'COMPLEXITY_LIMIT')) {
    text += '\nA smaller depth keeps the walk within the gateway\'s query cost budget (SESHAT_MAX_COMPLEXITY).';
  }
  box.textContent = text;
}

function setStatus(text) {
  $('status').textContent = text;
}

// ---- environments, packages, versions ----

const envKey = (e) => `${e.osName}:${e.osVersion}:${e.pythonVersion}`;
function envFromKey(k) {
  const [osName, osVersion, pythonVersion] = (k || '').split(':');
  return osName && osVersion && pythonVersion ? { osName, osVersion, pythonVersion } : null;
}
const envLabel = (e) => `${e.osName} ${e.osVersion} · Python ${e.pythonVersion}`;

async function loadEnvironments() {
  const data = await query('query ExplorerEnvironments { environments { osName osVersion pythonVersion } }');
  envSelect.replaceChildren(
    ...data.environments.map((e) => new Option(envLabel(e), envKey(e))),
  );
  if (!data.environments.length) envSelect.append(new Option('no environments yet', ''));
}

let suggestTimer = 0;
pkgInput.addEventListener('input', () => {
  clearTimeout(suggestTimer);
  const prefix = pkgInput.value.trim();
  suggestTimer = setTimeout(async () => {
    try {
      const data = await query(
        'query ExplorerPackages($p: String) { packages(nameStartsWith: $p, first: 20) { edges { node { name } } } }',
        { p: prefix },
      );
      $('package-list').replaceChildren(...data.packages.edges.map((e) => new Option(e.node.name)));
    } catch {
      // Suggestions are a convenience; the Draw button reports errors.
    }
  }, 200);
});
pkgInput.addEventListener('change', () => {
  const name = pkgInput.value.trim();
  if (name && name !== versionsOf) loadVersions(name).catch(showError);
});
envSelect.addEventListener('change', () => {
  if (pkgInput.value.trim()) loadVersions(pkgInput.value.trim(), versionSelect.value).catch(showError);
});

// versionsOf is the package the version select lists.
let versionsOf = '';

// loadVersions fills the version select, newest first, marking the versions
// solved in the chosen environment; it keeps `want` selected when present.
async function loadVersions(name, want) {
  if (!name) return;
  versionsOf = name;
  const data = await query(
    `query ExplorerVersions($name: String!) { package(name: $name) {
       versions(first: 200) { edges { node { version indexUrl environments { osName osVersion pythonVersion } } } } } }`,
    { name },
  );
  if (!data.package) {
    versionSelect.replaceChildren(want ? new Option(want, want) : new Option('unknown package', ''));
    if (!want) throw new Error(`No package named "${name}" in the knowledge graph.`);
    return;
  }
  const env = envSelect.value;
  const opts = [];
  let firstSolved = '';
  const seen = new Set();
  for (const { node } of data.package.versions.edges) {
    if (seen.has(node.version)) continue;
    seen.add(node.version);
    const solved = node.environments.some((e) => envKey(e) === env);
    if (solved && !firstSolved) firstSolved = node.version;
    opts.push(new Option(solved ? node.version : `${node.version} (not solved here)`, node.version));
  }
  if (want && !seen.has(want)) opts.unshift(new Option(want, want));
  versionSelect.replaceChildren(...opts);
  versionSelect.value = want || firstSolved || (opts[0] && opts[0].value) || '';
}

// ---- the URL carries the view ----

function readForm() {
  const environment = envFromKey(envSelect.value);
  const extras = extrasInput.value.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    name: pkgInput.value.trim(),
    version: versionSelect.value,
    environment,
    maxDepth: Math.max(1, parseInt(depthInput.value, 10) || 5),
    extras,
    markerTrueOnly: markerInput.checked,
    layout: $('layout').value,
  };
}

function toURL(v) {
  const p = new URLSearchParams();
  p.set('package', v.name);
  p.set('version', v.version);
  if (v.indexUrl) p.set('index', v.indexUrl);
  if (v.environment) p.set('env', envKey(v.environment));
  p.set('depth', String(v.maxDepth));
  if (v.extras.length) p.set('extras', v.extras.join(','));
  if (!v.markerTrueOnly) p.set('markers', 'all');
  if (v.layout === 'dagre') p.set('layout', 'dagre');
  return `${location.pathname}?${p}`;
}

async function applyURL() {
  const p = new URLSearchParams(location.search);
  if (p.get('env') && [...envSelect.options].some((o) => o.value === p.get('env'))) envSelect.value = p.get('env');
  else if (p.get('env')) envSelect.append(new Option(p.get('env'), p.get('env'), true, true));
  if (p.get('depth')) depthInput.value = p.get('depth');
  extrasInput.value = p.get('extras') || '';
  markerInput.checked = p.get('markers') !== 'all';
  $('layout').value = p.get('layout') === 'dagre' ? 'dagre' : 'depth';
  const name = p.get('package');
  if (!name) return false;
  pkgInput.value = name;
  await loadVersions(name, p.get('version') || undefined);
  return Boolean(versionSelect.value);
}

// ---- drawing ----

function nodeLabel(n) {
  return `${n.vulnerable ? '⚠ ' : ''}${n.name}==${n.version}`;
}

function toElements(graph, rootId) {
  const advisories = new Map((graph.vulnerable || []).map((n) => [n.id, n.vulnerabilities]));
  const nodes = graph.nodes.map((n) => {
    const vulns = advisories.get(n.id) || [];
    const vulnerable = vulns.length > 0;
    const label = nodeLabel({ ...n, vulnerable });
    const [bg, fg] = depthColour(n.depth);
    const classes = [];
    if (!n.solved) classes.push('unsolved');
    if (n.solverError) classes.push('solver-error');
    if (vulnerable) classes.push('vulnerable');
    if (n.id === rootId) classes.push('root');
    return {
      group: 'nodes',
      data: {
        id: n.id, label, name: n.name, version: n.version, indexUrl: n.indexUrl, depth: n.depth,
        solved: n.solved, solverError: n.solverError, extras: n.extras, vulnerable,
        vulnerabilities: vulns.map((v) => v.id),
        bg, fg, w: Math.max(40, label.length * 6.6 + 14),
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
    { selector: 'node:selected', style: { 'overlay-color': '#0074d9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    // Zoomed out: no label but the emphasised ones (see updateLabels).
    { selector: 'node.quiet', style: { label: '' } },
    {
      selector: 'node.quiet.root, node.quiet:selected, node.quiet.hover',
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
  const place = (maxRows, commit) => {
    let x = 0;
    let height = 0;
    for (const depth of depths) {
      const col = byDepth.get(depth);
      const sub = Math.ceil(col.length / maxRows);
      const rows = Math.ceil(col.length / sub);
      height = Math.max(height, rows * ROW);
      for (let s = 0; s < sub; s++) {
        const part = col.slice(s * rows, (s + 1) * rows);
        const width = Math.max(...part.map((n) => n.data.w));
        if (commit) {
          part.forEach((n, i) => {
            n.position = { x: x + width / 2, y: (i - (part.length - 1) / 2) * ROW };
          });
        }
        x += width + (s === sub - 1 ? GAP : SUBGAP);
      }
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

async function draw(vars, push) {
  const seq = ++drawSeq;
  showError(null);
  if (!vars.name || !vars.version) {
    showError(new Error('Choose a package and a version.'));
    return;
  }
  if (!vars.environment) {
    showError(new Error('Choose an environment (none is known until a solver document is ingested).'));
    return;
  }
  if (push) history.pushState(null, '', toURL(vars));
  document.title = `${vars.name}==${vars.version} · Seshat explorer`;
  $('draw').disabled = true;
  setStatus(`Querying ${vars.name}==${vars.version}…`);
  const started = performance.now();
  let data;
  let noVulns = false;
  const variables = {
    root: { name: vars.name, version: vars.version, indexUrl: vars.indexUrl || null },
    environment: vars.environment,
    maxDepth: vars.maxDepth,
    extras: vars.extras.length ? vars.extras : null,
    markerTrueOnly: vars.markerTrueOnly,
  };
  try {
    try {
      data = await query(GRAPH_QUERY, variables);
    } catch (err) {
      const overBudget = err.errors && err.errors.some((e) => e.extensions && e.extensions.code === 'COMPLEXITY_LIMIT');
      if (!overBudget) throw err;
      data = await query(PLAIN_QUERY, variables);
      noVulns = true;
    }
  } catch (err) {
    if (seq === drawSeq) {
      showError(err);
      setStatus('');
    }
    return;
  } finally {
    if (seq === drawSeq) $('draw').disabled = false;
  }
  if (seq !== drawSeq) return;
  const fetched = performance.now();
  const graph = data.dependencyGraph;
  if (!graph.root) {
    setStatus('');
    showError(new Error(`${vars.name}==${vars.version}${vars.indexUrl ? ` on ${vars.indexUrl}` : ''} is not in the knowledge graph.`));
    return;
  }
  lastResult = { variables: vars, graph };
  render(graph, vars.layout);
  const drawn = performance.now();
  setStatus(
    `${graph.nodes.length} nodes · ${graph.edges.length} edges · depth ${graph.depthReached}` +
      `${graph.truncated ? ' (truncated by maxDepth)' : ''} · query ${Math.round(fetched - started)} ms, ` +
      `drawing ${Math.round(drawn - fetched)} ms` +
      `${undrawn ? ` · over ${MAX_DRAWN_EDGES} edges: only the selected node's are drawn` : ''}` +
      `${noVulns ? ' · vulnerabilities not marked: over the query cost budget at this depth' : ''}`,
  );
  for (const id of ['fit', 'export-png', 'export-json']) $(id).disabled = false;
  details.replaceChildren(hint('Click a node for its details.'));
  if (graph.root) showDetails(cy.getElementById(graph.root.id));
}

function render(graph, layoutName) {
  const elements = toElements(graph, graph.root && graph.root.id);
  const large = elements.edges.length > CHEAP_EDGES || elements.nodes.length > DAGRE_MAX_NODES;
  const useDagre = layoutName === 'dagre' && elements.nodes.length <= DAGRE_MAX_NODES;
  const box = $('cy').getBoundingClientRect();
  const t0 = performance.now();
  if (!useDagre) layered(elements, box.width - 40, box.height - 40);
  window.seshatExplorer.layoutMs = performance.now() - t0;
  if (cy) cy.destroy();
  $('placeholder').hidden = elements.nodes.length > 0;
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
    container: $('cy'),
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
  cy.on('tap', 'node', (ev) => showDetails(ev.target));
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
  window.seshatExplorer.cy = cy;
}

// updateLabels applies the level of detail for the current zoom: every
// label when it renders at LEGIBLE_PX or more, otherwise only those of the
// root, the selected and the hovered node, scaled to render at EMPHASIS_PX.
// Hiding or showing them all restyles every node, so it happens only when
// the zoom crosses the threshold.
function updateLabels() {
  if (!cy) return;
  const z = cy.zoom();
  const q = LABEL_PX * z < LEGIBLE_PX;
  cy.batch(() => {
    if (q !== quiet) {
      quiet = q;
      if (q) cy.nodes().addClass('quiet');
      else cy.nodes().removeClass('quiet');
    }
    const want = q ? cy.nodes('.root, :selected, .hover') : cy.collection();
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
function fitView() {
  cy.fit(undefined, 20);
  updateLabels();
  if (quiet) {
    cy.fit(undefined, 20);
    updateLabels();
  }
}

// allLabels draws every label at its own size whatever the zoom (for an
// export) until updateLabels runs again.
function allLabels() {
  cy.batch(() => {
    cy.nodes().removeClass('quiet');
    if (magnified) magnified.removeStyle(EMPHASIS_PROPS);
  });
  quiet = null;
  magnified = null;
}

// ---- details panel ----

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}
const hint = (text) => el('p', { class: 'hint' }, text);
const tag = (text, kind = '') => el('span', { class: `tag ${kind}` }, text);

// advisoryURL is an advisory's page: its first reference, else osv.dev's.
function advisoryURL(v) {
  const ref = (v.references || []).find((r) => r.url);
  return ref ? ref.url : `https://osv.dev/vulnerability/${encodeURIComponent(v.id)}`;
}

async function showDetails(node) {
  if (!node || node.empty()) return;
  const seq = ++detailSeq;
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
  const d = node.data();
  const env = lastResult.variables.environment;
  const reroot = el('button', { type: 'button', class: 'primary', id: 'reroot', onclick: () => reRoot(d) }, 'Re-root here');
  const head = [
    el('h2', { 'data-testid': 'details-title' }, `${d.name}==${d.version}`),
    el('div', {},
      tag(`depth ${d.depth}`),
      d.solved ? tag('solved here', 'good') : tag('not solved here', 'bad'),
      d.solverError ? tag('solver error', 'bad') : null,
      d.vulnerable ? tag(`⚠ ${d.vulnerabilities.length} vulnerabilit${d.vulnerabilities.length === 1 ? 'y' : 'ies'}`, 'bad') : null,
      d.extras && d.extras.length ? tag(`extras: ${d.extras.join(', ')}`) : null),
    d.indexUrl ? el('div', { class: 'muted' }, d.indexUrl) : null,
    el('div', { class: 'actions' }, reroot),
  ];
  details.replaceChildren(...head, hint('Loading…'));
  let pv;
  try {
    const data = await query(DETAILS_QUERY, { name: d.name, version: d.version, indexUrl: d.indexUrl || null, environment: env });
    pv = data.packageVersion;
  } catch (err) {
    if (seq === detailSeq) details.replaceChildren(...head, el('div', { class: 'hint' }, `Could not load details: ${err.message}`));
    return;
  }
  if (seq !== detailSeq) return;
  if (!pv) {
    details.replaceChildren(...head, hint('This version is not in the knowledge graph.'));
    return;
  }
  const sections = [];
  if (pv.metadata && (pv.metadata.summary || pv.metadata.license)) {
    sections.push(el('p', {}, pv.metadata.summary || '', pv.metadata.license ? el('span', { class: 'muted' }, ` (${pv.metadata.license})`) : null));
  }
  sections.push(el('h3', {}, 'Solved in'));
  sections.push(pv.environments.length
    ? el('ul', { 'data-testid': 'details-environments' }, ...pv.environments.map((e) => el('li', {}, envLabel(e))))
    : hint('No environment.'));
  const runs = pv.solved.filter((s) => s.error || s.errorUnparseable || s.errorUnsolvable);
  if (runs.length) {
    sections.push(el('h3', {}, 'Solver errors here'));
    sections.push(el('ul', {}, ...runs.map((s) => el('li', {},
      `${s.solverName} ${s.solverVersion}: `,
      [s.error && 'error', s.errorUnparseable && 'unparseable', s.errorUnsolvable && 'unsolvable'].filter(Boolean).join(', '),
      el('div', { class: 'muted' }, s.documentId)))));
  }
  sections.push(el('h3', {}, `Dependencies here (${pv.dependencies.length})`));
  if (pv.dependencies.length) {
    sections.push(el('table', { 'data-testid': 'details-dependencies' },
      el('tr', {}, el('th', {}, 'package'), el('th', {}, 'range'), el('th', {}, 'marker / extra'), el('th', {}, 'resolves to')),
      ...pv.dependencies.map((dep) => el('tr', {},
        el('td', {}, dep.name, dep.extras.length ? `[${dep.extras.join(',')}]` : ''),
        el('td', {}, el('code', {}, dep.versionRange)),
        el('td', {},
          dep.marker ? el('code', { class: 'marker', title: `evaluated ${dep.markerEvaluationResult}` }, dep.marker) : null,
          dep.marker && dep.markerEvaluationResult === false ? el('span', { class: 'muted' }, ' (false here)') : null,
          dep.extra ? el('div', {}, `extra: ${dep.extra}`) : null,
          !dep.marker && !dep.extra ? el('span', { class: 'muted' }, '–') : null),
        el('td', {}, dep.resolvedVersions.map((v) => v.version).join(', ') || el('span', { class: 'muted' }, 'none'))))));
  } else {
    sections.push(hint(d.solved ? 'No dependencies.' : 'Not solved in this environment, so no edges.'));
  }
  sections.push(el('h3', {}, 'Dependents'));
  sections.push(el('p', { 'data-testid': 'details-dependents' },
    `${pv.dependents.totalCount} version${pv.dependents.totalCount === 1 ? '' : 's'} in this environment depend${pv.dependents.totalCount === 1 ? 's' : ''} on it.`));
  if (pv.vulnerabilities.length) {
    sections.push(el('h3', {}, `Vulnerabilities (${pv.vulnerabilities.length})`));
    sections.push(el('ul', { 'data-testid': 'details-vulnerabilities' }, ...pv.vulnerabilities.map((v) => el('li', {},
      el('a', { href: advisoryURL(v), target: '_blank', rel: 'noopener noreferrer' }, el('strong', {}, v.id)),
      v.summary ? ` ${v.summary}` : '',
      el('div', { class: 'muted' }, v.fixedIn ? `fixed in ${v.fixedIn}` : 'no fixed version known')))));
  }
  details.replaceChildren(...head, ...sections);
}

function reRoot(d) {
  const vars = { ...lastResult.variables, name: d.name, version: d.version, indexUrl: d.indexUrl || undefined, extras: d.extras || [] };
  pkgInput.value = d.name;
  extrasInput.value = vars.extras.join(',');
  loadVersions(d.name, d.version).catch(() => {});
  draw(vars, true);
}

// ---- exports ----

function download(name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

const fileStem = () => {
  const v = lastResult.variables;
  return `${v.name}-${v.version}-${envKey(v.environment).replaceAll(':', '-')}`;
};

$('export-png').addEventListener('click', async () => {
  if (!cy) return;
  // The export is drawn at scale 1 or 2, where every label is legible.
  allLabels();
  let blob;
  try {
    blob = await cy.png({ output: 'blob-promise', full: true, bg: '#ffffff', scale: cy.nodes().length > DAGRE_MAX_NODES ? 1 : 2, maxWidth: 12000, maxHeight: 12000 });
  } finally {
    updateLabels();
  }
  download(`${fileStem()}.png`, blob);
});
$('export-json').addEventListener('click', () => {
  if (!lastResult) return;
  const body = JSON.stringify({ query: GRAPH_QUERY, variables: lastResult.variables, dependencyGraph: lastResult.graph }, null, 2);
  download(`${fileStem()}.json`, new Blob([body], { type: 'application/json' }));
});
$('fit').addEventListener('click', () => cy && fitView());
// A pointer leaving the canvas quickly may skip the node's mouseout.
$('cy').addEventListener('mouseleave', () => {
  if (!cy) return;
  cy.nodes('.hover').removeClass('hover');
  cy.container().style.cursor = '';
  updateLabels();
});

// ---- start ----

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  draw(readForm(), true);
});
window.addEventListener('popstate', async () => {
  try {
    if (await applyURL()) draw({ ...readForm(), indexUrl: new URLSearchParams(location.search).get('index') || undefined }, false);
  } catch (err) {
    showError(err);
  }
});

function legend() {
  $('legend-depths').replaceChildren(...DEPTH_COLOURS.map(([bg], i) => el('span', { class: 'legend-item' },
    el('span', { class: 'swatch', style: `background:${bg}` }), i === DEPTH_COLOURS.length - 1 ? `${i}+` : String(i))));
}

window.seshatExplorer = { cy: null, draw, get result() { return lastResult; } };

(async function start() {
  legend();
  try {
    await loadEnvironments();
    if (await applyURL()) {
      await draw({ ...readForm(), indexUrl: new URLSearchParams(location.search).get('index') || undefined }, false);
    }
  } catch (err) {
    showError(err);
  }
})();
