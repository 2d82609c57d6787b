// The operations the playground opens with, one tab each.

const env = `{ "osName": "rhel", "osVersion": "8", "pythonVersion": "3.8" }`;

/** placeholder is what the ingest example's Authorization header holds until the user puts a token's secret there. */
export const placeholder = '<secret>';

/** tokenHint says where a token comes from and where it goes. */
export const tokenHint = `Replace ${placeholder} in the Headers pane (next to Variables) with the secret ` +
  'of an API token the gateway was started with (SESHAT_API_TOKENS=name:scope:secret, scope ingest or admin).';

export const tabs = [
  {
    query: `# A package, its newest release and a page of versions.
# Ctrl-Enter runs it; the Docs button on the left browses the schema.
query Package($name: String!) {
  package(name: $name) {
    name
    latestVersion { version indexUrl }
    versions(first: 10) {
      totalCount
      edges { node { version indexUrl environments { osName osVersion pythonVersion } } }
      pageInfo { hasNextPage endCursor }
    }
  }
  environments { osName osVersion pythonVersion }
}
`,
    variables: `{ "name": "tensorflow" }`,
  },
  {
    query: `# The transitive dependency graph of one version in one environment:
# one SQL statement per level, whatever the number of nodes.
query DependencyGraph($root: PackageVersionInput!, $env: EnvironmentInput!, $depth: Int) {
  dependencyGraph(root: $root, environment: $env, maxDepth: $depth) {
    root { name version }
    depthReached
    truncated
    nodes { id name version depth solved solverError extras }
    edges { from to versionRange marker extra }
  }
}
`,
    variables: `{
  "root": { "name": "tensorflow", "version": "2.6.0" },
  "env": ${env},
  "depth": 5
}`,
  },
  {
    query: `# Who depends on a package (or one version of it), up to maxDepth hops back.
query Dependents($name: String!, $version: String, $env: EnvironmentInput) {
  dependents(name: $name, version: $version, environment: $env, maxDepth: 2, first: 20) {
    totalCount
    edges {
      depth
      versionRange
      marker
      environment { osName osVersion pythonVersion }
      node { name version }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: `{ "name": "numpy", "env": ${env} }`,
  },
  {
    query: `# The solvers' backlog: versions on enabled indexes not solved in an environment.
query Unsolved($env: EnvironmentInput!) {
  unsolvedPackageVersions(environment: $env, first: 20) {
    totalCount
    edges { node { name version indexUrl } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: `{ "env": ${env} }`,
  },
  {
    query: `# A lock: one version per package, every requirement satisfied, with
# hashes and the reason for each pick; an explanation when there is none.
query Resolve($in: ResolveInput!) {
  resolve(input: $in) {
    resolved
    explanation
    statements
    packages {
      name version depth reason hashes
      requiredBy { name version versionRange }
    }
    requirementsTxt
  }
}
`,
    variables: `{
  "in": {
    "requirements": ["markdown"],
    "environment": ${env},
    "strategy": "LATEST"
  }
}`,
  },
  {
    query: `# Mutations need a token from SESHAT_API_TOKENS (scope ingest or admin).
# It goes in the Headers pane below, replacing <secret>:
#   { "Authorization": "Bearer <secret>" }
# Without it the gateway answers UNAUTHENTICATED. The variables hold a small
# Thoth solver document: one version and its one requirement, in rhel 8 / Python 3.8.
mutation Ingest($document: JSON!) {
  ingestDocument(input: { document: $document }) {
    documentId
    kind
    status
    errorCode
    error
    counts
  }
}
`,
    variables: `{
  "document": {
    "metadata": {
      "analyzer": "thoth-solver",
      "analyzer_version": "1.10.0",
      "document_id": "solver-rhel-8-py38-260101000000-0123456789abcdef",
      "datetime": "2026-01-01T00:00:00.000000",
      "duration": 3,
      "arguments": {
        "python": {
          "index": "https://pypi.org/simple",
          "requirements": "example-package===1.0.0"
        }
      },
      "os_release": {
        "id": "rhel",
        "version_id": "8.4"
      },
      "python": {
        "major": 3,
        "minor": 8,
        "micro": 10,
        "implementation_name": "cpython"
      }
    },
    "result": {
      "tree": [
        {
          "package_name": "example-package",
          "package_version": "1.0.0",
          "index_url": "https://pypi.org/simple",
          "dependencies": [
            {
              "package_name": "six",
              "specifier": ">=1.10",
              "marker": null,
              "marker_evaluation_result": true,
              "extra": [],
              "extras": [],
              "resolved_versions": [
                {
                  "index": "https://pypi.org/simple",
                  "versions": [
                    "1.16.0"
                  ]
                }
              ]
            }
          ]
        }
      ],
      "errors": [],
      "unparsed": [],
      "unresolved": []
    }
  }
}`,
    headers: `{ "Authorization": "Bearer ${placeholder}" }`,
  },
];
