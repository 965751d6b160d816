"""Where access tokens come from: one module per provider (Microsoft, Google, a command)."""
