// Browser test of the playground and the explorer against a running gateway
// with sample data: node browser.test.mjs <base URL> <artifacts dir>.
//
// Environment: CHROMIUM (default /usr/bin/chromium); SESHAT_E2E_ROOT
// ("name==version") and SESHAT_E2E_ENV ("os:version:python") pick the graph
// to draw, otherwise the first sample package whose graph has 50 to 150
// nodes; SESHAT_E2E_LARGE_ROOT ("name==version", default the same root)
// the graph of the large-graph step, drawn when it has 1,000 nodes or more,
// and of the level-of-detail step (the first depth giving several hundred
// nodes); SESHAT_E2E_TOKEN the secret of an ingest token the gateway was
// started with (SESHAT_API_TOKENS), for the playground's mutation example.
// Every request the pages make is recorded; one that leaves the machine
// fails the test (and is not sent).
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tabs as examples, placeholder } from '../web/src/examples.js';

const base = (process.argv[2] || '').replace(/\/$/, '');
const artifacts = process.argv[3] || 'test-artifacts';
if (!base) {
  console.error('usage: node browser.test.mjs <base URL> [artifacts dir]');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const MIN_NODES = 50;
// The smallest rendered font, in CSS pixels, a label may be drawn at.
const MIN_LABEL_PX = 9;
const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}

async function gql(query, variables) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const json = await res.json();
  if (json.errors) throw new Failure(`GraphQL errors: ${JSON.stringify(json.errors)}`);
  return json.data;
}

const envKey = (e) => `${e.osName}:${e.osVersion}:${e.pythonVersion}`;

// pickRoot finds a version whose dependency graph (maxDepth 5) has at least
// MIN_NODES nodes, asking the gateway directly (not through the page).
async function pickRoot() {
  const { environments } = await gql('{ environments { osName osVersion pythonVersion } }');
  check(environments.length > 0, 'the gateway knows no environment: was sample data loaded?');
  let envs = environments;
  if (process.env.SESHAT_E2E_ENV) envs = environments.filter((e) => envKey(e) === process.env.SESHAT_E2E_ENV);
  check(envs.length > 0, `environment ${process.env.SESHAT_E2E_ENV} is not known`);
  const graphSize = async (name, version, environment) => {
    const d = await gql(
      `query($r: PackageVersionInput!, $e: EnvironmentInput!) {
         dependencyGraph(root: $r, environment: $e, maxDepth: 5) { nodes { id } } }`,
      { r: { name, version }, e: environment },
    );
    return d.dependencyGraph.nodes.length;
  };
  if (process.env.SESHAT_E2E_ROOT) {
    const [name, version] = process.env.SESHAT_E2E_ROOT.split('==');
    const n = await graphSize(name, version, envs[0]);
    return { name, version, environment: envs[0], nodes: n };
  }
  let best = null;
  let after = null;
  let tried = 0;
  for (let page = 0; page < 10; page++) {
    const d = await gql(
      `query($after: String) { packages(first: 100, after: $after) {
         edges { node { name latestVersion { version environments { osName osVersion pythonVersion } } } }
         pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    for (const { node } of d.packages.edges) {
      const lv = node.latestVersion;
      if (!lv) continue;
      for (const environment of envs) {
        if (!lv.environments.some((e) => envKey(e) === envKey(environment))) continue;
        tried++;
        const n = await graphSize(node.name, lv.version, environment);
        const cand = { name: node.name, version: lv.version, environment, nodes: n };
        // Between 50 and 150 nodes the whole graph is readable at once.
        if (n >= MIN_NODES && n <= 150) return cand;
        if (!best || (n >= MIN_NODES && (best.nodes < MIN_NODES || n < best.nodes)) || (best.nodes < MIN_NODES && n > best.nodes)) best = cand;
        break;
      }
      if (tried >= 200) break;
    }
    if (!d.packages.pageInfo.hasNextPage || tried >= 200) break;
    after = d.packages.pageInfo.endCursor;
  }
  check(best && best.nodes >= MIN_NODES,
    `no sample package with a dependency graph of >= ${MIN_NODES} nodes (largest: ${best ? `${best.name}==${best.version}, ${best.nodes}` : 'none'})`);
  return best;
}

function isLocal(url) {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  try {
    const { hostname } = new URL(url);
    return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
  } catch {
    return false;
  }
}

const requests = [];
const outside = [];
const pageErrors = [];
let browser;

async function shot(page, name) {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path });
  log(`screenshot ${path}`);
}

// editorText returns the lines a Monaco editor shows, in order (Monaco
// renders spaces as no-break spaces; \s matches both).
async function editorText(locator) {
  return locator.evaluate((el) => [...el.querySelectorAll('.view-line')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((l) => l.textContent).join('\n'));
}
const squash = (s) => (s || '').replace(/\s+/g, '');

// runTab presses Run and returns the response pane's whole content parsed,
// with the HTTP status shown below it.
async function runTab(page, title) {
  await page.locator('.graphiql-execute-button').click();
  await page.waitForFunction(() => window.seshatPlayground && window.seshatPlayground.response() &&
    !document.querySelector('.graphiql-execute-button[aria-label*="Stop"]'), null, { timeout: 60000 })
    .catch(() => { throw new Failure(`playground: ${title}: no response after Run`); });
  const text = await page.evaluate(() => window.seshatPlayground.response());
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Failure(`playground: ${title}: the response pane does not hold JSON: ${text.slice(0, 300)}`);
  }
  check(!text.includes('__status'), `playground: ${title}: the response shows a __status key the page added: ${text.slice(-200)}`);
  // The HTTP status shows below the response.
  await page.waitForFunction(() => {
    const want = window.seshatPlayground.status();
    const shown = document.querySelector('[data-testid="response-status"]');
    return want && shown && shown.textContent.startsWith(want.text);
  }, null, { timeout: 5000 }).catch(() => {});
  const status = (await page.locator('[data-testid="response-status"]').textContent({ timeout: 1000 }).catch(() => '')) || '';
  return { body, text, status };
}

// setHeaders types a Headers pane the way a user does.
async function setHeaders(page, value) {
  await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
  const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(value);
  // GraphiQL reads the pane when Run is pressed; give its change handler a moment.
  await page.waitForFunction((v) => window.seshatPlayground.headers() === v, value, { timeout: 5000 });
}

// openExample makes example i the active tab, clicking it only when it is
// not (opening a tab again would fill its panes even where the page failed
// to), and checks that its Variables and Headers panes hold the example's
// (the first lines of them: Monaco draws only what fits).
async function openExample(page, i) {
  const example = examples[i];
  const op = /^(query|mutation) (\w+)/m.exec(example.query);
  const title = op[2];
  const tab = page.locator('.graphiql-tab').nth(i);
  if (!/graphiql-tab-active/.test(await tab.getAttribute('class'))) await tab.locator('button').first().click();
  await page.waitForFunction((want) => (document.querySelector('.graphiql-query-editor')?.textContent || '').replace(/\s+/g, ' ').includes(want),
    `${op[1]} ${title}(`, { timeout: 15000 });
  const pane = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  await page.locator('.graphiql-editor-tools button[data-name="variables"]').click();
  await page.waitForFunction(() => (document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines')?.textContent || '').trim(), null, { timeout: 5000 }).catch(() => {});
  const shown = await editorText(pane);
  check(squash(shown) && squash(example.variables).startsWith(squash(shown)),
    `playground: tab ${title} opens with Variables ${JSON.stringify(shown)}, want ${JSON.stringify(example.variables.slice(0, 200))}`);
  if (example.headers) {
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
    const headers = await editorText(pane);
    check(squash(headers) === squash(example.headers),
      `playground: tab ${title} opens with Headers ${JSON.stringify(headers)}, want ${JSON.stringify(example.headers)}`);
    await page.locator('.graphiql-editor-tools button[data-name="variables"]').click();
  }
  return title;
}

async function playground(context) {
  const token = process.env.SESHAT_E2E_TOKEN;
  check(token, 'SESHAT_E2E_TOKEN is not set: the ingest example needs a token the gateway knows');
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`playground: ${e.message}`));
  log('playground: opening /playground');
  await page.goto(`${base}/playground`);
  await page.locator('.graphiql-container').waitFor({ timeout: 30000 });
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30000 });
  const titles = await page.locator('.graphiql-tab').allTextContents();
  check(titles.length === examples.length, `playground: tabs ${JSON.stringify(titles)}, want the ${examples.length} examples`);

  // Every example runs as it opens, nothing typed: its Variables (and
  // Headers) panes hold the example's.
  for (const [i, example] of examples.entries()) {
    const title = await openExample(page, i);
    const { body, text, status } = await runTab(page, title);
    if (example.headers && example.headers.includes(placeholder)) {
      // Not sent: the page says what goes in place of the placeholder.
      const message = (body.errors || []).map((e) => e.message).join(' ');
      check(!body.data && message.includes(placeholder) && message.includes('Headers') && message.includes('SESHAT_API_TOKENS'),
        `playground: tab ${title} with the header's ${placeholder} does not say what to put there: ${text.slice(0, 300)}`);
      await shot(page, 'playground-token-needed');
      log(`playground: ${title} with ${placeholder} in its header: "${message}"`);

      // A wrong token: the gateway's error and its code show, with the HTTP status.
      await setHeaders(page, JSON.stringify({ Authorization: 'Bearer not-a-token-of-this-gateway' }));
      const wrong = await runTab(page, title);
      const codes = (wrong.body.errors || []).map((e) => e.extensions && e.extensions.code);
      check(codes.includes('UNAUTHENTICATED'), `playground: ${title} with a wrong token does not show UNAUTHENTICATED: ${wrong.text.slice(0, 300)}`);
      check(/HTTP 401/.test(wrong.status), `playground: ${title} with a wrong token shows status "${wrong.status}", want HTTP 401`);
      await shot(page, 'playground-error');
      log(`playground: ${title} with a wrong token shows UNAUTHENTICATED (${wrong.status})`);

      // The test's token: the mutation runs.
      await setHeaders(page, example.headers.replace(placeholder, token));
      const ok = await runTab(page, title);
      // The screenshot shows the variables, not the token.
      await page.locator('.graphiql-editor-tools button[data-name="variables"]').click();
      check(ok.body.data && !ok.body.errors && Object.values(ok.body.data).every((v) => v !== null),
        `playground: ${title} with a valid token: ${ok.text.slice(0, 400)}`);
      check(/HTTP 200/.test(ok.status), `playground: ${title} shows status "${ok.status}", want HTTP 200`);
      await shot(page, 'playground-ingest');
      log(`playground: ${title} with a valid token: ${JSON.stringify(ok.body.data).slice(0, 160)} (${ok.status})`);
      continue;
    }
    check(body.data && !body.errors, `playground: tab ${title} run as it opens: ${text.slice(0, 400)}`);
    const empty = Object.entries(body.data).filter(([, v]) => v === null).map(([k]) => k);
    check(empty.length === 0, `playground: tab ${title} answers null for ${empty.join(', ')}: its variables name nothing in the sample data`);
    check(/HTTP 200/.test(status), `playground: tab ${title} shows status "${status}", want HTTP 200`);
    if (i === 0) await shot(page, 'playground-query');
    log(`playground: ${title} runs as it opens: data.${Object.keys(body.data).join(', data.')} (${text.length} characters, ${status})`);
  }

  // Reloaded, the tabs come back from the browser's storage (headers are
  // not kept there): each still opens with its example's panes.
  await page.reload();
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30000 });
  for (let i = examples.length - 1; i >= 0; i--) await openExample(page, i);
  log('playground: after a reload every example tab opens with its variables and headers');

  // The docs explorer lists the schema's root fields.
  await page.locator('button[aria-label="Show Documentation Explorer"]').click().catch(() => {});
  const docs = page.locator('.graphiql-doc-explorer');
  if (await docs.count() === 0) {
    await page.getByRole('button', { name: /documentation/i }).first().click();
  }
  await docs.waitFor({ timeout: 15000 });
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
  await page.waitForFunction(() => (document.querySelector('.graphiql-doc-explorer')?.textContent || '').includes('dependencyGraph'), null, { timeout: 15000 });
  await shot(page, 'playground-docs');
  log('playground: documentation explorer lists dependencyGraph');
  await page.close();
}

