"""The Urjanet side: data model, fixture JSON, schema, loader and generic transformers."""
