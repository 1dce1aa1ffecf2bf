-- Temporal keeps its state in the same Postgres server, in databases of its own.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