async function nodeCount(page) {
  return page.evaluate(() => window.seshatExplorer.cy ? window.seshatExplorer.cy.nodes().length : 0);
}

async function waitDrawn(page, what) {
  await page.waitForFunction(() => /\d+ nodes ·/.test(document.getElementById('status').textContent) ||
    !document.getElementById('error').hidden, null, { timeout: 60000 });
  const err = await page.locator('#error').evaluate((e) => (e.hidden ? '' : e.textContent));
  check(!err, `explorer: ${what}: error shown: ${err}`);
  return (await page.locator('#status').textContent()) || '';
}

// clickNode clicks a node where it is drawn on the canvas.
async function clickNode(page, id) {
  const pos = await page.evaluate((id) => {
    const { cy } = window.seshatExplorer;
    const n = cy.getElementById(id);
    cy.center(n);
    const p = n.renderedPosition();
    const box = cy.container().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
  await page.mouse.click(pos.x, pos.y);
}

async function explorer(context, root) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer: ${e.message}`));
  log('explorer: opening /explorer');
  await page.goto(`${base}/explorer`);
  const env = envKey(root.environment);
  await page.waitForFunction((env) => [...document.querySelectorAll('#environment option')].some((o) => o.value === env), env, { timeout: 30000 });
  await page.selectOption('#environment', env);
  await page.fill('#package', root.name);
  await page.locator('#package').dispatchEvent('change');
  await page.waitForFunction((v) => [...document.querySelectorAll('#version option')].some((o) => o.value === v), root.version, { timeout: 30000 });
  await page.selectOption('#version', root.version);
  await page.fill('#depth', '5');
  const t0 = Date.now();
  await page.click('#draw');
  const status = await waitDrawn(page, `draw ${root.name}==${root.version}`);
  const n = await nodeCount(page);
  log(`explorer: drew ${root.name}==${root.version} in ${Date.now() - t0} ms: ${status}`);
  check(n >= MIN_NODES, `explorer: ${n} nodes drawn, want >= ${MIN_NODES}`);
  const drawnVars = await page.evaluate(() => JSON.stringify(window.seshatExplorer.result.variables));
  check(n === root.nodes, `explorer: ${n} nodes drawn for ${drawnVars}, the gateway returns ${root.nodes}`);
  const url = new URL(page.url());
  check(url.searchParams.get('package') === root.name && url.searchParams.get('version') === root.version &&
    url.searchParams.get('env') === env && url.searchParams.get('depth') === '5',
    `explorer: the URL does not carry the view: ${page.url()}`);
  await page.locator('#details [data-testid="details-title"]').waitFor({ timeout: 15000 });
  await shot(page, 'explorer-graph');

  // The legend explains the marks.
  const legend = await page.locator('#legend').textContent();
  for (const word of ['not solved', 'solver error', 'vulnerable', 'root']) {
    check(legend.includes(word), `explorer: the legend does not mention "${word}"`);
  }

  // Click a solved node at depth 1 with dependencies of its own.
  const target = await page.evaluate(() => {
    const { cy } = window.seshatExplorer;
    const cands = cy.nodes().filter((n) => n.data('depth') === 1 && n.data('solved'));
    const best = cands.sort((a, b) => b.outdegree() - a.outdegree())[0] || cy.nodes().filter((n) => n.data('depth') === 1)[0];
    // Edges go to versions; the details list requirements, one per package.
    const out = best && new Set(best.outgoers('node').map((t) => t.data('name'))).size;
    return best && { id: best.id(), name: best.data('name'), version: best.data('version'), out };
  });
  check(target, 'explorer: no node at depth 1 to click');
  await clickNode(page, target.id);
  const title = `${target.name}==${target.version}`;
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, title, { timeout: 15000 });
  await page.locator('[data-testid="details-dependents"]').waitFor({ timeout: 15000 });
  const detailsText = await page.locator('#details').textContent();
  const envs = await page.locator('[data-testid="details-environments"] li').allTextContents();
  const envLabel = `${root.environment.osName} ${root.environment.osVersion} · Python ${root.environment.pythonVersion}`;
  check(envs.includes(envLabel), `explorer: details of ${title} do not list ${envLabel} among ${JSON.stringify(envs)}`);
  check(/\d+ versions? in this environment depends? on it/.test(detailsText), `explorer: details of ${title} have no dependents count`);
  if (target.out > 0) {
    const rows = await page.locator('[data-testid="details-dependencies"] tr').count();
    check(rows - 1 >= target.out, `explorer: details of ${title} list ${rows - 1} dependencies, the graph has edges to ${target.out} packages`);
  }
  log(`explorer: details of ${title}: ${envs.length} environments, dependents shown`);
  await shot(page, 'explorer-details');

  // Exports.
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const exported = JSON.parse(readFileSync(await json.path(), 'utf8'));
  check(exported.dependencyGraph && exported.dependencyGraph.nodes.length === n, 'explorer: the JSON export does not hold the drawn graph');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const pngBytes = readFileSync(await png.path());
  check(pngBytes.subarray(1, 4).toString() === 'PNG' && pngBytes.length > 10000, 'explorer: the PNG export is not a PNG image');
  log(`explorer: exported ${json.suggestedFilename()} and ${png.suggestedFilename()} (${pngBytes.length} bytes)`);

  // Re-root on the clicked node.
  await page.click('#reroot');
  await page.waitForFunction((t) => document.title.startsWith(t), title, { timeout: 15000 });
  await waitDrawn(page, `re-root on ${title}`);
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, title, { timeout: 15000 });
  const rerooted = new URL(page.url());
  check(rerooted.searchParams.get('package') === target.name && rerooted.searchParams.get('version') === target.version,
    `explorer: after re-rooting the URL is ${page.url()}`);
  const rootDepth = await page.evaluate((id) => window.seshatExplorer.cy.getElementById(id).data('depth'), target.id);
  check(rootDepth === 0, `explorer: after re-rooting ${title} is at depth ${rootDepth}, want 0`);
  log(`explorer: re-rooted on ${title}: ${await page.locator('#status').textContent()}`);
  await shot(page, 'explorer-rerooted');

  // Back returns to the first view; the URL alone reproduces it.
  await page.goBack();
  await page.waitForFunction((t) => document.title.startsWith(t), `${root.name}==${root.version}`, { timeout: 15000 });
  await waitDrawn(page, 'history back');
  const shared = await context.newPage();
  await shared.goto(url.toString());
  await waitDrawn(shared, 'opening a shared URL');
  check(await nodeCount(shared) === n, 'explorer: the shared URL does not draw the same graph');
  log('explorer: back button and a shared URL redraw the first view');
  await shared.close();

  // Errors are shown readably.
  await page.goto(`${base}/explorer?package=${encodeURIComponent(root.name)}&version=0.0.0.dev999&env=${encodeURIComponent(env)}&depth=99999`);
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30000 });
  const errText = await page.locator('#error').textContent();
  check(/GraphQL error|not in the knowledge graph/.test(errText), `explorer: unreadable error: ${errText}`);
  log(`explorer: error shown: ${errText.replace(/\n/g, ' | ')}`);
  await shot(page, 'explorer-error');
  await page.close();
}

// large draws the biggest graph reachable from the root (maxDepth 10) when
// it has 1,000 nodes or more, and reports how long drawing took.
async function large(context, root) {
  const d = await gql(
    `query($r: PackageVersionInput!, $e: EnvironmentInput!) {
       dependencyGraph(root: $r, environment: $e, maxDepth: 10) { nodes { id } } }`,
    { r: { name: root.name, version: root.version }, e: root.environment },
  );
  const size = d.dependencyGraph.nodes.length;
  if (size < 1000) {
    log(`explorer: largest graph from ${root.name}==${root.version} has ${size} nodes; no large-graph run`);
    return;
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer (large): ${e.message}`));
  const t0 = Date.now();
  await page.goto(`${base}/explorer?package=${encodeURIComponent(root.name)}&version=${encodeURIComponent(root.version)}&env=${encodeURIComponent(envKey(root.environment))}&depth=10`);
  const status = await waitDrawn(page, 'large graph');
  const ms = Date.now() - t0;
  log(`explorer: large graph of ${size} nodes drawn in ${ms} ms: ${status}`);
  check(ms < 60000, `explorer: ${size} nodes took ${ms} ms`);
  // Still interactive: a zoom and a click answer quickly.
  const t1 = Date.now();
  // Braces: cy.zoom(level) returns cy, which page.evaluate would serialize
  // whole (tens of seconds for a large graph).
  await page.evaluate(() => { window.seshatExplorer.cy.zoom(window.seshatExplorer.cy.zoom() * 2); });
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  const first = await page.evaluate(() => window.seshatExplorer.cy.nodes().filter((n) => n.data('depth') === 2)[0].id());
  await clickNode(page, first);
  await page.locator('[data-testid="details-dependents"]').waitFor({ timeout: 15000 });
  log(`explorer: zoom and click on the large graph answered in ${Date.now() - t1} ms`);
  if (/only the selected node's are drawn/.test(status)) {
    // Edges on demand: the clicked node's, and nothing else.
    const drawn = await page.evaluate((id) => {
      const cy = window.seshatExplorer.cy;
      const n = cy.getElementById(id);
      return { all: cy.edges().length, own: n.connectedEdges().length };
    }, first);
    check(drawn.all > 0 && drawn.all === drawn.own, `explorer: large graph drew ${drawn.all} edges, ${drawn.own} of the selected node`);
    log(`explorer: large graph shows the ${drawn.all} edges of the selected node`);
  }
  await shot(page, 'explorer-large');
  await page.close();
}

