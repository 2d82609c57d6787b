// The dependency-graph explorer, in three modes:
// - Graph: one dependencyGraph query drawn version by version (what could be
//   installed) or package by package, any package expanded into its versions;
// - Resolve: requirements and an environment in, the resolve query's lock
//   drawn (what will be installed), each choice explained, conflicts in words;
// - Compare: two dependency graphs (two roots, or one root in two
//   environments) and what the second adds, removes and changes per package.
// The URL carries the mode and its form, so a view can be shared.
import './explorer.css';
import * as canvas from './canvas.js';
import { DEPTH_COLOURS, DIFF_COLOURS } from './palette.js';
import { compareElements, diff } from './compare.js';
import { query } from './gql.js';
import { lockElements, overlayElements, requirementLines, roots } from './lock.js';
import { distinctVersions, packageElements, packageNodeId, versionElements } from './packages.js';
import { newestFirst } from './versions.js';

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

const RESOLVE_QUERY = `query ExplorerResolve($input: ResolveInput!) {
  resolve(input: $input) {
    resolved
    explanation
    requirementsTxt
    pipfileLock
    steps
    statements
    unsolved { id name version indexUrl }
    packages {
      name version indexUrl depth extras candidates reason hashes
      packageVersion { id }
      requiredBy { name version versionRange marker extra constraint }
      vulnerabilities { id summary fixedIn }
    }
  }
}`;

const MODES = ['graph', 'resolve', 'compare'];
const PLACEHOLDERS = {
  graph: 'Choose a package, a version and an environment, then Draw.',
  resolve: 'Write requirements, one per line (PEP 508), choose an environment, then Resolve.',
  compare: 'Choose two versions (or one version in two environments), then Compare.',
};

const $ = (id) => document.getElementById(id);
const form = $('form');
const pkgInput = $('package');
const versionSelect = $('version');
const envSelect = $('environment');
const depthInput = $('depth');
const extrasInput = $('extras');
const markerInput = $('markerTrueOnly');
const viewSelect = $('view');
const details = $('details');

let mode = 'graph';
// Graph mode: the last graph drawn and the packages expanded in its package view.
let lastResult = null; // { variables, graph, queryMs, noVulns }
let expanded = new Set();
// Resolve mode: the last resolution and the candidate graphs drawn under it.
let resolution = null; // { variables, input, lines, data, graphs, queryMs }
// Compare mode: the two graphs and their difference.
let comparison = null; // { variables, a, b, diff, queryMs }
let drawSeq = 0;
let detailSeq = 0;

// ---- errors and status ----

// resolveLines maps the requirements and constraints the last resolve sent
// to their lines in the form, for errors that name one by position.
let resolveLines = null;

function showError(err) {
  const box = $('error');
  for (const id of ['requirements', 'constraints']) $(id).removeAttribute('aria-invalid');
  if (!err) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  let text = err.name === 'GraphQLError' ? `GraphQL error\n${err.message}` : String(err.message || err);
  if (err.errors && err.errors.some((e) => e.extensions && e.extensions.code === 'COMPLEXITY_LIMIT')) {
    text += mode === 'resolve'
      ? '\nThe resolution ran out of its step budget: pin some versions, or add constraints.'
      : '\nA smaller depth keeps the walk within the gateway\'s query cost budget (SESHAT_MAX_COMPLEXITY).';
  }
  if (mode === 'resolve' && err.errors && resolveLines) {
    const where = err.errors.map(inputLine).filter(Boolean);
    for (const w of where) {
      const area = $(w.field);
      area.setAttribute('aria-invalid', 'true');
      const col = w.pos === null ? '' : `, column ${resolveLines[w.field].indents[w.index] + w.pos + 1}`;
      text += `\n\n${w.field === 'requirements' ? 'Requirements' : 'Constraints'}, line ${w.line}${col}:\n  ${w.text}`;
      if (w.pos !== null) text += `\n  ${' '.repeat(w.pos)}^`;
    }
    // The first bad line: the caret where parsing stopped.
    if (where.length) {
      const w = where[0];
      const area = $(w.field);
      const at = resolveLines[w.field].offsets[w.index] + (w.pos || 0);
      area.focus();
      area.setSelectionRange(at, Math.min(at + 1, area.value.length));
    }
  }
  box.textContent = text;
}

