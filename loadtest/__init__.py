"""Load benchmark and soak/fault tests of Aftermath, run against gunicorn on 127.0.0.1."""
