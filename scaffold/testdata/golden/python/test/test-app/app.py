"""The kiln python test app: answers every GET with 200.

It installs no SIGTERM handler on purpose: the run script starts it under
tini, which stops it on SIGTERM (G05); kiln test checks that it does.
"""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from kiln_greeting import greeting


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = greeting("python").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        # G25: logs go to stdout.
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = HTTPServer(("", port), Handler)
    print("test app listening on port %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
