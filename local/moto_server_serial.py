"""Runs moto's server with one request at a time.

moto is not thread-safe: with its default threaded server, an SQS DeleteMessage that rebuilds a
queue's message list can drop a message sent concurrently (seen here as commands lost under load).
Serving requests one by one removes that race; moto is bound by the GIL anyway, so throughput is
about the same.
"""
import os
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
