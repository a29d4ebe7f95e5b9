-- 0015_user_language: the language a person chose to read holdspace in
-- (a shipped language tag such as "de"; empty: follow the browser), and the
-- language they last signed in with, which their emails and PDFs use when
-- they chose none.

ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_language TEXT NOT NULL DEFAULT '';
