"""Model directories: saving and loading a fitted model (no pickle), its lock, and the undo and redo stacks."""