// labels reports, for the explorer's current view, each node whose label is
// drawn and the font size it is drawn at (font-size x zoom, CSS pixels),
// by cytoscape's rule: a label is drawn when it is not empty, not
// transparent, and its font size at the zoom's texture level (the zoom times
// the pixel ratio rounded up to a power of two) reaches
// min-zoomed-font-size. inView: only nodes wholly inside the canvas.
async function labels(page, { inView = false } = {}) {
  return page.evaluate((inView) => {
    const { cy } = window.seshatExplorer;
    const zoom = cy.zoom();
    const r = cy.renderer();
    const pxRatio = r.getPixelRatio ? r.getPixelRatio() : window.devicePixelRatio;
    const level = 2 ** Math.ceil(Math.log2(zoom * pxRatio));
    const W = cy.width();
    const H = cy.height();
    const out = { zoom, nodes: 0, drawn: [], hidden: [] };
    cy.nodes().forEach((n) => {
      if (inView) {
        const b = n.renderedBoundingBox({ includeLabels: false });
        if (b.x1 < 0 || b.y1 < 0 || b.x2 > W || b.y2 > H) return;
      }
      out.nodes++;
      const size = n.pstyle('font-size').pfValue;
      const drawn = n.visible() && Boolean(n.pstyle('label').strValue) && n.pstyle('text-opacity').value > 0 &&
        size * level >= n.pstyle('min-zoomed-font-size').pfValue;
      (drawn ? out.drawn : out.hidden).push({ id: n.id(), label: n.data('label'), px: size * zoom });
    });
    return out;
  }, inView);
}

// covered returns the nodes whose rendered box (label included), clipped to
// the canvas, intersects the element of the page given by selector.
async function covered(page, selector) {
  return page.evaluate((selector) => {
    const { cy } = window.seshatExplorer;
    const c = cy.container().getBoundingClientRect();
    const e = document.querySelector(selector).getBoundingClientRect();
    const box = { x1: e.left - c.left, y1: e.top - c.top, x2: e.right - c.left, y2: e.bottom - c.top };
    const hits = [];
    cy.nodes().forEach((n) => {
      const b = n.renderedBoundingBox();
      const x1 = Math.max(b.x1, 0);
      const y1 = Math.max(b.y1, 0);
      const x2 = Math.min(b.x2, c.width);
      const y2 = Math.min(b.y2, c.height);
      if (x1 >= x2 || y1 >= y2) return; // not on the canvas
      if (x1 < box.x2 && box.x1 < x2 && y1 < box.y2 && box.y1 < y2) hits.push(n.data('label'));
    });
    return hits;
  }, selector);
}

const frames = (page) => page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));

