"""The Urjanet database, and every read from it: schema and delivery tables (`schema`), the
immutable model (`model`), the loader that executes a plugin's Selection (`loader`), the
statement-history transformer and the building blocks utilities share (`transform`, `rules`,
`normalise`, `refine`, `intervals`), fixture JSON, dump/load and anonymising."""