// inputLine finds the form line an error of the resolve query is about, by
// its message ("requirements[2]: position 8: ..."): the field, the index
// in the list sent, its line, its text and the 0-based position in it
// (null when the message gives none).
function inputLine(e) {
  const m = /\b(requirements|constraints)\[(\d+)\]/.exec(e.message || '');
  if (!m) return null;
  const field = m[1];
  const index = Number(m[2]);
  const list = resolveLines[field];
  if (!list || index >= list.lines.length) return null;
  const p = /position (\d+)/.exec(e.message);
  return { field, index, line: list.lines[index], text: list.requirements[index], pos: p ? Number(p[1]) : null };
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

// The pickers of a version: a package name, its versions, the environment
// that marks which are solved.
const pickers = [
  { input: pkgInput, select: versionSelect, env: envSelect },
  { input: $('a-package'), select: $('a-version'), env: $('a-environment') },
  { input: $('b-package'), select: $('b-version'), env: $('b-environment') },
];
const envSelects = [envSelect, $('resolve-environment'), $('a-environment'), $('b-environment')];

async function loadEnvironments() {
  const data = await query('query ExplorerEnvironments { environments { osName osVersion pythonVersion } }');
  for (const select of envSelects) {
    select.replaceChildren(...data.environments.map((e) => new Option(envLabel(e), envKey(e))));
    if (!data.environments.length) select.append(new Option('no environments yet', ''));
  }
}

// selectEnv selects key in select, adding it when the gateway did not list it.
function selectEnv(select, key) {
  if (!key) return;
  if (![...select.options].some((o) => o.value === key)) select.append(new Option(key, key));
  select.value = key;
}

let suggestTimer = 0;
for (const picker of pickers) {
  picker.input.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    const prefix = picker.input.value.trim();
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
  picker.input.addEventListener('change', () => {
    const name = picker.input.value.trim();
    if (name && name !== picker.select.dataset.of) loadVersions(picker, name).catch(showError);
  });
  picker.env.addEventListener('change', () => {
    if (picker.input.value.trim()) loadVersions(picker, picker.input.value.trim(), picker.select.value).catch(showError);
  });
}

// loadVersions fills a picker's version select, newest first, marking the
// versions solved in its environment; it keeps `want` selected when present.
async function loadVersions(picker, name, want) {
  if (!name) return;
  const { select } = picker;
  select.dataset.of = name;
  const data = await query(
    `query ExplorerVersions($name: String!) { package(name: $name) {
       versions(first: 200) { edges { node { version indexUrl environments { osName osVersion pythonVersion } } } } } }`,
    { name },
  );
  if (!data.package) {
    select.replaceChildren(want ? new Option(want, want) : new Option('unknown package', ''));
    if (!want) throw new Error(`No package named "${name}" in the knowledge graph.`);
    return;
  }
  const env = picker.env.value;
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
  select.replaceChildren(...opts);
  select.value = want || firstSolved || (opts[0] && opts[0].value) || '';
}

// ---- modes ----

const tabOf = (m) => $(`mode-${m}`);

// setMode shows mode's form, legend and last drawing (or its placeholder).
function setMode(m) {
  mode = m;
  for (const x of MODES) {
    const tab = tabOf(x);
    tab.setAttribute('aria-selected', String(x === m));
    tab.tabIndex = x === m ? 0 : -1;
    $(`legend-${x}`).hidden = x !== m;
  }
  form.hidden = m !== 'graph';
  $('resolve-form').hidden = m !== 'resolve';
  $('compare-form').hidden = m !== 'compare';
  document.body.dataset.mode = m;
  showError(null);
  const has = { graph: lastResult, resolve: resolution, compare: comparison }[m];
  if (has) {
    redraw();
  } else {
    canvas.clear();
    window.seshatExplorer.cy = null;
    placeholder(PLACEHOLDERS[m]);
    setStatus('');
    details.replaceChildren(hint(m === 'graph' ? 'Click a node for its details.' : PLACEHOLDERS[m]));
    for (const id of ['fit', 'export-png', 'export-json']) $(id).disabled = true;
  }
}

function redraw() {
  if (mode === 'graph') drawGraph();
  else if (mode === 'resolve') drawResolution();
  else drawComparison();
}

function placeholder(text) {
  const p = $('placeholder');
  p.hidden = !text;
  p.textContent = text || '';
}

for (const m of MODES) {
  tabOf(m).addEventListener('click', () => {
    if (m === mode) return;
    setMode(m);
    history.pushState(null, '', urlOf(m));
  });
}
// Arrow keys move between the tabs, as in any tab list.
$('modes').addEventListener('keydown', (ev) => {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
  if (!step) return;
  ev.preventDefault();
  const next = MODES[(MODES.indexOf(mode) + step + MODES.length) % MODES.length];
  tabOf(next).focus();
  tabOf(next).click();
});

// urlOf is the URL of a mode's last view, or of the mode alone.
function urlOf(m) {
  if (m === 'graph' && lastResult) return graphURL(lastResult.variables);
  if (m === 'resolve' && resolution) return resolveURL(resolution.variables);
  if (m === 'compare' && comparison) return compareURL(comparison.variables);
  return m === 'graph' ? location.pathname : `${location.pathname}?mode=${m}`;
}

// ---- graph mode: the URL carries the view ----

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
    view: viewSelect.value,
  };
}

function graphURL(v) {
  const p = new URLSearchParams();
  p.set('package', v.name);
  p.set('version', v.version);
  if (v.indexUrl) p.set('index', v.indexUrl);
  if (v.environment) p.set('env', envKey(v.environment));
  p.set('depth', String(v.maxDepth));
  if (v.extras.length) p.set('extras', v.extras.join(','));
  if (!v.markerTrueOnly) p.set('markers', 'all');
  if (v.layout === 'dagre') p.set('layout', 'dagre');
  if (v.view === 'packages') p.set('view', 'packages');
  return `${location.pathname}?${p}`;
}

// applyURL fills the form of the URL's mode and returns whether it names a
// view to draw.
async function applyURL() {
  const p = new URLSearchParams(location.search);
  const m = MODES.includes(p.get('mode')) ? p.get('mode') : 'graph';
  if (m !== mode) setMode(m);
  if (m === 'resolve') return applyResolveURL(p);
  if (m === 'compare') return applyCompareURL(p);
  selectEnv(envSelect, p.get('env'));
  if (p.get('depth')) depthInput.value = p.get('depth');
  extrasInput.value = p.get('extras') || '';
  markerInput.checked = p.get('markers') !== 'all';
  $('layout').value = p.get('layout') === 'dagre' ? 'dagre' : 'depth';
  viewSelect.value = p.get('view') === 'packages' ? 'packages' : 'versions';
  const name = p.get('package');
  if (!name) return false;
  pkgInput.value = name;
  await loadVersions(pickers[0], name, p.get('version') || undefined);
  return Boolean(versionSelect.value);
}

// run draws the view the URL names in its mode.
async function run(push) {
  const p = new URLSearchParams(location.search);
  if (mode === 'resolve') await resolveRun(readResolveForm(), push);
  else if (mode === 'compare') await compareRun(readCompareForm(), push);
  else await draw({ ...readForm(), indexUrl: p.get('index') || undefined }, push);
}

