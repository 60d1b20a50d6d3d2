"""Security checks: Pod Security Standards (restricted) and more."""
