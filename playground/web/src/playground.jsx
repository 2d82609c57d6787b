import { useEffect, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { useGraphiQL } from '@graphiql/react';
import 'graphiql/style.css';
import './playground.css';
import { request } from './gql.js';
import { tabs as examples, placeholder, tokenHint } from './examples.js';

// Monaco runs its language services in workers bundled next to this file.
const workers = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    return new Worker(`/playground/workers/${workers[label] || 'editor.worker.js'}`);
  },
};

// The HTTP status of each tab's last response, shown below the response
// (never inside it): tab id -> { status, statusText, ms }.
const statuses = new Map();
const listeners = new Set();
let activeTabId = '';
function setStatus(tabId, status) {
  statuses.set(tabId, status);
  for (const l of listeners) l();
}
function subscribe(l) {
  listeners.add(l);
  return () => listeners.delete(l);
}

// The fetcher returns the gateway's response body as it is, errors
// included, so GraphiQL shows extensions.code next to each message. A
// header still holding the example's placeholder is not sent: the answer
// says what goes there instead.
async function fetcher(params, opts) {
  const headers = (opts && opts.headers) || {};
  const tabId = activeTabId;
  if (Object.values(headers).some((v) => String(v).includes(placeholder))) {
    setStatus(tabId, { text: 'not sent' });
    return { errors: [{ message: `Request not sent. ${tokenHint}` }] };
  }
  const t0 = performance.now();
  try {
    const res = await request(params, headers);
    setStatus(tabId, { text: `HTTP ${res.status} ${res.statusText}`.trim(), failed: res.status >= 400, ms: performance.now() - t0 });
    return res.body;
  } catch (err) {
    setStatus(tabId, { text: 'failed', failed: true });
    throw err;
  }
}

const blank = (s) => !s || !s.trim();
const exampleOf = (tab) => tab && examples.find((e) => e.query === tab.query);

// Examples fills the Variables and Headers panes of an example tab that
// shows them empty whenever it becomes active: GraphiQL opens the first tab
// with empty panes whatever its defaultTabs say, and keeps no headers
// across reloads. It also exposes the editors' contents to the browser test.
function Examples() {
  const { tabs, activeTabIndex, variableEditor, headerEditor, responseEditor } = useGraphiQL((s) => ({
    tabs: s.tabs, activeTabIndex: s.activeTabIndex, variableEditor: s.variableEditor,
    headerEditor: s.headerEditor, responseEditor: s.responseEditor,
  }));
  const tab = tabs[activeTabIndex];
  activeTabId = tab ? tab.id : '';
  useEffect(() => {
    const example = exampleOf(tab);
    if (!example) return;
    if (variableEditor && example.variables && blank(variableEditor.getValue())) variableEditor.setValue(example.variables);
    if (headerEditor && example.headers && blank(headerEditor.getValue())) headerEditor.setValue(example.headers);
    // Only on switching tabs or once the editors exist, not on every edit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tab && tab.id, variableEditor, headerEditor]);
  useEffect(() => {
    window.seshatPlayground = {
      variables: () => (variableEditor ? variableEditor.getValue() : null),
      headers: () => (headerEditor ? headerEditor.getValue() : null),
      response: () => (responseEditor ? responseEditor.getValue() : null),
      status: () => statuses.get(activeTabId) || null,
    };
  }, [variableEditor, headerEditor, responseEditor]);
  return null;
}

function ResponseStatus() {
  const tabId = useGraphiQL((s) => (s.tabs[s.activeTabIndex] || {}).id);
  const status = useSyncExternalStore(subscribe, () => statuses.get(tabId));
  if (!status) return null;
  return (
    <div className={`seshat-status${status.failed ? ' failed' : ''}`} data-testid="response-status">
      {status.text}
      {status.ms !== undefined ? ` · ${Math.round(status.ms)} ms` : ''}
    </div>
  );
}

// The schema's own scalars as the Variables pane validates them; without
// these, GraphiQL takes every custom scalar for a string, number or boolean
// and marks the ingest example's document as wrong.
const scalars = {
  JSON: { description: 'any JSON value', type: ['object', 'array', 'string', 'number', 'boolean', 'null'] },
  Time: { description: 'an RFC 3339 date and time', type: 'string' },
};

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL fetcher={fetcher} defaultTabs={examples} defaultEditorToolsVisibility="variables" customScalarSchemas={scalars}>
    <GraphiQL.Logo>
      <a className="seshat-logo" href="/explorer">Seshat</a>
    </GraphiQL.Logo>
    <GraphiQL.Footer>
      <ResponseStatus />
    </GraphiQL.Footer>
    <Examples />
  </GraphiQL>,
);