// ---- graph mode: drawing ----

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
  if (mode !== 'graph') setMode('graph');
  if (push) history.pushState(null, '', graphURL(vars));
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
  const graph = data.dependencyGraph;
  if (!graph.root) {
    setStatus('');
    showError(new Error(`${vars.name}==${vars.version}${vars.indexUrl ? ` on ${vars.indexUrl}` : ''} is not in the knowledge graph.`));
    return;
  }
  lastResult = { variables: vars, graph, queryMs: performance.now() - started, noVulns };
  expanded = new Set();
  drawGraph();
  if (graph.root) {
    const root = vars.view === 'packages' ? canvas.current().getElementById(packageNodeId(graph.root.name)) : canvas.current().getElementById(graph.root.id);
    tapped(root, { expand: false });
  }
}

// drawGraph draws lastResult in its view: versions, or packages with those
// in `expanded` drawn as their versions.
function drawGraph() {
  const { graph, variables: vars, queryMs, noVulns } = lastResult;
  const t0 = performance.now();
  const packageView = vars.view === 'packages';
  const elements = packageView ? packageElements(graph, expanded) : versionElements(graph);
  placeholder(elements.nodes.length ? '' : PLACEHOLDERS.graph);
  window.seshatExplorer.layoutMs = canvas.render(elements, { layout: vars.layout, onTap: (n) => tapped(n) });
  window.seshatExplorer.cy = canvas.current();
  const drawn = performance.now();
  const pkgCount = packageView ? elements.packages.size : 0;
  setStatus(
    `${graph.nodes.length} nodes · ${graph.edges.length} edges · depth ${graph.depthReached}` +
      `${graph.truncated ? ' (truncated by maxDepth)' : ''} · query ${Math.round(queryMs)} ms, ` +
      `drawing ${Math.round(drawn - t0)} ms` +
      `${packageView ? ` · package view: ${pkgCount} packages${expanded.size ? `, ${expanded.size} expanded` : ''}` : ''}` +
      `${canvas.edgesOnDemand() ? ` · over ${canvas.MAX_DRAWN_EDGES} edges: only the selected node's are drawn` : ''}` +
      `${noVulns ? ' · vulnerabilities not marked: over the query cost budget at this depth' : ''}`,
  );
  for (const id of ['fit', 'export-png', 'export-json']) $(id).disabled = false;
  details.replaceChildren(hint(packageView ? 'Click a package to expand it into its versions.' : 'Click a node for its details.'));
}

// tapped answers a click on a node according to its kind. A package of the
// package view expands into its versions (unless expand is false).
function tapped(node, { expand = true } = {}) {
  if (!node || node.empty()) return;
  const kind = node.data('kind');
  if (kind === 'package') {
    if (expand) expandPackage(node.data('name'));
    else showPackage(node.data('name'));
  } else if (kind === 'version') {
    showDetails(node);
  } else if (kind === 'pick') {
    showPick(node);
  } else if (kind === 'candidate') {
    showDetails(node);
  } else if (kind === 'requirements') {
    canvas.select(node);
    resolutionSummary();
  } else if (kind === 'diff') {
    showDiff(node);
  }
}

viewSelect.addEventListener('change', () => {
  if (!lastResult || mode !== 'graph') return;
  lastResult.variables = { ...lastResult.variables, view: viewSelect.value };
  expanded = new Set();
  history.pushState(null, '', graphURL(lastResult.variables));
  drawGraph();
});

// nodeOfPackage is the node a package is drawn as: its package node, or
// when expanded its newest version.
function nodeOfPackage(name) {
  const cy = canvas.current();
  const n = cy.getElementById(packageNodeId(name));
  if (n.nonempty()) return n;
  return cy.nodes().filter((x) => x.data('name') === name && x.data('kind') === 'version')
    .sort((a, b) => a.data('depth') - b.data('depth'))[0] || cy.collection();
}

function expandPackage(name, version) {
  expanded.add(name);
  drawGraph();
  const cy = canvas.current();
  const members = cy.nodes().filter((n) => n.data('kind') === 'version' && n.data('name') === name);
  canvas.reveal(members.union(members.neighborhood('node')));
  const target = version ? members.filter((n) => n.data('version') === version)[0] : null;
  if (target) {
    showDetails(target);
  } else {
    canvas.select(members);
    showPackage(name);
  }
}

function collapsePackage(name) {
  expanded.delete(name);
  drawGraph();
  const n = canvas.current().getElementById(packageNodeId(name));
  canvas.reveal(n.union(n.neighborhood('node')));
  canvas.select(n);
  showPackage(name);
}

