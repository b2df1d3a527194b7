#!/usr/bin/env python3
"""tests/hostile.py: crafted captures and checks for tests/e2e_hostile.sh.

  hostile.py http OUT.pcap HOST...   one HTTP flow to TCP 3389 per Host
                                     (Python escapes: '\\x1b', '\\xff')
  hostile.py strict FILE             every line of FILE parses as JSON from
                                     strict UTF-8 and holds no raw C0/C1
                                     control; prints the number of lines
  hostile.py clean FILE              FILE holds no byte < 0x20 but newline,
                                     no 0x7f, no C1 control, only UTF-8
  hostile.py tlsflood OUT.pcap N SEGS [LEN [SEGLEN]]
                                     N TCP flows to 443, each stopping in a
                                     TLS record of LEN bytes (16384) after
                                     SEGS segments of SEGLEN bytes (1400);
                                     nDPI buffers it; no flow ends
  hostile.py slowcat FILE CHUNK SECS writes FILE to stdout in CHUNK-byte
                                     pieces, SECS apart
  hostile.py slowread CHUNK SECS     reads stdin in CHUNK-byte pieces, SECS
                                     apart, to stdout
"""
import json
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
    return eth + ip + tcp


def http_pcap(out, hosts):
    cli, srv = [198, 19, 1, 101], [198, 18, 10, 11]
    pkts, t = [], 1767603600.0
    for i, host in enumerate(hosts):
        h = host.encode('latin-1').decode('unicode_escape').encode('latin-1')
        cp = 50000 + i
        req = b'GET / HTTP/1.1\r\nHost: ' + h + b'\r\nUser-Agent: x\r\n\r\n'
        rsp = b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
        seq = [(cli, srv, cp, 3389, 1000, 0, 0x02, b''),
               (srv, cli, 3389, cp, 5000, 1001, 0x12, b''),
               (cli, srv, cp, 3389, 1001, 5001, 0x10, b''),
               (cli, srv, cp, 3389, 1001, 5001, 0x18, req),
               (srv, cli, 3389, cp, 5001, 1001 + len(req), 0x18, rsp),
               (cli, srv, cp, 3389, 1001 + len(req), 5001 + len(rsp), 0x11, b''),
               (srv, cli, 3389, cp, 5001 + len(rsp), 1002 + len(req), 0x11, b'')]
        for s in seq:
            t += 0.001
            pkts.append((t, frame(*s)))
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for ts, p in pkts:
            f.write(struct.pack('<IIII', int(ts), int((ts % 1) * 1e6),
                                len(p), len(p)) + p)


def tls_flood(out, nflows, nsegs, reclen=16384, seglen=1400):
    """Flow i: 198.19.x.y:1024+ -> 198.18.10.11:443; handshake, then a
    ClientHello record announcing reclen bytes, cut after nsegs segments."""
    srv = [198, 18, 10, 11]
    rec = (b'\x16\x03\x01' + struct.pack('!H', reclen) + b'\x01\x00' +
           struct.pack('!H', reclen - 4) + b'\x03\x03' + bytes(seglen - 11))
    body = bytes(seglen)
    t = 1767603600.0
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(nflows):
            cli = [198, 19, 1 + i // 60000, 1 + (i // 250) % 240]
            cp = 1024 + i % 60000
            seq = [(cli, srv, cp, 443, 1000, 0, 0x02, b''),
                   (srv, cli, 443, cp, 5000, 1001, 0x12, b''),
                   (cli, srv, cp, 443, 1001, 5001, 0x10, b'')]
            s = 1001
            for k in range(nsegs):
                pl = rec if k == 0 else body
                seq.append((cli, srv, cp, 443, s, 5001, 0x18, pl))
                s += len(pl)
            for x in seq:
                t += 0.00001
                p = frame(*x)
                f.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6),
                                    len(p), len(p)) + p)


def raw_control(text):
    return any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in text)


def strict(path):
    n = 0
    with open(path, 'rb') as f:
        for no, line in enumerate(f, 1):
            text = line.rstrip(b'\n').decode('utf-8', errors='strict')
            if raw_control(text):
                sys.exit('%s:%d: raw control character' % (path, no))
            json.loads(text)
            n += 1
    print(n)


def clean(path):
    with open(path, 'rb') as f:
        data = f.read()
    text = data.decode('utf-8', errors='strict')
    for no, line in enumerate(text.split('\n'), 1):
        if raw_control(line):
            sys.exit('%s:%d: raw control character: %r' % (path, no, line))


def slowcat(path, chunk, secs):
    out = sys.stdout.buffer
    with open(path, 'rb') as f:
        while True:
            b = f.read(chunk)
            if not b:
                break
            out.write(b)
            out.flush()
            time.sleep(secs)


def slowread(chunk, secs):
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        b = inp.read1(chunk) if hasattr(inp, 'read1') else inp.read(chunk)
        if not b:
            break
        out.write(b)
        time.sleep(secs)


def main(argv):
    cmd = argv[1]
    if cmd == 'http':
        http_pcap(argv[2], argv[3:])
    elif cmd == 'strict':
        strict(argv[2])
    elif cmd == 'clean':
        clean(argv[2])
    elif cmd == 'tlsflood':
        tls_flood(argv[2], int(argv[3]), int(argv[4]),
                  int(argv[5]) if len(argv) > 5 else 16384,
                  int(argv[6]) if len(argv) > 6 else 1400)
    elif cmd == 'slowcat':
        slowcat(argv[2], int(argv[3]), float(argv[4]))
    elif cmd == 'slowread':
        slowread(int(argv[2]), float(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
