"""The persistent job queue and its worker.

`queue` adds and claims jobs (in the caller's transaction, so a domain change
and the work it causes commit together); `registry` maps job kinds to
handlers; `worker` drains the queue (`run_once()` for tests, `run()` for
production).
"""