// showPackage fills the details panel with a package of the package view:
// its versions (each a way to its node), what requires it and what it
// requires.
function showPackage(name) {
  ++detailSeq;
  const p = packageElements(lastResult.graph, new Set()).packages.get(name);
  if (!p) return;
  const node = nodeOfPackage(name);
  if (node.nonempty() && node.data('kind') === 'package') canvas.select(node);
  const isExpanded = expanded.has(name);
  const count = distinctVersions(p);
  const toggle = isExpanded
    ? el('button', { type: 'button', id: 'collapse', onclick: () => collapsePackage(name) }, 'Collapse into one node')
    : el('button', { type: 'button', class: 'primary', id: 'expand', onclick: () => expandPackage(name) }, 'Expand into versions');
  const goTo = (other) => el('button', {
    type: 'button', class: 'link',
    onclick: () => {
      const n = nodeOfPackage(other);
      if (n.empty()) return;
      canvas.select(n);
      canvas.reveal(n);
      if (n.data('kind') === 'package') showPackage(other);
      else showDetails(n);
    },
  }, other);
  details.replaceChildren(
    el('h2', { 'data-testid': 'details-title' }, name),
    el('div', {},
      tag(`depth ${p.depth}`),
      tag(`${count} version${count === 1 ? '' : 's'}`),
      p.solved < p.versions.length ? tag(`${p.versions.length - p.solved} not solved here`, 'bad') : tag('all solved here', 'good'),
      p.vulnerable ? tag(`⚠ ${p.vulnerable} vulnerable`, 'bad') : null),
    el('div', { class: 'actions' }, toggle),
    el('h3', {}, `Versions in this graph (${p.versions.length})`),
    el('ul', { 'data-testid': 'package-versions', class: 'plain' }, ...p.versions.map((v) => el('li', {},
      el('button', {
        type: 'button', class: 'link', 'data-version': v.version,
        onclick: () => {
          if (!expanded.has(name)) {
            expandPackage(name, v.version);
            return;
          }
          const n = canvas.current().getElementById(v.id);
          canvas.reveal(n);
          showDetails(n);
        },
      }, `${v.vulnerable ? '⚠ ' : ''}${v.version}`),
      ' ', tag(`depth ${v.depth}`),
      v.solved ? null : tag('not solved here', 'bad'),
      v.solverError ? tag('solver error', 'bad') : null,
      v.indexUrl && v.indexUrl !== 'https://pypi.org/simple' ? el('span', { class: 'muted' }, ` ${v.indexUrl}`) : null))),
    el('h3', {}, `Required by (${p.requiredBy.length})`),
    p.requiredBy.length ? el('ul', { class: 'inline' }, ...p.requiredBy.map((x) => el('li', {}, goTo(x)))) : hint(p.root ? 'The root.' : 'Nothing in this graph.'),
    el('h3', {}, `Requires (${p.requires.length})`),
    p.requires.length ? el('ul', { class: 'inline' }, ...p.requires.map((x) => el('li', {}, goTo(x)))) : hint('Nothing in this graph.'),
  );
}

// ---- details panel ----