// levelOfDetail draws a graph of several hundred nodes at a screenshot's
// size and checks that every label drawn is legible (the others hidden),
// that zooming in and pointing at a node show labels, and that the legend
// and the status line never cover a node.
async function levelOfDetail(context, root) {
  let depth = 0;
  let size = 0;
  for (let d = 1; d <= 10; d++) {
    const g = await gql(
      `query($r: PackageVersionInput!, $e: EnvironmentInput!, $d: Int) {
         dependencyGraph(root: $r, environment: $e, maxDepth: $d) { nodes { id } } }`,
      { r: { name: root.name, version: root.version }, e: root.environment, d },
    );
    size = g.dependencyGraph.nodes.length;
    depth = d;
    if (size >= 300) break;
  }
  check(size >= 300 && size <= 2000, `explorer: no depth of ${root.name}==${root.version} gives several hundred nodes (${size} at depth ${depth})`);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.on('pageerror', (e) => pageErrors.push(`explorer (level of detail): ${e.message}`));
  await page.goto(`${base}/explorer?package=${encodeURIComponent(root.name)}&version=${encodeURIComponent(root.version)}&env=${encodeURIComponent(envKey(root.environment))}&depth=${depth}`);
  const status = await waitDrawn(page, 'level of detail');
  await frames(page);
  const rootId = await page.evaluate(() => window.seshatExplorer.result.graph.root.id);

  // Fitted: whatever is drawn is legible; the root's label among it.
  const fit = await labels(page);
  log(`explorer: ${status}; fitted at 1280x800: zoom ${fit.zoom.toFixed(3)}, ${fit.drawn.length} of ${fit.nodes} labels drawn`);
  const small = fit.drawn.filter((l) => l.px < MIN_LABEL_PX);
  check(small.length === 0, `explorer: at the fitted zoom ${small.length} labels are drawn under ${MIN_LABEL_PX} px, e.g. ${JSON.stringify(small.slice(0, 3))}`);
  for (const sel of ['#legend', '#status']) {
    const hits = await covered(page, sel);
    check(hits.length === 0, `explorer: ${sel} covers ${hits.length} nodes at the fitted zoom, e.g. ${hits.slice(0, 3).join(', ')}`);
  }
  check(fit.drawn.some((l) => l.id === rootId), `explorer: at the fitted zoom the root's label is not drawn`);
  await page.waitForTimeout(300);
  await shot(page, 'explorer-lod-fit');

  // Pointing at a node whose label is hidden shows it, legibly.
  if (fit.hidden.length) {
    const target = await page.evaluate((hidden) => {
      const { cy } = window.seshatExplorer;
      const ids = new Set(hidden.map((h) => h.id));
      const W = cy.width();
      const H = cy.height();
      // The hidden-label node nearest the middle of the canvas.
      let best = null;
      cy.nodes().forEach((n) => {
        if (!ids.has(n.id())) return;
        const p = n.renderedPosition();
        const d = Math.hypot(p.x - W / 2, p.y - H / 2);
        if (!best || d < best.d) best = { d, id: n.id(), label: n.data('label'), p };
      });
      const box = cy.container().getBoundingClientRect();
      return { id: best.id, label: best.label, x: box.left + best.p.x, y: box.top + best.p.y };
    }, fit.hidden);
    await page.mouse.move(target.x, target.y);
    await frames(page);
    const hover = await labels(page);
    const shown = hover.drawn.find((l) => l.id === target.id);
    check(shown && shown.px >= MIN_LABEL_PX, `explorer: pointing at ${target.label} does not show its label legibly: ${JSON.stringify(shown)}`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, 'explorer-lod-hover.png'), clip: { x: target.x - 200, y: target.y - 80, width: 400, height: 160 } });
    log(`explorer: pointing at ${target.label} shows its label at ${shown.px.toFixed(1)} px`);
    await page.mouse.move(2, 2);
    await frames(page);
    const away = await labels(page);
    check(!away.drawn.some((l) => l.id === target.id), `explorer: the label of ${target.label} stays after the pointer left`);
  }

  // Zooming in with the wheel: every node in view is labelled, legibly.
  const box = await page.locator('#cy').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 40 && (await page.evaluate(() => window.seshatExplorer.cy.zoom())) < 1; i++) {
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(50);
  }
  await page.mouse.move(box.x + 2, box.y + 2);
  await frames(page);
  const zoomed = await labels(page, { inView: true });
  check(zoomed.zoom >= 1, `explorer: the wheel zoomed to ${zoomed.zoom.toFixed(2)} only`);
  check(zoomed.nodes > 0, 'explorer: no node in view after zooming in');
  check(zoomed.hidden.length === 0, `explorer: at zoom ${zoomed.zoom.toFixed(2)} ${zoomed.hidden.length} of ${zoomed.nodes} nodes in view have no label, e.g. ${zoomed.hidden.slice(0, 3).map((l) => l.label).join(', ')}`);
  const tiny = zoomed.drawn.filter((l) => l.px < MIN_LABEL_PX);
  check(tiny.length === 0, `explorer: at zoom ${zoomed.zoom.toFixed(2)} ${tiny.length} labels are under ${MIN_LABEL_PX} px`);
  for (const sel of ['#legend', '#status']) {
    const hits = await covered(page, sel);
    check(hits.length === 0, `explorer: ${sel} covers ${hits.length} nodes after zooming in, e.g. ${hits.slice(0, 3).join(', ')}`);
  }
  await page.waitForTimeout(500);
  await shot(page, 'explorer-lod-zoomed');
  log(`explorer: zoomed in to ${zoomed.zoom.toFixed(2)}: all ${zoomed.nodes} nodes in view labelled at ${Math.min(...zoomed.drawn.map((l) => l.px)).toFixed(1)} px or more`);
  await page.close();
}

// advisories: the sample data's OSV advisories mark nodes of the large
// root's graph, and a marked node's details list its advisories, each id
// linked to its page, with its summary and fixed version.
async function advisories(context, root) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer (advisories): ${e.message}`));
  await page.goto(`${base}/explorer?package=${encodeURIComponent(root.name)}&version=${encodeURIComponent(root.version)}&env=${encodeURIComponent(envKey(root.environment))}&depth=10`);
  const status = await waitDrawn(page, `draw ${root.name}==${root.version} for its advisories`);
  check(!/vulnerabilities not marked/.test(status), `explorer: vulnerabilities not marked: ${status}`);
  const marked = await page.evaluate(() => {
    const { cy } = window.seshatExplorer;
    return cy.nodes('.vulnerable').map((n) => ({ id: n.id(), name: n.data('name'), version: n.data('version'),
      label: n.data('label'), ids: n.data('vulnerabilities') }));
  });
  check(marked.length > 0, `explorer: no node of ${root.name}==${root.version} is marked vulnerable`);
  const target = marked[0];
  check(target.label.startsWith('⚠'), `explorer: the vulnerable node's label is ${target.label}`);
  // A tap on the node (the graph is too dense here for a mouse click to be sure of its target).
  await page.evaluate((id) => { window.seshatExplorer.cy.getElementById(id).emit('tap'); }, target.id);
  const title = `${target.name}==${target.version}`;
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, title, { timeout: 15000 });
  await page.locator('[data-testid="details-vulnerabilities"] li').first().waitFor({ timeout: 15000 });
  const items = await page.locator('[data-testid="details-vulnerabilities"] li').evaluateAll((lis) => lis.map((li) => ({
    text: li.textContent, href: li.querySelector('a')?.getAttribute('href') || '', id: li.querySelector('a')?.textContent || '' })));
  check(items.length === target.ids.length, `explorer: details of ${title} list ${items.length} advisories, the graph marks ${target.ids.length}`);
  for (const it of items) {
    check(/^PYSEC-SAMPLE-\d{4}$/.test(it.id), `explorer: advisory id ${it.id} in ${title}`);
    check(it.href === `https://example.org/advisories/${it.id}` || it.href === `https://osv.dev/vulnerability/${it.id}`,
      `explorer: advisory ${it.id} links to ${it.href}`);
    check(/Sample: /.test(it.text) && /fixed in |no fixed version known/.test(it.text), `explorer: advisory of ${title} reads ${it.text}`);
  }
  check(!items.some((it) => it.id === 'PYSEC-SAMPLE-0004'), `explorer: the withdrawn advisory is listed for ${title}`);
  await shot(page, 'explorer-advisories');
  log(`explorer: ${marked.length} vulnerable nodes in ${root.name}==${root.version}; ${title} lists ${items.map((it) => it.id).join(', ')}`);
  await page.close();
}

// ---- the explorer's package view, Resolve mode and Compare view ----

const GRAPH_Q = `query($r: PackageVersionInput!, $e: EnvironmentInput!, $d: Int, $x: [String!]) {
  dependencyGraph(root: $r, environment: $e, maxDepth: $d, extras: $x) {
    root { id name version } truncated
    nodes { id name version depth solved } edges { from to versionRange } } }`;

async function graphOf(name, version, environment, depth, extras = null) {
  return (await gql(GRAPH_Q, { r: { name, version }, e: environment, d: depth, x: extras })).dependencyGraph;
}

// byPackage groups a graph's nodes by package: name -> { versions (a
// version on two indexes once), nodes (every version node) }, and counts
// the distinct package-to-package links, a package's links to itself left
// out. Written here apart from the page's own code, to check it.
function byPackage(graph) {
  const groups = new Map();
  const nameOf = new Map(graph.nodes.map((n) => [n.id, n.name]));
  for (const n of graph.nodes) {
    if (!groups.has(n.name)) groups.set(n.name, { versions: new Set(), nodes: [] });
    groups.get(n.name).versions.add(n.version);
    groups.get(n.name).nodes.push(n);
  }
  const links = new Set();
  for (const e of graph.edges) {
    const a = nameOf.get(e.from);
    const b = nameOf.get(e.to);
    if (a !== b) links.add(`${a} ${b}`);
  }
  return { groups, links };
}

// closureDiff is what graph b adds, removes and changes against graph a,
// per package name: the sorted names of each kind, and per changed
// package the versions b adds and removes.
function closureDiff(a, b) {
  const ga = byPackage(a).groups;
  const gb = byPackage(b).groups;
  const out = { added: [], removed: [], changed: new Map(), same: [] };
  for (const name of [...new Set([...ga.keys(), ...gb.keys()])].sort()) {
    const x = ga.get(name);
    const y = gb.get(name);
    if (!x) out.added.push(name);
    else if (!y) out.removed.push(name);
    else {
      const plus = [...y.versions].filter((v) => !x.versions.has(v));
      const minus = [...x.versions].filter((v) => !y.versions.has(v));
      if (plus.length || minus.length) out.changed.set(name, { plus, minus });
      else out.same.push(name);
    }
  }
  return out;
}

