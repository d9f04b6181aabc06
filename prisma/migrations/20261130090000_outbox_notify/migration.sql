-- Wakes the outbox relay when rows commit (NOTIFY is delivered at commit) instead of
-- leaving them to its next poll: src/store/outbox-store.ts listens on yishi_outbox.
-- Once per statement, and not for the vote card of a ballot (announcement false): a
-- notifying transaction holds a database-wide lock through its commit, so notifying every
-- ballot would put the commits of votes in single file. Those rows are card edits that
-- wait for their coalescing bucket anyway, and the poll of the relay picks them up.
-- The body is an E-string with \073 for each semicolon: the migration runner splits the
-- script at every semicolon, a dollar-quoted body included.
CREATE FUNCTION "yishi_outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM inserted WHERE announcement OR kind <> ''vote_card'') THEN
    PERFORM pg_notify(''yishi_outbox'', '''')\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "Outbox_notify" AFTER INSERT ON "Outbox"
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION "yishi_outbox_notify"();
