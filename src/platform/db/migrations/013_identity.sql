-- Identity context: registered users and the throttle on failed logins.
--
-- A user's id is their customer id (the `sub` of their session tokens) and the id of
-- their SAT account, opened in the same transaction as the user. Only an argon2id hash
-- of the password is kept (a PHC string carrying its own parameters), never the password.
CREATE TABLE users (
  id            uuid        PRIMARY KEY,
  -- Unique here, not only checked by the use case: two registrations racing for one
  -- username both pass any check made before they commit; the constraint lets one in
  -- and turns the other into a 409.
  username      text        NOT NULL CONSTRAINT users_username_unique UNIQUE
                            CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  password_hash text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- Nothing about a user changes yet; the version is there for when something does.
  version       integer     NOT NULL
);

-- One row per failed login (and per login in flight, until it succeeds), keyed by the
-- normalized username whether or not such a user exists, so the answer cannot tell
-- which usernames are registered. Kept in Postgres so every API instance counts the
-- same failures. Rows older than the window are deleted as logins come by.
CREATE TABLE login_failures (
  id        uuid        PRIMARY KEY,
  username  text        NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_by_username ON login_failures (username, failed_at DESC);
CREATE INDEX login_failures_by_age ON login_failures (failed_at);