// waitStatus waits for the status line to match re (or an error to show,
// which fails unless allowError) and returns it.
async function waitStatus(page, re, what, { allowError = false } = {}) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('status').textContent) ||
    !document.getElementById('error').hidden, re.source, { timeout: 60000 })
    .catch(() => { throw new Failure(`explorer: ${what}: the status line never matched ${re}`); });
  const err = await page.locator('#error').evaluate((e) => (e.hidden ? '' : e.textContent));
  if (!allowError) check(!err, `explorer: ${what}: error shown: ${err}`);
  return (await page.locator('#status').textContent()) || '';
}

const sameList = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

// packageView draws the root's graph with one node per package, checks each
// package's node and its versions against the gateway's graph, expands the
// package with the most versions by a click on its node, follows a version
// from the details, collapses it again and switches back to versions.
async function packageView(context, root) {
  const depth = 5;
  const graph = await graphOf(root.name, root.version, root.environment, depth);
  const { groups, links } = byPackage(graph);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer (package view): ${e.message}`));
  await page.goto(`${base}/explorer?package=${encodeURIComponent(root.name)}&version=${encodeURIComponent(root.version)}&env=${encodeURIComponent(envKey(root.environment))}&depth=${depth}&view=packages`);
  const status = await waitStatus(page, /package view: \d+ packages/, 'package view');
  check(status.includes(`package view: ${groups.size} packages`), `explorer: package view status "${status}", the graph has ${groups.size} packages`);
  const drawn = await page.evaluate(() => {
    const { cy } = window.seshatExplorer;
    return { nodes: cy.nodes().map((n) => ({ id: n.id(), name: n.data('name'), label: n.data('label'), pkg: n.hasClass('pkg'), root: n.hasClass('root') })), edges: cy.edges().length };
  });
  check(drawn.nodes.length === groups.size && drawn.nodes.every((n) => n.pkg),
    `explorer: package view draws ${drawn.nodes.length} nodes (${drawn.nodes.filter((n) => n.pkg).length} packages), the graph has ${groups.size} packages`);
  for (const n of drawn.nodes) {
    const g = groups.get(n.name);
    check(g, `explorer: package view draws ${n.name}, not in the graph`);
    const want = `${n.name} (${g.versions.size})`;
    check(n.label.replace(/^⚠ /, '') === want, `explorer: package node labelled "${n.label}", want "${want}"`);
  }
  check(drawn.edges === links.size, `explorer: package view draws ${drawn.edges} links, the graph has ${links.size} package-to-package links`);
  const rootNode = drawn.nodes.find((n) => n.root);
  check(rootNode && rootNode.name === root.name, `explorer: package view's root node is ${rootNode && rootNode.name}, want ${root.name}`);
  await shot(page, 'explorer-packages');

  // A click on the package with the most version nodes expands it.
  const [name, group] = [...groups.entries()].filter(([n]) => n !== root.name).sort((a, b) => b[1].nodes.length - a[1].nodes.length)[0];
  check(group.nodes.length >= 2, `explorer: no package of ${root.name}==${root.version} has two versions in its graph`);
  await clickNode(page, `pkg:${name}`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="details-title"]')?.textContent === n &&
    window.seshatExplorer.expanded.includes(n), name, { timeout: 15000 })
    .catch(() => { throw new Failure(`explorer: clicking ${name} in the package view did not expand it`); });
  const after = await page.evaluate((n) => {
    const { cy } = window.seshatExplorer;
    return { nodes: cy.nodes().length, members: cy.nodes().filter((x) => x.data('name') === n).map((x) => ({ label: x.data('label'), kind: x.data('kind') })) };
  }, name);
  check(after.nodes === groups.size - 1 + group.nodes.length, `explorer: after expanding ${name} ${after.nodes} nodes, want ${groups.size - 1 + group.nodes.length}`);
  check(after.members.every((m) => m.kind === 'version') &&
    sameList(after.members.map((m) => m.label.replace(/^⚠ /, '')), group.nodes.map((v) => `${name}==${v.version}`)),
  `explorer: ${name} expanded into ${JSON.stringify(after.members.map((m) => m.label))}, the graph has ${JSON.stringify(group.nodes.map((v) => v.version))}`);
  const listed = await page.locator('[data-testid="package-versions"] li button').allTextContents();
  check(sameList(listed.map((t) => t.replace(/^⚠ /, '')), group.nodes.map((v) => v.version)),
    `explorer: the details of ${name} list versions ${JSON.stringify(listed)}, the graph has ${JSON.stringify(group.nodes.map((v) => v.version))}`);
  await shot(page, 'explorer-packages-expanded');
  log(`explorer: package view of ${root.name}==${root.version}: ${groups.size} packages for ${graph.nodes.length} versions, ${links.size} links; ${name} expanded into ${group.nodes.length} versions`);

  // A version of the list, by keyboard: its details.
  const version = listed[listed.length - 1].replace(/^⚠ /, '');
  await page.locator('[data-testid="package-versions"] li button').last().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, `${name}==${version}`, { timeout: 15000 })
    .catch(() => { throw new Failure(`explorer: Enter on ${version} in the list of ${name} did not show its details`); });
  await page.locator('[data-testid="details-dependents"]').waitFor({ timeout: 15000 });
  // Collapsed again, then the whole graph back to versions.
  await page.click('#collapse');
  await page.waitForFunction((n) => !window.seshatExplorer.expanded.includes(n) && window.seshatExplorer.cy.getElementById(`pkg:${n}`).nonempty(), name, { timeout: 15000 });
  check(await nodeCount(page) === groups.size, `explorer: after collapsing ${name} ${await nodeCount(page)} nodes, want ${groups.size}`);
  await page.selectOption('#view', 'versions');
  await page.waitForFunction((n) => window.seshatExplorer.cy.nodes().length === n, graph.nodes.length, { timeout: 15000 })
    .catch(async () => { throw new Failure(`explorer: the versions view draws ${await nodeCount(page)} nodes, the graph has ${graph.nodes.length}`); });
  check(!new URL(page.url()).searchParams.has('view'), `explorer: the versions view's URL is ${page.url()}`);
  log(`explorer: ${name}==${version} from the list; collapsed; back to ${graph.nodes.length} version nodes`);
  await page.close();
}

const RESOLVE_Q = `query($i: ResolveInput!) { resolve(input: $i) {
  resolved explanation requirementsTxt pipfileLock steps
  packages { name version depth reason hashes extras packageVersion { id }
    requiredBy { name version versionRange constraint } vulnerabilities { id } } } }`;

async function resolveOf(requirements, environment, constraints = null, strategy = 'LATEST') {
  return (await gql(RESOLVE_Q, { i: { requirements, environment, constraints, strategy } })).resolve;
}