function el(tagName, attrs = {}, ...children) {
  const e = document.createElement(tagName);
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

// modeEnvironment is the environment the current drawing is of.
const modeEnvironment = () => (mode === 'resolve' ? resolution.variables.environment : lastResult.variables.environment);

// showDetails fills the details panel with a version: the environments it
// is solved in, its requirements there, its dependents and advisories.
async function showDetails(node) {
  if (!node || node.empty()) return;
  const seq = ++detailSeq;
  canvas.select(node);
  const d = node.data();
  const env = modeEnvironment();
  const actions = [];
  if (mode === 'graph') {
    actions.push(el('button', { type: 'button', class: 'primary', id: 'reroot', onclick: () => reRoot(d, env) }, 'Re-root here'));
    if (lastResult.variables.view === 'packages') {
      actions.push(el('button', { type: 'button', id: 'collapse', onclick: () => collapsePackage(d.name) }, `Collapse ${d.name}`));
    }
  } else {
    actions.push(el('button', { type: 'button', class: 'primary', id: 'reroot', onclick: () => reRoot(d, env) }, 'Draw its graph'));
  }
  let chosen = null;
  if (d.kind === 'candidate') {
    const pick = resolution.data.packages.find((p) => p.name === d.name);
    chosen = tag(pick ? `not chosen: the lock has ${pick.version}` : 'not in the lock', 'bad');
    actions.push(el('button', { type: 'button', onclick: resolutionSummary }, 'Back to the resolution'));
  }
  const head = [
    el('h2', { 'data-testid': 'details-title' }, `${d.name}==${d.version}`),
    el('div', {},
      tag(`depth ${d.depth}`),
      chosen,
      d.solved ? tag('solved here', 'good') : tag('not solved here', 'bad'),
      d.solverError ? tag('solver error', 'bad') : null,
      d.vulnerable ? tag(`⚠ ${d.vulnerabilities.length} vulnerabilit${d.vulnerabilities.length === 1 ? 'y' : 'ies'}`, 'bad') : null,
      d.extras && d.extras.length ? tag(`extras: ${d.extras.join(', ')}`) : null),
    d.indexUrl ? el('div', { class: 'muted' }, d.indexUrl) : null,
    el('div', { class: 'actions' }, ...actions),
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

// reRoot draws the graph of a version (in graph mode), from any mode.
function reRoot(d, env) {
  const base = lastResult && mode === 'graph'
    ? lastResult.variables
    : { ...readForm(), maxDepth: Math.max(1, parseInt(depthInput.value, 10) || 5) };
  const vars = { ...base, name: d.name, version: d.version, environment: env, indexUrl: d.indexUrl || undefined, extras: d.extras || [] };
  pkgInput.value = d.name;
  extrasInput.value = vars.extras.join(',');
  selectEnv(envSelect, envKey(env));
  loadVersions(pickers[0], d.name, d.version).catch(() => {});
  draw(vars, true);
}

// ---- resolve mode ----

function readResolveForm() {
  return {
    requirements: $('requirements').value,
    constraints: $('constraints').value,
    environment: envFromKey($('resolve-environment').value),
    strategy: $('strategy').value === 'OLDEST' ? 'OLDEST' : 'LATEST',
    allowPrereleases: $('prereleases').checked,
    excludeVulnerable: $('exclude-vulnerable').checked,
    alternatives: $('alternatives').checked,
  };
}

function resolveURL(v) {
  const p = new URLSearchParams();
  p.set('mode', 'resolve');
  for (const r of requirementLines(v.requirements).requirements) p.append('req', r);
  for (const c of requirementLines(v.constraints).requirements) p.append('con', c);
  if (v.environment) p.set('env', envKey(v.environment));
  if (v.strategy === 'OLDEST') p.set('strategy', 'OLDEST');
  if (v.allowPrereleases) p.set('pre', '1');
  if (v.excludeVulnerable) p.set('novuln', '1');
  if (v.alternatives) p.set('alternatives', '1');
  return `${location.pathname}?${p}`;
}

function applyResolveURL(p) {
  const reqs = p.getAll('req');
  if (reqs.length) $('requirements').value = reqs.join('\n');
  $('constraints').value = p.getAll('con').join('\n');
  selectEnv($('resolve-environment'), p.get('env'));
  $('strategy').value = p.get('strategy') === 'OLDEST' ? 'OLDEST' : 'LATEST';
  $('prereleases').checked = p.get('pre') === '1';
  $('exclude-vulnerable').checked = p.get('novuln') === '1';
  $('alternatives').checked = p.get('alternatives') === '1';
  return reqs.length > 0;
}

async function resolveRun(vars, push) {
  const seq = ++drawSeq;
  showError(null);
  const req = requirementLines(vars.requirements);
  const con = requirementLines(vars.constraints);
  if (!req.requirements.length) {
    showError(new Error('Write at least one requirement, one per line (PEP 508), e.g. flask>=2,<3.'));
    return;
  }
  if (!vars.environment) {
    showError(new Error('Choose an environment (none is known until a solver document is ingested).'));
    return;
  }
  if (mode !== 'resolve') setMode('resolve');
  if (push) history.pushState(null, '', resolveURL(vars));
  document.title = `Resolve ${req.requirements.join(', ')} · Seshat explorer`;
  const input = {
    requirements: req.requirements,
    environment: vars.environment,
    constraints: con.requirements.length ? con.requirements : null,
    allowPrereleases: vars.allowPrereleases,
    excludeVulnerable: vars.excludeVulnerable,
    strategy: vars.strategy,
  };
  resolveLines = { requirements: req, constraints: con };
  $('resolve').disabled = true;
  setStatus(`Resolving ${req.requirements.length} requirement${req.requirements.length === 1 ? '' : 's'} in ${envLabel(vars.environment)}…`);
  const started = performance.now();
  let data;
  let graphs = null;
  try {
    data = (await query(RESOLVE_QUERY, { input })).resolve;
    if (data.resolved && vars.alternatives) graphs = await candidateGraphs(data, vars.environment);
  } catch (err) {
    if (seq === drawSeq) {
      // What is drawn answered other input: it goes.
      resolution = null;
      canvas.clear();
      window.seshatExplorer.cy = null;
      placeholder('No resolution: the gateway refused the input (the error is above).');
      details.replaceChildren(hint('Correct the input and Resolve again.'));
      for (const id of ['fit', 'export-png', 'export-json']) $(id).disabled = true;
      showError(err);
      setStatus('');
    }
    return;
  } finally {
    if (seq === drawSeq) $('resolve').disabled = false;
  }
  if (seq !== drawSeq) return;
  resolution = { variables: vars, input, data, graphs, queryMs: performance.now() - started };
  drawResolution();
}

// candidateGraphs are the dependency graphs of the roots' chosen versions,
// as deep as the lock: the versions that could have been chosen.
async function candidateGraphs(res, environment) {
  const depth = Math.max(1, ...res.packages.map((p) => p.depth));
  return Promise.all(roots(res).map(async (p) => (await query(PLAIN_QUERY, {
    root: { name: p.name, version: p.version, indexUrl: p.indexUrl || null },
    environment,
    maxDepth: depth - 1,
    extras: p.extras.length ? p.extras : null,
    markerTrueOnly: true,
  })).dependencyGraph));
}

function drawResolution() {
  const { data, graphs, queryMs, variables: vars } = resolution;
  const t0 = performance.now();
  for (const id of ['fit', 'export-png']) $(id).disabled = !data.resolved;
  $('export-json').disabled = false;
  if (!data.resolved) {
    canvas.clear();
    window.seshatExplorer.cy = null;
    placeholder('No resolution: the requirements conflict (the explanation is on the right).');
    setStatus(`Not resolvable in ${envLabel(vars.environment)} · ${data.steps} steps · ${data.statements} statements · query ${Math.round(queryMs)} ms`);
    resolutionSummary();
    return;
  }
  const elements = graphs ? overlayElements(data, graphs) : lockElements(data);
  placeholder('');
  canvas.render(elements, { onTap: (n) => tapped(n) });
  window.seshatExplorer.cy = canvas.current();
  const others = elements.nodes.filter((n) => n.data.kind === 'candidate').length;
  setStatus(
    `Resolved: ${data.packages.length} package${data.packages.length === 1 ? '' : 's'} · ${elements.edges.filter((e) => e.classes.includes('lock')).length} links` +
      `${graphs ? ` · over ${others} other candidate versions (faded)` : ''}` +
      ` · ${data.steps} steps · ${data.statements} statements · query ${Math.round(queryMs)} ms, drawing ${Math.round(performance.now() - t0)} ms`,
  );
  resolutionSummary();
}

// resolutionSummary fills the details panel with the resolution: the lock's
// packages (each a way to its node) and its files, or the explanation.
function resolutionSummary() {
  ++detailSeq;
  const { data, variables: vars } = resolution;
  const head = el('h2', { 'data-testid': 'details-title' }, data.resolved ? 'Resolution' : 'No resolution');
  const tags = el('div', {},
    data.resolved ? tag(`${data.packages.length} packages`, 'good') : tag('conflict', 'bad'),
    tag(vars.strategy === 'OLDEST' ? 'oldest' : 'latest'),
    tag(envLabel(vars.environment)),
    vars.allowPrereleases ? tag('pre-releases allowed') : null,
    vars.excludeVulnerable ? tag('vulnerable excluded') : null);
  const unsolved = data.unsolved.length ? [
    el('h3', {}, `Skipped: not solved here (${data.unsolved.length})`),
    el('details', {},
      el('summary', {}, `${data.unsolved.length} candidate version${data.unsolved.length === 1 ? '' : 's'} no solver has run for in this environment`),
      el('ul', { 'data-testid': 'resolve-unsolved', class: 'inline' }, ...data.unsolved.map((u) => el('li', {}, `${u.name}==${u.version}`)))),
  ] : [];
  if (!data.resolved) {
    details.replaceChildren(head, tags,
      el('h3', {}, 'Why'),
      el('p', { class: 'explanation', 'data-testid': 'resolve-explanation' }, data.explanation || 'The requirements cannot all be met.'),
      ...unsolved);
    return;
  }
  const files = el('div', { class: 'actions wrap' },
    el('button', { type: 'button', id: 'copy-requirements', onclick: copyRequirements }, 'Copy requirements.txt'),
    el('button', { type: 'button', id: 'download-requirements', onclick: () => download('requirements.txt', new Blob([data.requirementsTxt || ''], { type: 'text/plain' })) }, 'Download requirements.txt'),
    el('button', { type: 'button', id: 'download-pipfile-lock', onclick: () => download('Pipfile.lock', new Blob([JSON.stringify(data.pipfileLock, null, 4)], { type: 'application/json' })) }, 'Download Pipfile.lock'));
  const rows = data.packages.map((p) => el('tr', { 'data-name': p.name },
    el('td', {}, el('button', {
      type: 'button', class: 'link',
      onclick: () => {
        const n = canvas.current().getElementById(p.packageVersion.id);
        canvas.reveal(n);
        showPick(n);
      },
    }, `${p.vulnerabilities.length ? '⚠ ' : ''}${p.name}==${p.version}`)),
    el('td', {}, String(p.depth)),
    el('td', {}, String(p.candidates))));
  details.replaceChildren(head, tags, files, el('p', { class: 'muted', id: 'copy-status', 'aria-live': 'polite' }),
    el('h3', {}, `Packages (${data.packages.length})`),
    el('table', { 'data-testid': 'resolve-packages' },
      el('tr', {}, el('th', {}, 'chosen version'), el('th', {}, 'depth'), el('th', { title: 'admissible versions there were' }, 'candidates')),
      ...rows),
    ...unsolved,
    el('h3', {}, 'requirements.txt'),
    el('pre', { 'data-testid': 'requirements-txt', class: 'file', tabindex: '0' }, data.requirementsTxt || ''));
}

async function copyRequirements() {
  const text = resolution.data.requirementsTxt || '';
  const status = $('copy-status');
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'requirements.txt copied to the clipboard.';
  } catch {
    // No clipboard permission: select the text for Ctrl-C instead.
    const pre = details.querySelector('[data-testid="requirements-txt"]');
    const range = document.createRange();
    range.selectNodeContents(pre);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = 'The clipboard is not available here: requirements.txt is selected below, copy it with Ctrl-C.';
  }
}

// showPick fills the details panel with one chosen version: why it was
// chosen, what requires it, its hashes and advisories.
function showPick(node) {
  if (!node || node.empty()) return;
  ++detailSeq;
  canvas.select(node);
  const p = resolution.data.packages.find((x) => x.packageVersion.id === node.id());
  if (!p) return;
  const env = resolution.variables.environment;
  details.replaceChildren(
    el('h2', { 'data-testid': 'details-title' }, `${p.name}==${p.version}`),
    el('div', {},
      tag('chosen', 'good'),
      tag(`depth ${p.depth}`),
      tag(`${p.candidates} candidate${p.candidates === 1 ? '' : 's'}`),
      p.extras.length ? tag(`extras: ${p.extras.join(', ')}`) : null,
      p.vulnerabilities.length ? tag(`⚠ ${p.vulnerabilities.length} vulnerabilit${p.vulnerabilities.length === 1 ? 'y' : 'ies'}`, 'bad') : null),
    p.indexUrl ? el('div', { class: 'muted' }, p.indexUrl) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: resolutionSummary }, 'Back to the resolution'),
      el('button', { type: 'button', id: 'reroot', onclick: () => reRoot({ name: p.name, version: p.version, indexUrl: p.indexUrl, extras: p.extras }, env) }, 'Draw its graph')),
    el('h3', {}, 'Why this version'),
    el('p', { 'data-testid': 'pick-reason' }, p.reason),
    el('h3', {}, `Required by (${p.requiredBy.length})`),
    el('table', { 'data-testid': 'pick-required-by' },
      el('tr', {}, el('th', {}, 'by'), el('th', {}, 'range'), el('th', {}, 'marker / extra')),
      ...p.requiredBy.map((r) => el('tr', {},
        el('td', {}, r.name === 'root' ? (r.constraint ? 'constraint' : 'requirements') : `${r.name}==${r.version}`),
        el('td', {}, el('code', {}, r.versionRange)),
        el('td', {},
          r.marker ? el('code', { class: 'marker' }, r.marker) : null,
          r.extra ? el('div', {}, `extra: ${r.extra}`) : null,
          !r.marker && !r.extra ? el('span', { class: 'muted' }, '–') : null)))),
    el('h3', {}, `Hashes (${p.hashes.length})`),
    p.hashes.length
      ? el('ul', { 'data-testid': 'pick-hashes', class: 'plain' }, ...p.hashes.map((h) => el('li', {}, el('code', { class: 'hash' }, h))))
      : hint('No artifact hash known.'),
    el('h3', {}, `Vulnerabilities (${p.vulnerabilities.length})`),
    p.vulnerabilities.length
      ? el('ul', { 'data-testid': 'pick-vulnerabilities' }, ...p.vulnerabilities.map((v) => el('li', {},
        el('a', { href: advisoryURL(v), target: '_blank', rel: 'noopener noreferrer' }, el('strong', {}, v.id)),
        v.summary ? ` ${v.summary}` : '',
        el('div', { class: 'muted' }, v.fixedIn ? `fixed in ${v.fixedIn}` : 'no fixed version known'))))
      : hint('None known.'),
  );
}

