DROP TABLE IF EXISTS performance_indicator;
DROP TABLE IF EXISTS inspection_result;
DROP TABLE IF EXISTS inspection_lock;
DROP TABLE IF EXISTS inspection_requirement;
DROP TABLE IF EXISTS inspection;
DROP TABLE IF EXISTS hardware;
