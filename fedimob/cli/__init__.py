"""The `fedimob` command line: server, worker, migrations, and scripting commands."""