$('resolve-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  resolveRun(readResolveForm(), true);
});
// Ctrl-Enter in a text area resolves, as Enter does in the other fields.
for (const id of ['requirements', 'constraints']) {
  $(id).addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      $('resolve-form').requestSubmit();
    }
  });
}

// ---- compare mode ----

function readCompareForm() {
  const side = (x) => ({
    name: $(`${x}-package`).value.trim(),
    version: $(`${x}-version`).value,
    environment: envFromKey($(`${x}-environment`).value),
  });
  return {
    a: side('a'),
    b: side('b'),
    maxDepth: Math.max(1, parseInt($('compare-depth').value, 10) || 10),
    layout: 'depth',
  };
}

const sideLabel = (s) => `${s.name}==${s.version}`;

function compareURL(v) {
  const p = new URLSearchParams();
  p.set('mode', 'compare');
  p.set('a', sideLabel(v.a));
  p.set('b', sideLabel(v.b));
  if (v.a.environment) p.set('env', envKey(v.a.environment));
  if (v.b.environment && (!v.a.environment || envKey(v.b.environment) !== envKey(v.a.environment))) p.set('envB', envKey(v.b.environment));
  p.set('depth', String(v.maxDepth));
  return `${location.pathname}?${p}`;
}

async function applyCompareURL(p) {
  const parse = (s) => {
    const [name, version] = (s || '').split('==');
    return { name: (name || '').trim(), version: (version || '').trim() };
  };
  const a = parse(p.get('a'));
  const b = parse(p.get('b') || p.get('a'));
  selectEnv($('a-environment'), p.get('env'));
  selectEnv($('b-environment'), p.get('envB') || p.get('env'));
  if (p.get('depth')) $('compare-depth').value = p.get('depth');
  const sides = [[pickers[1], a], [pickers[2], b]];
  for (const [picker, s] of sides) {
    if (!s.name) continue;
    picker.input.value = s.name;
    await loadVersions(picker, s.name, s.version || undefined);
  }
  return Boolean(a.name && a.version && b.name && b.version);
}

