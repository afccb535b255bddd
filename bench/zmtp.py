"""A raw ZMTP 3.0 peer over a plain TCP socket, for benchmarks and tests that need what no
ZeroMQ library does: a subscriber that stops reading, truncated or huge frames, a
handshake that never ends."""

import socket
import struct


def greeting():
    """The 64-byte ZMTP 3.0 greeting of a NULL-security peer."""
    return b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32


def frame(data, more=False, command=False, size=None):
    """One frame; size, when given, is announced instead of len(data)."""
    n = len(data) if size is None else size
    flags = (1 if more else 0) | (4 if command else 0)
    if n > 255:
        return bytes([flags | 2]) + struct.pack(">Q", n) + data
    return bytes([flags, n]) + data


def message(*frames):
    return b"".join(frame(f, more=i < len(frames) - 1) for i, f in enumerate(frames))


def ready(socket_type):
    meta = bytes([11]) + b"Socket-Type" + struct.pack(">I", len(socket_type)) + socket_type
    return frame(bytes([5]) + b"READY" + meta, command=True)


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def read_frame(sock):
    flags, n = recv_exactly(sock, 2)
    if flags & 2:
        n = struct.unpack(">Q", bytes([n]) + recv_exactly(sock, 7))[0]
    return flags, recv_exactly(sock, n)


def connect(host, port, socket_type=b"DEALER", rcvbuf=None, timeout=10):
    """A TCP connection that has done the ZMTP handshake as socket_type."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, port))
    s.sendall(greeting())
    recv_exactly(s, 64)
    s.sendall(ready(socket_type))
    flags, body = read_frame(s)
    if not flags & 4 or not body[1:].startswith(b"READY"):
        raise ConnectionError(f"expected READY, got {body[:20]!r}")
    return s


def stalled_subscriber(host, port):
    """A SUB that subscribes to everything and then never reads: its receive buffer is
    kept small so that the kernel's writes to it block soon."""
    s = connect(host, port, b"SUB", rcvbuf=4096)
    s.sendall(message(b"\x01"))
    return s
