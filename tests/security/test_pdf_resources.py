"""The PDF printer fetches nothing a page names: no server file, no address on its network.

WeasyPrint loads what a document refers to, ``file:`` and ``http:`` included, and embeds a
``<link rel="attachment">`` in the PDF. The disclosure escapes every text it prints (tests in
test_session_surfaces.py); this holds the second line: were one text ever printed unescaped, the PDF of a
rating would still carry nothing of the server's.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from flask import Flask

from service.disclosure.render import render_pdf


def test_a_page_that_names_files_or_addresses_prints_without_them(app: Flask, tmp_path: Path) -> None:
    server_file = tmp_path / "server-only.txt"
    server_file.write_text("not for a borrower's PDF\n", encoding="utf-8")
    asked: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    internal = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=internal.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{internal.server_address[1]}"
    try:
        html = (
            f'<html><head><link rel="stylesheet" href="{address}/metadata.css"></head><body><p>Shop</p>'
            f'<link rel="attachment" href="{server_file.as_uri()}"><img src="{address}/probe.png">'
            f'<a rel="attachment" href="data:text/plain,attached">x</a></body></html>'
        )
        with app.test_request_context():
            pdf = render_pdf(html)
    finally:
        internal.shutdown()
        internal.server_close()
        thread.join(5)
    assert pdf.startswith(b"%PDF")
    assert b"/EmbeddedFile" not in pdf  # neither the server's file nor the data: attachment
    assert asked == []  # nothing was requested from the network