async function compareRun(vars, push) {
  const seq = ++drawSeq;
  showError(null);
  for (const [x, s] of [['A', vars.a], ['B', vars.b]]) {
    if (!s.name || !s.version) {
      showError(new Error(`Choose a package and a version for ${x}.`));
      return;
    }
    if (!s.environment) {
      showError(new Error(`Choose an environment for ${x} (none is known until a solver document is ingested).`));
      return;
    }
  }
  if (mode !== 'compare') setMode('compare');
  if (push) history.pushState(null, '', compareURL(vars));
  document.title = `${sideLabel(vars.a)} vs ${sideLabel(vars.b)} · Seshat explorer`;
  $('compare').disabled = true;
  setStatus(`Querying ${sideLabel(vars.a)} and ${sideLabel(vars.b)}…`);
  const started = performance.now();
  let graphs;
  try {
    graphs = await Promise.all([vars.a, vars.b].map(async (s) => (await query(PLAIN_QUERY, {
      root: { name: s.name, version: s.version },
      environment: s.environment,
      maxDepth: vars.maxDepth,
      markerTrueOnly: true,
    })).dependencyGraph));
  } catch (err) {
    if (seq === drawSeq) {
      showError(err);
      setStatus('');
    }
    return;
  } finally {
    if (seq === drawSeq) $('compare').disabled = false;
  }
  if (seq !== drawSeq) return;
  const missing = [[vars.a, graphs[0]], [vars.b, graphs[1]]].filter(([, g]) => !g.root).map(([s]) => sideLabel(s));
  if (missing.length) {
    setStatus('');
    showError(new Error(`${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not in the knowledge graph.`));
    return;
  }
  comparison = { variables: vars, a: graphs[0], b: graphs[1], diff: diff(graphs[0], graphs[1]), queryMs: performance.now() - started };
  drawComparison();
}

// sideTitle names a side of the comparison, with its environment when the
// two differ.
function sideTitle(s, other) {
  const e = envKey(s.environment) !== envKey(other.environment) ? ` in ${envLabel(s.environment)}` : '';
  return `${sideLabel(s)}${e}`;
}

function drawComparison() {
  const { a, b, diff: d, variables: vars, queryMs } = comparison;
  const t0 = performance.now();
  const elements = compareElements(a, b, d);
  placeholder('');
  canvas.render(elements, { onTap: (n) => tapped(n) });
  window.seshatExplorer.cy = canvas.current();
  for (const id of ['fit', 'export-png', 'export-json']) $(id).disabled = false;
  const total = d.added.length + d.removed.length + d.changed.length + d.same.length;
  setStatus(
    `A ${sideTitle(vars.a, vars.b)}: ${a.nodes.length} versions · B ${sideTitle(vars.b, vars.a)}: ${b.nodes.length} versions · ` +
      `${total} packages: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.same.length} unchanged` +
      `${a.truncated || b.truncated ? ' (truncated by maxDepth)' : ''} · query ${Math.round(queryMs)} ms, drawing ${Math.round(performance.now() - t0)} ms`,
  );
  compareSummary();
}

const versionList = (vs, cls) => el('span', { class: 'versions' }, ...vs.map((v) => el('code', { class: cls }, v)));

