DROP TABLE IF EXISTS graph_generation;
