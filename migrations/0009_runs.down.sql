DROP TABLE IF EXISTS provenance_finding;
DROP TABLE IF EXISTS provenance_check;
DROP TABLE IF EXISTS adviser_unresolved;
DROP TABLE IF EXISTS adviser_product;
DROP TABLE IF EXISTS stack_package;
DROP TABLE IF EXISTS stack_requirement;
DROP TABLE IF EXISTS adviser_run;
