"""Reference checks: objects, ports, keys, env variables and hooks that other objects rely on."""
