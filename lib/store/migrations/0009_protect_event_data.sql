-- 0009 what a protection case's event says, as data (lib/protect): the web page writes the
-- timeline in the reader's language from it ({"service": "shelter", "agency": "NGO-SHELTER"}),
-- where `detail` holds the same in English for the command line and older events.
ALTER TABLE protect_event ADD COLUMN data TEXT;
