"""The kiln python test app: answers every GET with 200 and stops on SIGTERM.

As PID 1 a process gets no default SIGTERM handling, so it installs one (G05).
"""
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"Hello from the kiln python test app.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        # G25: logs go to stdout.
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


def stop(signum, frame):
    print("stopping on signal %d" % signum, flush=True)
    sys.exit(0)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = HTTPServer(("", port), Handler)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("test app listening on port %d" % port, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
