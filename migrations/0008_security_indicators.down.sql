DROP TABLE IF EXISTS security_finding;
DROP TABLE IF EXISTS security_indicator;
