DROP TABLE IF EXISTS vulnerability_affects, vulnerability, artifact, package_metadata,
    solver_problem, depends_on_resolved, depends_on, solved, document, solver,
    environment, package_version, package, package_index;
