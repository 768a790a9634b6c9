"""The baseline of the service benchmark: a bare Flask endpoint that parses and echoes a JSON body.

It answers the same path as the real one (``POST /v1/ratings``) so that one wrk script drives both, and does
the least any JSON endpoint must do: read the body, parse it, serialize it back. No authentication, no
validation, no database, no cache. ``make bench`` serves it with the same gunicorn settings as the service
(``benchmarks/gunicorn_echo.conf.py`` loads ``gunicorn.conf.py`` itself) on the same machine.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request


def create_app() -> Flask:
    """The echo app: one route."""
    app = Flask(__name__)

    @app.post("/v1/ratings")
    def echo() -> tuple[Response, int]:
        # get_json(): Flask's own parse (400 on malformed JSON), as in any JSON endpoint; jsonify echoes.
        return jsonify(request.get_json()), 201

    return app


app = create_app()
