"""The HTML front end: routes that call fedimob services, and their templates.

No SQL and no federation I/O here (an import contract checks it).
"""
