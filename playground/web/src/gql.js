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
 * request sends one operation and returns the HTTP status and the parsed
 * body, whatever the status, when the body is a GraphQL response; otherwise
 * it throws. The body is returned as the gateway sent it.
 */
export async function request(body, headers = {}, signal) {
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
  return { status: res.status, statusText: res.statusText, body: json };
}

/** query runs an operation and returns data; any error becomes a GraphQLError. */
export async function query(q, variables, signal) {
  const { status, body } = await request({ query: q, variables }, {}, signal);
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors, status);
  return body.data;
}
