-- 008: secrets out of clear text. A destination's server URL that carries a secret (a custom
-- rtmp://host/app/KEY given together with a key, user:password@, an SRT ?passphrase=) is kept
-- sealed (AES-256-GCM, like stream keys) in server_url_enc; server_url then holds the masked
-- form (rtmp://host/app/****, srt://host:9000?passphrase=****), for a person reading the file.
-- A key typed into the URL with no key field set is moved to stream_key_enc instead.
-- SQL cannot encrypt: rows saved before this migration are sealed by the application when the
-- store opens (src/store/repositories/destinations.ts), the webhook setting likewise
-- (src/store/repositories/settings-secrets.ts).
ALTER TABLE destinations ADD COLUMN server_url_enc TEXT;
