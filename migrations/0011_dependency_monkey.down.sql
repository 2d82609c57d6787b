DROP TABLE IF EXISTS dependency_monkey_stack;
DROP TABLE IF EXISTS dependency_monkey_run;
