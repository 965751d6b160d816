"""Is mailbaton working: health of its servers, alerts to admins, Prometheus metrics."""
