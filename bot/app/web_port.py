"""Whether the web server can listen where the config says, asked before anything is announced:
a busy port is a clear message and an exit code, not a success banner and then a traceback."""

from __future__ import annotations

import errno
import socket


class PortBusyError(OSError):
    """The web server's address cannot be had: another program listens there (`in_use`), or
    the port needs rights this user lacks."""

    def __init__(self, host: str, port: int, *, in_use: bool = True) -> None:
        self.host, self.port, self.in_use = host, port, in_use
        what = "is in use" if in_use else "needs rights this user does not have"
        super().__init__(errno.EADDRINUSE if in_use else errno.EACCES, f"{host}:{port} {what}")


def check_port(host: str, port: int) -> None:
    """Raise PortBusyError when the web server could not listen on `host:port` (checked on every
    address the name stands for, as the server binds them); port 0 is always free."""
    if port == 0:
        return
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror:
        return  # an unknown name: the server's own start says so
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    raise PortBusyError(host, port, in_use=exc.errno == errno.EADDRINUSE) from exc
                # Another kind of failure (an address family the machine lacks) is the
                # server's to report, as before.