// resolveMode resolves requirements of the sample data in the page: one that
// resolves (the lock drawn, a choice's details, the files, the other
// candidates), one that conflicts in the data and one made to conflict by a
// constraint (the explanation shown), a bad requirement (INVALID, its line
// marked), and the keyboard and URL ways in.
async function resolveMode(context, environment) {
  // Known packages of the generator's fixed head: the first whose lock has
  // several levels resolves; the first that does not conflicts.
  const names = ['markdown', 'keras-preprocessing', 'rsa', 'hypothesis', 'jinja2', 'flask==2.0.1', 'flask', 'werkzeug', 'requests', 'tensorflow==2.6.0'];
  let good = null;
  let bad = null;
  for (const r of names) {
    if (good && bad) break;
    const res = await resolveOf([r], environment);
    if (res.resolved && !good && Math.max(...res.packages.map((p) => p.depth)) >= 3) good = { requirement: r, res };
    if (!res.resolved && !bad) bad = { requirement: r, res };
  }
  check(good, `resolve: none of ${names.join(', ')} resolves in ${envKey(environment)} with a lock of 3 levels`);
  check(bad, `resolve: every one of ${names.join(', ')} resolves in ${envKey(environment)}: no conflict in the sample data`);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer (resolve): ${e.message}`));
  await page.goto(`${base}/explorer`);
  await page.waitForFunction((env) => [...document.querySelectorAll('#resolve-environment option')].some((o) => o.value === env), envKey(environment), { timeout: 30000 });

  // The tab list by keyboard: Graph, then the arrow key to Resolve.
  await page.locator('#mode-graph').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.getElementById('mode-resolve').getAttribute('aria-selected') === 'true' &&
    !document.getElementById('resolve-form').hidden && document.getElementById('form').hidden, null, { timeout: 5000 })
    .catch(() => { throw new Failure('explorer: ArrowRight on the Graph tab does not open Resolve'); });
  check(new URL(page.url()).searchParams.get('mode') === 'resolve', `explorer: the Resolve tab's URL is ${page.url()}`);
  check(await page.evaluate(() => document.activeElement.id) === 'mode-resolve', 'explorer: the focus did not follow the arrow key to the Resolve tab');

  // Resolvable: a comment and a blank line around the requirement, Ctrl-Enter.
  await page.selectOption('#resolve-environment', envKey(environment));
  await page.fill('#requirements', `# the lock of ${good.requirement}\n\n${good.requirement}\n`);
  await page.locator('#requirements').focus();
  const t0 = Date.now();
  await page.keyboard.press('Control+Enter');
  const status = await waitStatus(page, /^Resolved: \d+ packages?/, `resolve ${good.requirement}`);
  const want = good.res;
  check(status.startsWith(`Resolved: ${want.packages.length} package`), `explorer: resolving ${good.requirement} shows "${status}", the gateway resolves ${want.packages.length} packages`);
  const lock = await page.evaluate(() => {
    const { cy } = window.seshatExplorer;
    return {
      picks: cy.nodes('[kind = "pick"]').map((n) => ({ id: n.id(), label: n.data('label'), chosen: n.hasClass('chosen'), depth: n.data('depth') })),
      others: cy.nodes().filter((n) => n.data('kind') !== 'pick').map((n) => n.id()),
      edges: cy.edges().length,
    };
  });
  const labels = want.packages.map((p) => `${p.name}==${p.version}`);
  check(sameList(lock.picks.map((p) => p.label.replace(/^⚠ /, '')), labels), `explorer: the lock draws ${JSON.stringify(lock.picks.map((p) => p.label))}, the gateway chose ${JSON.stringify(labels)}`);
  check(lock.picks.every((p) => p.chosen), 'explorer: a chosen version of the lock is not highlighted');
  check(sameList(lock.others, ['requirements']), `explorer: the lock draws nodes besides its choices and the requirements: ${JSON.stringify(lock.others)}`);
  const inLock = new Set(want.packages.map((p) => p.name));
  const links = want.packages.reduce((s, p) => s + p.requiredBy.filter((r) => r.name === 'root' || inLock.has(r.name)).length, 0);
  check(lock.edges === links, `explorer: the lock draws ${lock.edges} links, the resolution has ${links} requiredBy links`);
  const rows = await page.locator('[data-testid="resolve-packages"] tr[data-name]').count();
  check(rows === want.packages.length, `explorer: the resolution's table lists ${rows} packages, want ${want.packages.length}`);
  const url = page.url();
  check(new URL(url).searchParams.getAll('req').join('|') === good.requirement, `explorer: the URL of the resolution is ${url}`);
  await shot(page, 'explorer-resolve');
  log(`explorer: resolved ${good.requirement} in ${Date.now() - t0} ms: ${status}`);

  // A choice of depth 2 or more: why, what requires it, its hashes.
  const pick = want.packages.filter((p) => p.depth >= 2).sort((a, b) => b.requiredBy.length - a.requiredBy.length)[0];
  await clickNode(page, pick.packageVersion.id);
  const title = `${pick.name}==${pick.version}`;
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, title, { timeout: 15000 })
    .catch(() => { throw new Failure(`explorer: clicking ${title} in the lock does not show its details`); });
  const reason = await page.locator('[data-testid="pick-reason"]').textContent();
  check(reason === pick.reason, `explorer: ${title}'s reason reads "${reason}", the gateway's is "${pick.reason}"`);
  const by = await page.locator('[data-testid="pick-required-by"] tr').allTextContents();
  check(by.length - 1 === pick.requiredBy.length, `explorer: ${title} is required by ${by.length - 1} in the page, ${pick.requiredBy.length} in the resolution`);
  for (const r of pick.requiredBy) {
    check(by.some((row) => row.includes(`${r.name}==${r.version}`) && row.includes(r.versionRange)), `explorer: ${title}'s required-by does not list ${r.name}==${r.version} (${r.versionRange}): ${JSON.stringify(by)}`);
  }
  const hashes = pick.hashes.length ? await page.locator('[data-testid="pick-hashes"] li').allTextContents() : [];
  check(sameList(hashes, pick.hashes), `explorer: ${title}'s hashes ${JSON.stringify(hashes)}, want ${JSON.stringify(pick.hashes)}`);
  await shot(page, 'explorer-resolve-pick');
  log(`explorer: ${title}: "${reason}", required by ${pick.requiredBy.map((r) => `${r.name}==${r.version}`).join(', ')}, ${hashes.length} hashes`);

  // The files: copied and downloaded as the gateway wrote them.
  await page.locator('#details button', { hasText: 'Back to the resolution' }).click();
  await page.click('#copy-requirements');
  await page.waitForFunction(() => /copied/.test(document.getElementById('copy-status')?.textContent || ''), null, { timeout: 5000 })
    .catch(async () => { throw new Failure(`explorer: Copy requirements.txt says "${await page.locator('#copy-status').textContent()}"`); });
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === want.requirementsTxt, 'explorer: the copied requirements.txt is not the resolution\'s');
  const [txt] = await Promise.all([page.waitForEvent('download'), page.click('#download-requirements')]);
  const txtBody = readFileSync(await txt.path(), 'utf8');
  check(txt.suggestedFilename() === 'requirements.txt' && txtBody === want.requirementsTxt, `explorer: the downloaded ${txt.suggestedFilename()} is not the resolution's requirements.txt`);
  const quote = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const p of want.packages) {
    const pin = new RegExp(`^${quote(p.name)}(\\[[^\\]]*\\])?==${quote(p.version)}( |$)`, 'm');
    check(pin.test(txtBody), `explorer: requirements.txt does not pin ${p.name}==${p.version}`);
  }
  const [lockFile] = await Promise.all([page.waitForEvent('download'), page.click('#download-pipfile-lock')]);
  const pipfile = JSON.parse(readFileSync(await lockFile.path(), 'utf8'));
  check(lockFile.suggestedFilename() === 'Pipfile.lock' && JSON.stringify(pipfile) === JSON.stringify(want.pipfileLock), 'explorer: the downloaded Pipfile.lock is not the resolution\'s');
  for (const p of want.packages) {
    const entry = (pipfile.default || {})[p.name];
    check(entry && entry.version === `==${p.version}`, `explorer: Pipfile.lock's default has ${p.name} as ${JSON.stringify(entry)}`);
  }
  log(`explorer: copied requirements.txt (${copied.length} bytes), downloaded it and Pipfile.lock (${Object.keys(pipfile.default).length} packages)`);

  // Over the other candidates: the roots' graphs, the choices highlighted.
  await page.check('#alternatives');
  await page.click('#resolve');
  const over = await waitStatus(page, /other candidate versions/, `resolve ${good.requirement} with the other candidates`);
  const rootPick = want.packages.find((p) => p.requiredBy.some((r) => r.name === 'root'));
  const depthMax = Math.max(...want.packages.map((p) => p.depth));
  const cand = await graphOf(rootPick.name, rootPick.version, environment, depthMax - 1, rootPick.extras.length ? rootPick.extras : null);
  const chosenIds = new Set(want.packages.map((p) => p.packageVersion.id));
  const alternatives = cand.nodes.filter((n) => !chosenIds.has(n.id)).length;
  const overlay = await page.evaluate(() => {
    const { cy } = window.seshatExplorer;
    return { chosen: cy.nodes('.chosen').length, alternative: cy.nodes('.alternative').length, labelled: cy.nodes('.chosen.emphasis').length };
  });
  check(overlay.chosen === want.packages.length, `explorer: over the candidates ${overlay.chosen} versions highlighted, the lock has ${want.packages.length}`);
  check(overlay.alternative === alternatives && alternatives > 0, `explorer: ${overlay.alternative} other candidates drawn faded, the root's graph has ${alternatives}`);
  await shot(page, 'explorer-resolve-candidates');
  log(`explorer: ${over}`);
  await page.uncheck('#alternatives');

  // Conflicts in the data: the explanation, in words.
  await page.fill('#requirements', bad.requirement);
  await page.click('#resolve');
  await waitStatus(page, /^Not resolvable/, `resolve ${bad.requirement}`);
  const explanation = await page.locator('[data-testid="resolve-explanation"]').textContent();
  check(explanation === bad.res.explanation, `explorer: the explanation of ${bad.requirement} reads "${explanation}", the gateway's is "${bad.res.explanation}"`);
  check(explanation.includes(bad.requirement) && /no version of|not every requirement/.test(explanation), `explorer: the explanation of ${bad.requirement} names no conflict: ${explanation}`);
  check(await nodeCount(page) === 0 && !(await page.locator('#placeholder').isHidden()), 'explorer: an unresolvable input still draws a graph');
  await shot(page, 'explorer-resolve-conflict');
  log(`explorer: ${bad.requirement} does not resolve: "${explanation.split('\n')[0]}" (${explanation.split('\n').length} lines)`);

  // A constraint that no version of a dependency meets.
  const dep = want.packages.find((p) => p.depth === 2);
  await page.fill('#requirements', good.requirement);
  await page.fill('#constraints', `${dep.name}<0`);
  await page.click('#resolve');
  await waitStatus(page, /^Not resolvable/, `resolve ${good.requirement} with the constraint ${dep.name}<0`);
  const constrained = await page.locator('[data-testid="resolve-explanation"]').textContent();
  check(constrained.includes(dep.name) && constrained.includes(`${dep.name}<0`), `explorer: the constraint ${dep.name}<0 is not in the explanation: ${constrained}`);
  log(`explorer: with the constraint ${dep.name}<0: "${constrained.split('\n').slice(0, 2).join(' | ')}"`);
  await page.fill('#constraints', '');

  // The oldest admissible versions: the gateway's OLDEST lock.
  const oldest = await resolveOf([good.requirement], environment, null, 'OLDEST');
  check(oldest.resolved, `resolve: ${good.requirement} resolves with LATEST but not with OLDEST`);
  await page.fill('#requirements', good.requirement);
  await page.selectOption('#strategy', 'OLDEST');
  await page.click('#resolve');
  await waitStatus(page, /^Resolved:/, `resolve ${good.requirement}, oldest`);
  const oldLabels = await page.evaluate(() => window.seshatExplorer.cy.nodes('[kind = "pick"]').map((n) => n.data('label').replace(/^⚠ /, '')));
  check(sameList(oldLabels, oldest.packages.map((p) => `${p.name}==${p.version}`)), `explorer: the oldest lock draws ${JSON.stringify(oldLabels)}, the gateway's is ${JSON.stringify(oldest.packages.map((p) => `${p.name}==${p.version}`))}`);
  check(new URL(page.url()).searchParams.get('strategy') === 'OLDEST', `explorer: the URL does not carry the strategy: ${page.url()}`);
  const changedPicks = oldest.packages.filter((p) => !labels.includes(`${p.name}==${p.version}`)).length;
  log(`explorer: oldest lock of ${good.requirement}: ${oldLabels.length} packages, ${changedPicks} versions other than the latest lock's`);
  await page.selectOption('#strategy', 'LATEST');

  // Two roots, pyyaml's versions all vulnerable in the sample advisories:
  // the choice marked and its advisories listed; excluded, no resolution.
  const vuln = await resolveOf([good.requirement, 'pyyaml'], environment);
  const vpick = vuln.resolved && vuln.packages.find((p) => p.vulnerabilities.length);
  check(vpick, `resolve: ${good.requirement} and pyyaml give no vulnerable choice (the sample advisories name every pyyaml)`);
  await page.fill('#requirements', `${good.requirement}\npyyaml`);
  await page.click('#resolve');
  await waitStatus(page, /^Resolved:/, `resolve ${good.requirement} and pyyaml`);
  const marked = await page.evaluate((id) => {
    const n = window.seshatExplorer.cy.getElementById(id);
    return { label: n.data('label'), vulnerable: n.hasClass('vulnerable'), chosen: n.hasClass('chosen') };
  }, vpick.packageVersion.id);
  check(marked.vulnerable && marked.chosen && marked.label === `⚠ ${vpick.name}==${vpick.version}`, `explorer: the vulnerable choice ${vpick.name}==${vpick.version} is drawn ${JSON.stringify(marked)}`);
  await clickNode(page, vpick.packageVersion.id);
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, `${vpick.name}==${vpick.version}`, { timeout: 15000 });
  const advisories = await page.locator('[data-testid="pick-vulnerabilities"] li strong').allTextContents();
  check(sameList(advisories, vpick.vulnerabilities.map((v) => v.id)), `explorer: ${vpick.name}==${vpick.version} lists advisories ${JSON.stringify(advisories)}, want ${JSON.stringify(vpick.vulnerabilities.map((v) => v.id))}`);
  await page.check('#exclude-vulnerable');
  await page.click('#resolve');
  await waitStatus(page, /^Not resolvable/, `resolve ${good.requirement} and pyyaml, vulnerable versions excluded`);
  const excluded = await page.locator('[data-testid="resolve-explanation"]').textContent();
  check(excluded.includes(vpick.name) && /vulnerable/.test(excluded), `explorer: with vulnerable versions excluded the explanation does not say why ${vpick.name} has none: ${excluded}`);
  check(new URL(page.url()).searchParams.get('novuln') === '1', `explorer: the URL does not carry excludeVulnerable: ${page.url()}`);
  await page.uncheck('#exclude-vulnerable');
  log(`explorer: ${vpick.name}==${vpick.version} chosen with ${advisories.join(', ')}; excluded: "${excluded.split('\n').pop().trim()}"`);

  // A bad requirement: INVALID with the position, its line marked.
  // (indented by two spaces: the column counts them)
  await page.fill('#requirements', `${good.requirement}\n\n  ${dep.name}>=`);
  await page.click('#resolve');
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30000 });
  const err = await page.locator('#error').textContent();
  const pos = /requirements\[1\]: position (\d+)/.exec(err);
  check(/INVALID/.test(err) && pos && err.includes(`line 3, column ${2 + Number(pos[1]) + 1}:`) && err.includes(`${dep.name}>=`) &&
    err.includes(`\n  ${' '.repeat(Number(pos[1]))}^`),
  `explorer: a bad requirement's error does not say INVALID with its line, column and a caret: ${err}`);
  check(await page.locator('#requirements').getAttribute('aria-invalid') === 'true', 'explorer: the requirements field is not marked invalid');
  const stale = await page.locator('[data-testid="resolve-explanation"]').count();
  check(stale === 0 && await nodeCount(page) === 0, 'explorer: after a refused input the previous resolution is still shown');
  await shot(page, 'explorer-resolve-invalid');
  log(`explorer: bad requirement: ${err.replace(/\n+/g, ' | ')}`);

  // The URL alone reproduces the resolution.
  const shared = await context.newPage();
  await shared.goto(url);
  await waitStatus(shared, /^Resolved:/, 'opening a shared resolution');
  check(await nodeCount(shared) === want.packages.length + 1, `explorer: the shared resolution draws ${await nodeCount(shared)} nodes, want ${want.packages.length + 1}`);
  await shared.close();
  await page.close();
}