// compareSummary fills the details panel with the difference: what B adds,
// removes and changes, each entry a way to its node.
function compareSummary() {
  ++detailSeq;
  const { diff: d, variables: vars } = comparison;
  const goTo = (name, text) => el('button', {
    type: 'button', class: 'link',
    onclick: () => {
      const n = canvas.current().getElementById(packageNodeId(name));
      canvas.reveal(n);
      showDiff(n);
    },
  }, text);
  const section = (kind, title, entries, body) => [
    el('h3', {}, `${title} (${entries.length})`),
    entries.length
      ? el('ul', { 'data-testid': `diff-${kind}`, class: `diff ${kind}` }, ...entries.map((e) => el('li', { 'data-name': e.name }, goTo(e.name, e.name), ' ', body(e))))
      : hint('None.'),
  ];
  details.replaceChildren(
    el('h2', { 'data-testid': 'details-title' }, `${sideTitle(vars.a, vars.b)} → ${sideTitle(vars.b, vars.a)}`),
    el('p', { class: 'muted' }, 'What B adds, removes and changes in the closure of A: the versions of each package the graphs reach.'),
    ...section('added', 'Added', d.added, (e) => versionList(e.versions, 'plus')),
    ...section('removed', 'Removed', d.removed, (e) => versionList(e.versions, 'minus')),
    ...section('changed', 'Changed', d.changed, (e) => el('span', {}, versionList(e.added.map((v) => `+${v}`), 'plus'), versionList(e.removed.map((v) => `−${v}`), 'minus'))),
    el('h3', {}, `Unchanged (${d.same.length})`),
    d.same.length ? el('details', {}, el('summary', {}, `${d.same.length} package${d.same.length === 1 ? '' : 's'} with the same versions`), el('p', { 'data-testid': 'diff-same' }, d.same.join(', '))) : hint('None.'),
  );
}

// showDiff fills the details panel with one package of the comparison: its
// versions in A and in B, those B adds and removes marked.
function showDiff(node) {
  if (!node || node.empty()) return;
  ++detailSeq;
  canvas.select(node);
  const { a, b, diff: d, variables: vars } = comparison;
  const name = node.data('name');
  const status = node.data('status');
  const side = (graph) => newestFirst([...new Set(graph.nodes.filter((n) => n.name === name).map((n) => n.version))]);
  const entry = d.changed.find((e) => e.name === name);
  const va = entry ? entry.a : side(a);
  const vb = entry ? entry.b : side(b);
  const onlyA = new Set(va.filter((v) => !vb.includes(v)));
  const onlyB = new Set(vb.filter((v) => !va.includes(v)));
  const words = { added: 'added by B', removed: 'removed by B', changed: 'versions changed', same: 'unchanged' };
  details.replaceChildren(
    el('h2', { 'data-testid': 'details-title' }, name),
    el('div', {}, tag(words[status], status === 'same' ? '' : status === 'removed' ? 'bad' : 'good'), tag(`depth ${node.data('depth')}`)),
    el('div', { class: 'actions' }, el('button', { type: 'button', onclick: compareSummary }, 'Back to the comparison')),
    el('h3', {}, `In A, ${sideTitle(vars.a, vars.b)} (${va.length})`),
    va.length ? el('p', { 'data-testid': 'diff-versions-a', class: 'versions' }, ...va.map((v) => el('code', { class: onlyA.has(v) ? 'minus' : '' }, v))) : hint('Not in the graph.'),
    el('h3', {}, `In B, ${sideTitle(vars.b, vars.a)} (${vb.length})`),
    vb.length ? el('p', { 'data-testid': 'diff-versions-b', class: 'versions' }, ...vb.map((v) => el('code', { class: onlyB.has(v) ? 'plus' : '' }, v))) : hint('Not in the graph.'),
  );
}

$('compare-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  compareRun(readCompareForm(), true);
});
// B starts as A's package: a version bump is the usual comparison.
$('a-package').addEventListener('change', () => {
  const b = $('b-package');
  if (!b.value.trim() && $('a-package').value.trim()) {
    b.value = $('a-package').value.trim();
    b.dispatchEvent(new Event('change'));
  }
});

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
  if (mode === 'resolve') return `resolve-${envKey(resolution.variables.environment).replaceAll(':', '-')}`;
  if (mode === 'compare') {
    const v = comparison.variables;
    return `compare-${v.a.name}-${v.a.version}-${v.b.name}-${v.b.version}`;
  }
  const v = lastResult.variables;
  return `${v.name}-${v.version}-${envKey(v.environment).replaceAll(':', '-')}`;
};

$('export-png').addEventListener('click', async () => {
  if (!canvas.current()) return;
  download(`${fileStem()}.png`, await canvas.png());
});
$('export-json').addEventListener('click', () => {
  let body;
  if (mode === 'resolve' && resolution) {
    body = { query: RESOLVE_QUERY, variables: { input: resolution.input }, resolve: resolution.data };
  } else if (mode === 'compare' && comparison) {
    const { a, b, diff: d, variables: v } = comparison;
    body = { query: PLAIN_QUERY, a: { root: v.a, dependencyGraph: a }, b: { root: v.b, dependencyGraph: b }, diff: d };
  } else if (lastResult) {
    body = { query: GRAPH_QUERY, variables: lastResult.variables, dependencyGraph: lastResult.graph };
  } else {
    return;
  }
  download(`${fileStem()}.json`, new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }));
});
$('fit').addEventListener('click', () => canvas.fitView());

// ---- start ----

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  draw(readForm(), true);
});
window.addEventListener('popstate', async () => {
  try {
    if (await applyURL()) await run(false);
  } catch (err) {
    showError(err);
  }
});

function legend() {
  $('legend-depths').replaceChildren(...DEPTH_COLOURS.map(([bg], i) => el('span', { class: 'legend-item' },
    el('span', { class: 'swatch', style: `background:${bg}` }), i === DEPTH_COLOURS.length - 1 ? `${i}+` : String(i))));
  const words = { added: 'added by B', removed: 'removed by B', changed: 'versions changed', same: 'unchanged' };
  $('legend-diff').replaceChildren(...Object.entries(DIFF_COLOURS).map(([k, [bg]]) => el('span', { class: 'legend-item' },
    el('span', { class: 'swatch', style: `background:${bg}` }), words[k])));
}

window.seshatExplorer = {
  cy: null,
  draw,
  get mode() { return mode; },
  get result() { return lastResult; },
  get resolution() { return resolution; },
  get comparison() { return comparison; },
  get expanded() { return [...expanded]; },
};

(async function start() {
  legend();
  try {
    await loadEnvironments();
    if (await applyURL()) await run(false);
  } catch (err) {
    showError(err);
  }
})();
