"""The merchant page at ``/``: one-click green rating in the browser, server-rendered, no JavaScript."""
