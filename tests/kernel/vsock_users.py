# SPDX-License-Identifier: GPL-2.0-only
"""Unprivileged users for the kernel tests (tests/kernel/018-020).

User(uid) forks a child that drops to uid (no groups, no capabilities) and
runs the Python statements it is sent, in one namespace that lives as long
as the child: its sockets are that user's. Run in the test guest only, as
root (the caller of tests/kernel/NNN).
"""
import ctypes, errno, json, os, select, socket, struct, time

V, H, ANY = socket.AF_VSOCK, socket.VMADDR_CID_HOST, socket.VMADDR_CID_ANY
SO_VM_SOCKETS_CONNECT_TIMEOUT = 6       # a struct timeval


def vs():
    return socket.socket(V, socket.SOCK_STREAM)


def connect_timeout(s, seconds):
    # Python's setsockopt takes only integers for AF_VSOCK: ask libc.
    tv = struct.pack("qq", seconds, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setsockopt(s.fileno(), V, SO_VM_SOCKETS_CONNECT_TIMEOUT, tv, len(tv)):
        raise OSError(ctypes.get_errno(), "SO_VM_SOCKETS_CONNECT_TIMEOUT")


def err_name(e):
    return errno.errorcode.get(e, str(e)) if e else "no error"


def so_error(s):
    return err_name(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))


def wait_connect(s, seconds):
    """The outcome of a non-blocking connect: "connected" or the errno."""
    select.select([], [s], [], seconds)
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    return err_name(e) if e else "connected"


class User:
    def __init__(self, uid):
        ours, theirs = socket.socketpair()
        self.uid = uid
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            ns = {k: v for k, v in globals().items() if not k.startswith("__")}
            f = theirs.makefile("rw")
            for line in f:
                if json.loads(line) is None:
                    break
                ns["r"] = None
                try:
                    exec(json.loads(line), ns)
                    out = ns["r"]
                except OSError as e:
                    out = err_name(e.errno)
                except Exception as e:  # a bug in the test: say it
                    out = "%s: %s" % (type(e).__name__, e)
                f.write(json.dumps(out) + "\n")
                f.flush()
            os._exit(0)
        theirs.close()
        self.sock = ours
        self.f = ours.makefile("rw")

    def __call__(self, code):
        """Run code as the user; the value it left in r (or the errno)."""
        self.f.write(json.dumps(code) + "\n")
        self.f.flush()
        return json.loads(self.f.readline())

    def close(self):
        # Said, not by EOF: other users' children hold this socket too.
        self.f.write("null\n")
        self.f.flush()
        self.f.close()
        self.sock.close()
        os.waitpid(self.pid, 0)


def stat(kdebug, name):
    for line in open(kdebug + "/stats"):
        k, v = line.split()
        if k == name:
            return int(v)
    raise KeyError(name)


def wait_stat(kdebug, name, at_least, seconds=20):
    """Wait until counter name reaches at_least; whether it did."""
    end = time.monotonic() + seconds
    while stat(kdebug, name) < at_least:
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True
