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
