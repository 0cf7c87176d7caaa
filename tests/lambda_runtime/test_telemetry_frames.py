"""split_frames and cut_short, the telemetry channel's framing, on bytes as the pipe gives them:
whole records taken, a frame in part left, and a frame longer than the limit cut at it with the
rest of its bytes to be skipped, however long its header claims it is.
"""

from __future__ import annotations

import struct

from pocketcloud.lambda_runtime.telemetry import HEADER, cut_short, split_frames

TEXT = 0xA55A0003
JSON = 0xA55A0002


def frame(
    message: bytes, kind: int = TEXT, length: int | None = None, micros: int = 1_700_000_000_123_456
) -> bytes:
    return struct.pack(">IIQ", kind, len(message) if length is None else length, micros) + message


def test_whole_frames_are_records_stamped_in_ms_and_all_their_bytes_taken() -> None:
    data = frame(b"one\n") + frame(b"two\n")
    assert split_frames(data, 100) == (
        [(1_700_000_000_123, "one\n"), (1_700_000_000_123, "two\n")],
        len(data),
        0,
    )


def test_a_json_records_trailing_newline_is_dropped() -> None:
    assert split_frames(frame(b'{"a": 1}\n', JSON), 100)[0] == [(1_700_000_000_123, '{"a": 1}')]


def test_a_frame_in_part_is_left_untaken() -> None:
    first = frame(b"one\n")
    data = first + frame(b"second record\n")[:-3]
    records, taken, skip = split_frames(data, 100)
    assert (records, taken, skip) == ([(1_700_000_000_123, "one\n")], len(first), 0)


def test_a_header_in_part_is_left_untaken() -> None:
    assert split_frames(frame(b"abc")[: HEADER - 1], 100) == ([], 0, 0)


def test_a_frame_over_the_limit_is_given_cut_once_the_limit_is_in() -> None:
    data = frame(b"x" * 10, length=4 * 2**30 - 1)  # the header claims 4 GiB
    records, taken, skip = split_frames(data, 8)
    assert records == [(1_700_000_000_123, "x" * 8)]
    assert taken == len(data)
    assert skip == 4 * 2**30 - 1 - 10  # what has yet to come of it, to be dropped


def test_a_frame_over_the_limit_waits_for_the_limit() -> None:
    assert split_frames(frame(b"x" * 7, length=1000), 8) == ([], 0, 0)


def test_the_frame_after_a_cut_frame_whose_rest_is_in_is_read() -> None:
    cut = frame(b"x" * 12)
    data = cut + frame(b"next\n")
    assert split_frames(data, 8) == (
        [(1_700_000_000_123, "x" * 8), (1_700_000_000_123, "next\n")],
        len(data),
        0,
    )


def test_bytes_that_are_no_frame_are_kept_as_text_up_to_the_limit() -> None:
    records, taken, skip = split_frames(b"not a frame at all, long" * 3, 10)
    assert [m for _, m in records] == ["not a fram"]
    assert (taken, skip) == (72, 0)


def test_a_bytearray_is_read_as_bytes_are() -> None:
    data = frame(b"one\n") + frame(b"tw")
    assert split_frames(bytearray(data), 100) == split_frames(data, 100)


def test_a_frame_cut_short_gives_its_message_so_far_up_to_the_limit() -> None:
    assert cut_short(frame(b"partial message", length=100), 7) == "partial"
    assert cut_short(b"plain text", 5) == "plain"