// comparePair finds two versions of one sample package whose graphs (at
// depth) differ in more than the root: a package B adds and one whose
// versions change, B's graph of 15 to 400 versions if one is found among
// the first 60 packages with two versions, else the first that differs so.
// It returns the pair and their graphs.
async function comparePair(environment, depth) {
  let after = null;
  let tried = 0;
  let small = null;
  for (let page = 0; page < 10 && tried < 60; page++) {
    const d = await gql(`query($after: String) { packages(first: 40, after: $after) {
        edges { node { name versions(first: 25) { edges { node { version environments { osName osVersion pythonVersion } } } } } }
        pageInfo { hasNextPage endCursor } } }`, { after });
    for (const { node } of d.packages.edges) {
      const solved = [...new Set(node.versions.edges.map((e) => e.node)
        .filter((v) => v.environments.some((e) => envKey(e) === envKey(environment))).map((v) => v.version))];
      if (solved.length < 2) continue;
      tried++;
      const [hi, lo] = [solved[0], solved[solved.length - 1]];
      const a = await graphOf(node.name, lo, environment, depth);
      const b = await graphOf(node.name, hi, environment, depth);
      if (!a.root || !b.root || b.nodes.length > 400) continue;
      const x = closureDiff(a, b);
      if (x.added.length && [...x.changed.keys()].some((n) => n !== node.name)) {
        const pair = { name: node.name, a: lo, b: hi, diff: x };
        if (b.nodes.length >= 15) return pair;
        small = small || pair;
      }
      if (tried >= 60) break;
    }
    if (!d.packages.pageInfo.hasNextPage) break;
    after = d.packages.pageInfo.endCursor;
  }
  if (small) return small;
  throw new Failure(`compare: no two versions of a sample package in ${envKey(environment)} whose graphs differ in an added package and a changed one (${tried} tried)`);
}

