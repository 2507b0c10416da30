-- A version per conversation, raised by every save: a save that read an
-- older version changes nothing, so an operator's hand-back and a turn of
-- the same customer cannot overwrite each other unseen.
ALTER TABLE conversations ADD COLUMN version bigint NOT NULL DEFAULT 1;
