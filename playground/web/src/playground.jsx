import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './playground.css';
import { post } from './gql.js';
import { tabs } from './examples.js';

// Monaco runs its language services in workers bundled next to this file.
const workers = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    return new Worker(`/playground/workers/${workers[label] || 'editor.worker.js'}`);
  },
};

// The fetcher returns the gateway's response body as it is, errors
// included, so GraphiQL shows extensions.code next to each message.
async function fetcher(params, opts) {
  return post(params, (opts && opts.headers) || {});
}

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL fetcher={fetcher} defaultTabs={tabs} defaultEditorToolsVisibility="variables">
    <GraphiQL.Logo>
      <a className="seshat-logo" href="/explorer">Seshat</a>
    </GraphiQL.Logo>
  </GraphiQL>,
);