// checkDiff compares the page's difference (its lists and its graph) with
// the one computed here from the gateway's graphs.
async function checkDiff(page, want, what) {
  const shown = await page.evaluate(() => {
    const list = (kind) => [...document.querySelectorAll(`[data-testid="diff-${kind}"] li`)].map((li) => ({ name: li.dataset.name, text: li.textContent }));
    const { cy } = window.seshatExplorer;
    const nodes = {};
    for (const kind of ['added', 'removed', 'changed', 'same']) nodes[kind] = cy.nodes(`.${kind}`).map((n) => n.data('name'));
    return { added: list('added'), removed: list('removed'), changed: list('changed'), nodes };
  });
  for (const kind of ['added', 'removed']) {
    check(sameList(shown[kind].map((e) => e.name), want[kind]), `explorer: ${what}: ${kind} lists ${JSON.stringify(shown[kind].map((e) => e.name))}, want ${JSON.stringify(want[kind])}`);
    check(sameList(shown.nodes[kind], want[kind]), `explorer: ${what}: the graph marks ${kind} ${JSON.stringify(shown.nodes[kind])}, want ${JSON.stringify(want[kind])}`);
  }
  check(sameList(shown.changed.map((e) => e.name), [...want.changed.keys()]), `explorer: ${what}: changed lists ${JSON.stringify(shown.changed.map((e) => e.name))}, want ${JSON.stringify([...want.changed.keys()])}`);
  check(sameList(shown.nodes.changed, [...want.changed.keys()]), `explorer: ${what}: the graph marks changed ${JSON.stringify(shown.nodes.changed)}`);
  check(sameList(shown.nodes.same, want.same), `explorer: ${what}: the graph marks ${shown.nodes.same.length} packages unchanged, want ${want.same.length}`);
  for (const e of shown.changed) {
    const { plus, minus } = want.changed.get(e.name);
    for (const v of plus) check(e.text.includes(`+${v}`), `explorer: ${what}: ${e.name}'s entry "${e.text}" does not add ${v}`);
    for (const v of minus) check(e.text.includes(`−${v}`), `explorer: ${what}: ${e.name}'s entry "${e.text}" does not remove ${v}`);
  }
  return shown;
}

// compareMode compares two versions of a sample package through the form,
// then one version in the two environments through the URL.
async function compareMode(context, root) {
  const depth = 3;
  const pair = await comparePair(root.environment, depth);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`explorer (compare): ${e.message}`));
  await page.goto(`${base}/explorer`);
  await page.click('#mode-compare');
  const env = envKey(root.environment);
  await page.waitForFunction((env) => [...document.querySelectorAll('#b-environment option')].some((o) => o.value === env), env, { timeout: 30000 });
  await page.selectOption('#a-environment', env);
  await page.selectOption('#b-environment', env);
  await page.fill('#a-package', pair.name);
  await page.locator('#a-package').dispatchEvent('change');
  // B starts as A's package.
  await page.waitForFunction((v) => document.getElementById('b-package').value && [...document.querySelectorAll('#b-version option')].some((o) => o.value === v), pair.b, { timeout: 30000 })
    .catch(() => { throw new Failure(`explorer: choosing ${pair.name} for A does not offer its versions for B`); });
  await page.waitForFunction((v) => [...document.querySelectorAll('#a-version option')].some((o) => o.value === v), pair.a, { timeout: 30000 });
  await page.selectOption('#a-version', pair.a);
  await page.selectOption('#b-version', pair.b);
  await page.fill('#compare-depth', String(depth));
  await page.click('#compare');
  const status = await waitStatus(page, /\d+ packages: \d+ added/, `compare ${pair.name} ${pair.a} and ${pair.b}`);
  const shown = await checkDiff(page, pair.diff, `${pair.name} ${pair.a} → ${pair.b}`);
  const rootStatus = await page.evaluate((n) => window.seshatExplorer.cy.getElementById(`pkg:${n}`).data('status'), pair.name);
  check(rootStatus === 'changed', `explorer: the compared root ${pair.name} is marked ${rootStatus}, want changed`);
  const u = new URL(page.url());
  check(u.searchParams.get('mode') === 'compare' && u.searchParams.get('a') === `${pair.name}==${pair.a}` && u.searchParams.get('b') === `${pair.name}==${pair.b}`,
    `explorer: the comparison's URL is ${page.url()}`);
  await shot(page, 'explorer-compare');
  log(`explorer: compared ${pair.name} ${pair.a} → ${pair.b}: ${status}`);

  // A changed package from the list: its versions in A and B, B's new ones marked.
  const changed = shown.changed.find((e) => e.name !== pair.name);
  await page.locator(`[data-testid="diff-changed"] li[data-name="${changed.name}"] button`).click();
  await page.waitForFunction((t) => document.querySelector('[data-testid="details-title"]')?.textContent === t, changed.name, { timeout: 15000 });
  const plus = await page.locator('[data-testid="diff-versions-b"] code.plus').allTextContents();
  const minus = await page.locator('[data-testid="diff-versions-a"] code.minus').allTextContents();
  const w = pair.diff.changed.get(changed.name);
  check(sameList(plus, w.plus) && sameList(minus, w.minus), `explorer: ${changed.name} marks +${JSON.stringify(plus)} −${JSON.stringify(minus)}, want +${JSON.stringify(w.plus)} −${JSON.stringify(w.minus)}`);
  const selected = await page.evaluate(() => window.seshatExplorer.cy.$(':selected').map((n) => n.data('name')));
  check(sameList(selected, [changed.name]), `explorer: the list's ${changed.name} selects ${JSON.stringify(selected)} in the graph`);
  await shot(page, 'explorer-compare-package');
  log(`explorer: ${changed.name} in the comparison: +${plus.join(' +')} −${minus.join(' −')}`);

  // One root in two environments, from the URL.
  const { environments } = await gql('{ environments { osName osVersion pythonVersion } }');
  const other = environments.find((e) => envKey(e) !== env);
  check(other, 'compare: the sample data has one environment only');
  // Preferably a root solved in both, whose graphs differ by their markers
  // and solver runs; else one solved in the first only.
  let envPair = null;
  let unsolved = null;
  const large = (process.env.SESHAT_E2E_LARGE_ROOT || '').split('==');
  const cands = [root, { name: pair.name, version: pair.b }, ...(large[1] ? [{ name: large[0], version: large[1] }] : [])];
  for (const cand of cands) {
    const a = await graphOf(cand.name, cand.version, root.environment, depth);
    const b = await graphOf(cand.name, cand.version, other, depth);
    if (!a.root || !b.root) continue;
    const x = closureDiff(a, b);
    if (x.added.length + x.removed.length + x.changed.size === 0) continue;
    if (b.nodes.find((n) => n.id === b.root.id).solved) {
      envPair = { ...cand, diff: x };
      break;
    }
    unsolved = unsolved || { ...cand, diff: x };
  }
  envPair = envPair || unsolved;
  check(envPair, `compare: neither ${root.name}==${root.version} nor ${pair.name}==${pair.b} has a graph that differs between ${env} and ${envKey(other)}`);
  await page.goto(`${base}/explorer?mode=compare&a=${encodeURIComponent(`${envPair.name}==${envPair.version}`)}&b=${encodeURIComponent(`${envPair.name}==${envPair.version}`)}&env=${encodeURIComponent(env)}&envB=${encodeURIComponent(envKey(other))}&depth=${depth}`);
  const envStatus = await waitStatus(page, /\d+ packages: \d+ added/, `compare ${envPair.name}==${envPair.version} in ${env} and ${envKey(other)}`);
  await checkDiff(page, envPair.diff, `${envPair.name}==${envPair.version} in ${env} → ${envKey(other)}`);
  check(await page.locator('#b-environment').inputValue() === envKey(other), 'explorer: the URL\'s envB is not B\'s environment in the form');
  await shot(page, 'explorer-compare-environments');
  log(`explorer: compared ${envPair.name}==${envPair.version} across environments: ${envStatus}`);
  await page.close();
}

let failed = false;
try {
  const root = await pickRoot();
  log(`sample root: ${root.name}==${root.version} in ${envKey(root.environment)} (${root.nodes} nodes at maxDepth 5)`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  context.on('request', (r) => requests.push(r.url()));
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (isLocal(u)) return route.continue();
    outside.push(u);
    return route.abort('blockedbyclient');
  });
  await playground(context);
  await explorer(context, root);
  await packageView(context, root);
  await resolveMode(context, root.environment);
  await compareMode(context, root);
  let largeRoot = root;
  if (process.env.SESHAT_E2E_LARGE_ROOT) {
    const [name, version] = process.env.SESHAT_E2E_LARGE_ROOT.split('==');
    largeRoot = { name, version, environment: root.environment };
  }
  await advisories(context, largeRoot);
  await levelOfDetail(context, largeRoot);
  await large(context, largeRoot);
  check(outside.length === 0, `requests left localhost: ${[...new Set(outside)].join(', ')}`);
  check(pageErrors.length === 0, `uncaught errors in the pages: ${pageErrors.join(' | ')}`);
  const hosts = [...new Set(requests.map((u) => { try { return new URL(u).host || u.split(':')[0]; } catch { return u; } }))];
  log(`${requests.length} requests, all to ${hosts.join(', ')}`);
  log('PASS');
} catch (err) {
  failed = true;
  console.error(`FAIL: ${err instanceof Failure ? err.message : err.stack || err}`);
  if (outside.length) console.error(`requests that would have left localhost: ${[...new Set(outside)].join(', ')}`);
  if (pageErrors.length) console.error(`uncaught errors in the pages: ${pageErrors.join(' | ')}`);
} finally {
  if (browser) await browser.close();
}
process.exit(failed ? 1 : 0);
