"""mailbaton: the Baton Pass Protocol over email."""
