DROP TABLE IF EXISTS revsolver_release;
DROP TABLE IF EXISTS solver_request;
