#!/usr/bin/env python3
"""The end-to-end test's upstream SOAP service: answers GetPatient (tests/e2e/patient.wsdl) in the request's SOAP
version and records every request it receives — path, headers, body (base64) — as one JSON line in RECORD_FILE, so
the test can check what sluis forwarded and that refused calls never arrived.

Usage: upstream.py RECORD_FILE PORT_FILE   (listens on 127.0.0.1, an ephemeral port written to PORT_FILE)
"""
import base64
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with LOCK, open(self.server.record_file, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": base64.b64encode(body).decode(),
            }) + "\n")
        ctype = self.headers.get("Content-Type", "")
        soap12 = ctype.startswith("application/soap+xml")
        ns = SOAP12 if soap12 else SOAP11
        m = re.search(rb"<(?:\w+:)?id>([^<]*)</(?:\w+:)?id>", body)
        pid = m.group(1).decode() if m else "?"
        subject = self.headers.get("X-Sluis-Subject", "")
        level = self.headers.get("X-Sluis-Auth-Level", "")
        answer = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="{ns}"><s:Body>'
            f'<p:GetPatientResponse xmlns:p="urn:example:patient"><p:name>Jan Jansen</p:name><p:id>{escape(pid)}</p:id>'
            f"<p:subject>{escape(subject)}</p:subject><p:authLevel>{escape(level)}</p:authLevel>"
            f"</p:GetPatientResponse></s:Body></s:Envelope>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", ("application/soap+xml" if soap12 else "text/xml") + "; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, fmt, *args):
        pass


def main():
    record_file, port_file = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.record_file = record_file
    open(record_file, "w").close()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
