-- 007: roles for users and API tokens: viewer < operator < admin (what each may do:
-- src/api/auth/roles.ts). Everyone who could sign in before could do everything, so existing
-- users become admin and existing tokens keep full access as admin; new ones say their role.
--
-- users.role (001) allowed only admin/operator, and SQLite cannot change a CHECK in place.
-- Rebuilding the table is no way out: migrations run with foreign keys on, so dropping users
-- would delete every session and token with it. The column is replaced instead.
ALTER TABLE users ADD COLUMN access_role TEXT NOT NULL DEFAULT 'viewer'
  CHECK (access_role IN ('viewer', 'operator', 'admin'));
UPDATE users SET access_role = 'admin';
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users RENAME COLUMN access_role TO role;

ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'
  CHECK (role IN ('viewer', 'operator', 'admin'));
UPDATE api_tokens SET role = 'admin';
