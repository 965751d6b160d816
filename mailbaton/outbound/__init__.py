"""Mail out: notices as values, rendered from templates, queued in the durable outbox."""
