"""The raftlog RecordBatch format, written from proto/raftlog/v1/record.proto's documentation.

Only needed for the batch API (Produce / Fetch); ProduceRecords / FetchRecords take and return
decoded records instead.
"""

import struct

HEADER = struct.Struct(">qiBIhiqqqhii")  # base_offset .. record_count: 57 bytes
CRC_FROM = 17  # the CRC covers attributes to the end
TRANSACTIONAL = 0x10
CONTROL = 0x20


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _varint(n):
    z = 2 * n if n >= 0 else -2 * n - 1
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _bytes(b):
    return _varint(-1) if b is None else _varint(len(b)) + b


def _read_varint(buf, pos):
    shift = z = 0
    while True:
        b = buf[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    return (z >> 1) ^ -(z & 1), pos


def _read_bytes(buf, pos):
    n, pos = _read_varint(buf, pos)
    if n < 0:
        return None, pos
    return bytes(buf[pos : pos + n]), pos + n


def encode_batch(records, timestamp_ms, producer_id=-1, producer_epoch=-1, base_sequence=-1):
    """records: a list of (key or None, value or None, [(header name, value or None)])."""
    body = bytearray()
    for i, (key, value, headers) in enumerate(records):
        rec = bytes([0]) + _varint(0) + _varint(i) + _bytes(key) + _bytes(value) + _varint(len(headers))
        for name, hvalue in headers:
            rec += _bytes(name.encode("utf-8")) + _bytes(hvalue)
        body += _varint(len(rec)) + rec
    total = HEADER.size + len(body)
    header = HEADER.pack(
        0, total - 12, 1, 0, 0, len(records) - 1, timestamp_ms, timestamp_ms,
        producer_id, producer_epoch, base_sequence, len(records),
    )
    batch = bytearray(header) + body
    struct.pack_into(">I", batch, 13, crc32c(batch[CRC_FROM:]))
    return bytes(batch)


def decode_batches(buf):
    """Yields (offset, timestamp_ms, key, value, headers, batch) for every record of every data batch."""
    pos = 0
    while pos + HEADER.size <= len(buf):
        fields = HEADER.unpack_from(buf, pos)
        base_offset, length, _magic, crc, attributes = fields[:5]
        base_ts, producer_id, count = fields[6], fields[8], fields[11]
        end = pos + 12 + length
        if crc32c(buf[pos + CRC_FROM : end]) != crc:
            raise ValueError("batch at offset %d fails its CRC32C" % base_offset)
        info = {"producer_id": producer_id, "transactional": bool(attributes & TRANSACTIONAL)}
        at = pos + HEADER.size
        for _ in range(count):
            length_, at = _read_varint(buf, at)
            rec_end = at + length_
            at += 1  # attributes
            ts_delta, at = _read_varint(buf, at)
            offset_delta, at = _read_varint(buf, at)
            key, at = _read_bytes(buf, at)
            value, at = _read_bytes(buf, at)
            nheaders, at = _read_varint(buf, at)
            headers = []
            for _ in range(nheaders):
                name, at = _read_bytes(buf, at)
                hvalue, at = _read_bytes(buf, at)
                headers.append((name.decode("utf-8"), hvalue))
            at = rec_end
            if not attributes & CONTROL:
                yield base_offset + offset_delta, base_ts + ts_delta, key, value, headers, info
        pos = end
