#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""vpeer: the raw AF_VSOCK end of the fs tests (the "other side" of /vmci).

  vpeer listen PORT [--count N] [--ready FILE] [--send TEXT|--send-bytes N] [--echo]
                    [--hold SEC] [--no-read] [--show] [--rate BYTES_PER_SEC]
      accept N connections one after another; per connection print
      "conn K: N bytes: <repr of the data>" (--show) or "conn K: N bytes"
      after EOF. --send: send TEXT, then close our side for writing
      (--keep-open: do not).
      --echo: send back what comes, line by line. --rate: read at most that
      many bytes a second (a slow reader). --answer: once the client's EOF
      came, send "after EOF: N bytes" and close. --peer: print
      each client's address "peer CID:PORT" as accept(2) gives it.
  vpeer connect CID PORT [--send TEXT] [--recv] [--errno]
      connect; --errno prints only the connect errno name (or OK).
  vpeer dgram-listen PORT --count N [--ready FILE]
      print "dgram: N bytes: <repr>" for N datagrams.
  vpeer dgram-send CID PORT TEXT [--size N]

Refuses to run outside the vmcifs test guest.
"""
import argparse
import errno
import os
import socket
import sys
import time


def guest_or_die():
    try:
        with open('/proc/cmdline') as f:
            ok = 'vmcifs.guest=1' in f.read().split()
    except OSError:
        ok = False
    if not ok or not os.path.exists('/run/vmcifs-guest'):
        sys.exit('vpeer: refusing to use AF_VSOCK outside the vmcifs test guest')


def ready(path):
    if path:
        with open(path + '.tmp', 'w') as f:
            f.write('ready\n')
        os.rename(path + '.tmp', path)


def unescaped(text):
    """TEXT as given on the command line, with \\n and friends made bytes."""
    return text.encode().decode('unicode_escape').encode('latin-1')


def recv_all(sock, echo=False, rate=0):
    """Everything until EOF (sent back as it comes with echo)."""
    data = b''
    while True:
        x = sock.recv(4096 if rate else 65536)
        if not x:
            return data
        data += x
        if echo:
            sock.sendall(x)
        if rate:
            time.sleep(len(x) / rate)


def send_filler(sock, n):
    """n bytes of 'v' from one 64 KiB buffer: a 1 GB object (fs/020 asks
    for two) filled the guest's memory before the first byte went out."""
    chunk = b'v' * 65536
    while n > 0:
        k = sock.send(chunk[:n] if n < len(chunk) else chunk)
        n -= k


def cmd_listen(a):
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    s.bind((socket.VMADDR_CID_ANY, a.port))
    s.listen(128)
    ready(a.ready)
    for k in range(1, a.count + 1):
        c, addr = s.accept()
        if a.peer:
            print('peer %d:%d' % addr, flush=True)
        if a.send_bytes:
            send_filler(c, a.send_bytes)
            if not a.keep_open:
                c.shutdown(socket.SHUT_WR)
        if a.send is not None:
            c.sendall(unescaped(a.send))
            if not a.echo:
                c.shutdown(socket.SHUT_WR)
        if a.no_read:
            time.sleep(a.hold)
            c.close()
            continue
        data = recv_all(c, a.echo, a.rate)
        if a.answer:
            c.sendall(b'after EOF: %d bytes\n' % len(data))
        if a.hold:
            time.sleep(a.hold)
        c.close()
        if a.show:
            print('conn %d: %d bytes: %r' % (k, len(data), data), flush=True)
        else:
            print('conn %d: %d bytes' % (k, len(data)), flush=True)


def cmd_connect(a):
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    try:
        s.connect((a.cid, a.port))
    except OSError as e:
        if a.errno:
            print(errno.errorcode.get(e.errno, str(e.errno)))
            return
        raise
    if a.errno:
        print('OK')
        return
    if a.send is not None:
        s.sendall(unescaped(a.send))
        s.shutdown(socket.SHUT_WR)
    if a.recv:
        data = recv_all(s)
        print('recv: %d bytes: %r' % (len(data), data), flush=True)
    s.close()


def cmd_dgram_listen(a):
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_DGRAM)
    s.bind((socket.VMADDR_CID_ANY, a.port))
    ready(a.ready)
    for _ in range(a.count):
        d = s.recv(1 << 20)
        print('dgram: %d bytes: %r' % (len(d), d[:40]), flush=True)


def cmd_dgram_send(a):
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_DGRAM)
    data = a.text.encode() if a.size is None else b'x' * a.size
    try:
        s.sendto(data, (a.cid, a.port))
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
        return
    print('OK')


def main():
    guest_or_die()
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    x = sub.add_parser('listen')
    x.add_argument('port', type=int)
    x.add_argument('--count', type=int, default=1)
    x.add_argument('--ready')
    x.add_argument('--send')
    x.add_argument('--send-bytes', type=int, default=0)
    x.add_argument('--echo', action='store_true')
    x.add_argument('--show', action='store_true')
    x.add_argument('--no-read', action='store_true')
    x.add_argument('--hold', type=float, default=0)
    x.add_argument('--rate', type=int, default=0)
    x.add_argument('--keep-open', action='store_true')
    x.add_argument('--answer', action='store_true')
    x.add_argument('--peer', action='store_true')
    x = sub.add_parser('connect')
    x.add_argument('cid', type=int)
    x.add_argument('port', type=int)
    x.add_argument('--send')
    x.add_argument('--recv', action='store_true')
    x.add_argument('--errno', action='store_true')
    x = sub.add_parser('dgram-listen')
    x.add_argument('port', type=int)
    x.add_argument('--count', type=int, default=1)
    x.add_argument('--ready')
    x = sub.add_parser('dgram-send')
    x.add_argument('cid', type=int)
    x.add_argument('port', type=int)
    x.add_argument('text')
    x.add_argument('--size', type=int)
    a = p.parse_args()
    {'listen': cmd_listen, 'connect': cmd_connect,
     'dgram-listen': cmd_dgram_listen, 'dgram-send': cmd_dgram_send}[a.cmd](a)


if __name__ == '__main__':
    main()
