"""Findings about the lint run itself: skipped work and suppressions."""
