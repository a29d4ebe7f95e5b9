-- 0016_agreement_language: which words an agreement was agreed in. The
-- language is the tag of the language the consent text was shown in ("de";
-- empty for agreements made before this migration); text_hash_sealed is the
-- SHA-256 of that exact text ("sha256:" and 64 hex digits), sealed under the
-- client's data key like the grants it was rendered from (the text of a
-- small agreement can be guessed and its hash checked, which would reveal
-- the grants and intent).

ALTER TABLE agreements ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE agreements ADD COLUMN text_hash_sealed BLOB;
