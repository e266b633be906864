"""What each CLI command does, below the CLI: open what it needs, do the work, return values
for the CLI to render."""
