// One way to talk to the gateway: POST /graphql on the page's own origin.

/** GraphQLError carries the errors of a GraphQL response, readable as text. */
export class GraphQLError extends Error {
  constructor(errors, status) {
    super(formatErrors(errors));
    this.name = 'GraphQLError';
    this.errors = errors;
    this.status = status;
  }
}

/** formatErrors turns a GraphQL errors array into lines of "CODE: message (at path)". */
export function formatErrors(errors) {
  return (errors || [])
    .map((e) => {
      const code = e.extensions && e.extensions.code ? `${e.extensions.code}: ` : '';
      const path = e.path ? ` (at ${e.path.join('.')})` : '';
      return `${code}${e.message}${path}`;
    })
    .join('\n');
}

/**
 * post sends one operation and returns the parsed JSON body, whatever the
 * HTTP status, when the body is a GraphQL response; otherwise it throws.
 */
export async function post(body, headers = {}, signal) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status} ${res.statusText}: ${text.slice(0, 300) || 'empty body'}`);
  }
  if (json === null || typeof json !== 'object' || (!('data' in json) && !('errors' in json))) {
    throw new Error(`HTTP ${res.status}: not a GraphQL response`);
  }
  json.__status = res.status;
  return json;
}

/** query runs an operation and returns data; any error becomes a GraphQLError. */
export async function query(q, variables, signal) {
  const json = await post({ query: q, variables }, {}, signal);
  if (json.errors && json.errors.length) throw new GraphQLError(json.errors, json.__status);
  return json.data;
}
