"""The QR code CreateVirtualMFADevice answers with (QRCodePNG): a PNG image of a QR code that
encodes otpauth://totp/<device name>@<account>?secret=<seed>, so an authenticator app can scan
what `aws iam create-virtual-mfa-device --bootstrap-method QRCodePNG --outfile` writes.

A small encoder for that one use (ISO/IEC 18004): byte mode, error correction level L, versions
1 to 12 (up to 370 bytes; the longest device name makes 326), Reed-Solomon over GF(256), and the
mask with the lowest penalty of rules 1, 2 and 4 (any mask is valid: readers take it from the
format bits). The picture is drawn four pixels a module with the required four-module quiet zone.
"""

from __future__ import annotations

import struct
import zlib

# Per version 1-12 at level L: error correction codewords per block, and blocks.
_ECC_PER_BLOCK = (7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24)
_BLOCKS = (1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4)
_LEVEL_L = 1  # the format bits of level L
_SCALE = 4
_QUIET = 4


def _raw_codewords(version: int) -> int:
    """The 8-bit codewords a version holds once function patterns are left out."""
    modules = (16 * version + 128) * version + 64
    if version >= 2:
        alignments = version // 7 + 2
        modules -= (25 * alignments - 10) * alignments - 55
        if version >= 7:
            modules -= 36
    return modules // 8


def _data_capacity(version: int) -> int:
    return _raw_codewords(version) - _ECC_PER_BLOCK[version - 1] * _BLOCKS[version - 1]


def _gf_multiply(x: int, y: int) -> int:
    product = 0
    for i in reversed(range(8)):
        product = (product << 1) ^ ((product >> 7) * 0x11D)
        product ^= ((y >> i) & 1) * x
    return product


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            divisor[j] = _gf_multiply(divisor[j], root)
            if j + 1 < degree:
                divisor[j] ^= divisor[j + 1]
        root = _gf_multiply(root, 0x02)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder.pop(0)
        remainder.append(0)
        for i, coefficient in enumerate(divisor):
            remainder[i] ^= _gf_multiply(coefficient, factor)
    return remainder


def _codewords(payload: bytes) -> tuple[int, list[int]]:
    """The smallest version that holds `payload`, and its data and error correction codewords,
    interleaved as they are placed."""
    for version in range(1, len(_BLOCKS) + 1):
        count_bits = 8 if version <= 9 else 16
        if 4 + count_bits + 8 * len(payload) <= 8 * _data_capacity(version):
            break
    else:
        raise ValueError("too long for a QR code of version 12")
    bits = [0, 1, 0, 0] + [(len(payload) >> i) & 1 for i in reversed(range(count_bits))]
    for byte in payload:
        bits += [(byte >> i) & 1 for i in reversed(range(8))]
    capacity = 8 * _data_capacity(version)
    bits += [0] * min(4, capacity - len(bits))
    bits += [0] * (-len(bits) % 8)
    data = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(data) < capacity // 8:
        data.append(pad)
        pad ^= 0xEC ^ 0x11
    blocks_count, ecc_len = _BLOCKS[version - 1], _ECC_PER_BLOCK[version - 1]
    raw = _raw_codewords(version)
    short_blocks = blocks_count - raw % blocks_count
    short_len = raw // blocks_count
    blocks: list[list[int]] = []
    start = 0
    for i in range(blocks_count):
        length = short_len - ecc_len + (0 if i < short_blocks else 1)
        block = data[start : start + length]
        start += length
        ecc = _rs_remainder(block, ecc_len)
        if i < short_blocks:
            block = [*block, 0]  # a place holder, skipped when interleaving
        blocks.append(block + ecc)
    interleaved = [
        block[i]
        for i in range(len(blocks[0]))
        for j, block in enumerate(blocks)
        if i != short_len - ecc_len or j >= short_blocks
    ]
    return version, interleaved


