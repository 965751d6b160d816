"""The state machine: decisions and deadlines applied to tickets, each change with its notices."""
