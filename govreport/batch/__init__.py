"""Whole folders: inputs, a process pool whose parent alone writes, a resumable SQLite corpus."""