class _Matrix:
    def __init__(self, version: int) -> None:
        self.version = version
        self.size = 4 * version + 17
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for x, y in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    if 0 <= x + dx < size and 0 <= y + dy < size:
                        self.set(x + dx, y + dy, max(abs(dx), abs(dy)) not in (2, 4))
        positions = self._alignment_positions()
        last = len(positions) - 1
        for i, x in enumerate(positions):
            for j, y in enumerate(positions):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue  # where the finder patterns are
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format_bits(0)
        if self.version >= 7:
            remainder = self.version
            for _ in range(12):
                remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
            bits = self.version << 12 | remainder
            for i in range(18):
                bit = (bits >> i) & 1 == 1
                a, b = size - 11 + i % 3, i // 3
                self.set(a, b, bit)
                self.set(b, a, bit)

    def _alignment_positions(self) -> list[int]:
        if self.version == 1:
            return []
        count = self.version // 7 + 2
        step = (self.version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
        return [6] + sorted(self.size - 7 - i * step for i in range(count - 1))

    def draw_format_bits(self, mask: int) -> None:
        data = _LEVEL_L << 3 | mask
        remainder = data
        for _ in range(10):
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        bits = (data << 10 | remainder) ^ 0x5412
        size = self.size

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        for i in range(6):
            self.set(8, i, bit(i))
        self.set(8, 7, bit(6))
        self.set(8, 8, bit(7))
        self.set(7, 8, bit(8))
        for i in range(9, 15):
            self.set(14 - i, 8, bit(i))
        for i in range(8):
            self.set(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set(8, size - 15 + i, bit(i))
        self.set(8, size - 8, True)  # the dark module

    def draw_codewords(self, codewords: list[int]) -> None:
        i = 0
        right = self.size - 1
        while right >= 1:
            if right == 6:
                right = 5  # the vertical timing pattern's column is skipped
            upward = (right + 1) & 2 == 0
            for vertical in range(self.size):
                y = self.size - 1 - vertical if upward else vertical
                for x in (right, right - 1):
                    if not self.function[y][x] and i < len(codewords) * 8:
                        self.dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        rules = (
            lambda x, y: (x + y) % 2 == 0,
            lambda x, y: y % 2 == 0,
            lambda x, y: x % 3 == 0,
            lambda x, y: (x + y) % 3 == 0,
            lambda x, y: (x // 3 + y // 2) % 2 == 0,
            lambda x, y: x * y % 2 + x * y % 3 == 0,
            lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
            lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
        )
        rule = rules[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and rule(x, y):
                    self.dark[y][x] = not self.dark[y][x]

    def penalty(self) -> int:
        """Rules 1 (runs of five or more), 2 (2x2 blocks) and 4 (dark/light balance)."""
        score = 0
        lines = self.dark + [list(column) for column in zip(*self.dark, strict=True)]
        for line in lines:
            run = 1
            for previous, current in zip(line, line[1:], strict=False):
                if current == previous:
                    run += 1
                    continue
                score += run - 2 if run >= 5 else 0
                run = 1
            score += run - 2 if run >= 5 else 0
        for y in range(self.size - 1):
            for x in range(self.size - 1):
                colour = self.dark[y][x]
                if colour == self.dark[y][x + 1] == self.dark[y + 1][x] == self.dark[y + 1][x + 1]:
                    score += 3
        dark = sum(map(sum, self.dark))
        total = self.size * self.size
        # An odd number of modules is never exactly half dark, so this is 0 or more.
        score += ((abs(dark * 20 - total * 10) + total - 1) // total - 1) * 10
        return score


def qr_matrix(payload: bytes) -> list[list[bool]]:
    """The modules of the QR code of `payload`, row by row (True is dark)."""
    version, codewords = _codewords(payload)
    best: _Matrix | None = None
    best_score = 0
    for mask in range(8):
        matrix = _Matrix(version)
        matrix.draw_function_patterns()
        matrix.draw_codewords(codewords)
        matrix.apply_mask(mask)
        matrix.draw_format_bits(mask)
        score = matrix.penalty()
        if best is None or score < best_score:
            best, best_score = matrix, score
    assert best is not None
    return best.dark


def qr_png(payload: bytes) -> bytes:
    """A black-on-white grayscale PNG of the QR code of `payload`."""
    modules = qr_matrix(payload)
    width = (len(modules) + 2 * _QUIET) * _SCALE
    rows = bytearray()
    blank = [False] * _QUIET
    for line in [[False] * len(modules)] * _QUIET + modules + [[False] * len(modules)] * _QUIET:
        pixels = bytes(0 if dark else 255 for dark in blank + line + blank for _ in range(_SCALE))
        for _ in range(_SCALE):
            rows += b"\x00" + pixels  # filter type 0 for each scanline

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, width, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )
