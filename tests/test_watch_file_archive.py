"""Archives (checkins.transfer.watch_files.Archive): a zip read from a file on disk, one member at
a time, checked whole when opened and each member when read; and a Strava activities.csv that can
never break it. No database."""

from __future__ import annotations

import io
import random
import re
import string
import struct
import zipfile
from pathlib import Path

import pytest

from checkins.transfer import watch_files as importing
from checkins.transfer.watch_files import Archive, ArchiveMember, ImportRefused, parse_activity, read_members
from tests.helpers import gz, make_fit, make_gpx, make_tcx, make_zip, strava_csv

RUNNER_TEXT_FORBIDDEN = re.compile(r"[A-Z][a-z]+Error|Exception|_[a-z]+_")


def row(activity_id: str, name: str, kind: str, filename: str) -> dict[str, str]:
    return {"Activity ID": activity_id, "Activity Name": name, "Activity Type": kind, "Filename": filename}


ACTIVITIES = {
    "activities/1.gpx": make_gpx(),
    "activities/2.tcx.gz": gz(make_tcx()),
    "activities/3.fit": make_fit(),
}
ROWS = [
    row("1", "Morning Run", "Run", "activities/1.gpx"),
    row("2", "Hills", "Trail Run", "activities/2.tcx.gz"),
    row("3", "Track", "Run", "activities/3.fit"),
]


def export(csv: bytes | None = None, **extra: bytes) -> bytes:
    files = {"activities.csv": strava_csv(ROWS) if csv is None else csv, **ACTIVITIES, **extra}
    return make_zip(files)


def on_disk(tmp_path: Path, data: bytes, name: str = "export.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def names(members: list[ArchiveMember]) -> list[tuple[str, str | None, str | None]]:
    return [(m.name, m.csv_name, m.csv_type) for m in members]


class CountingFile(io.FileIO):
    """A file on disk that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.read_bytes += count or 0
        return count


# --- reading from disk ----------------------------------------------------------------------


def test_an_export_on_disk_read_one_member_at_a_time(tmp_path):
    path = on_disk(tmp_path, export(**{"media/photo.jpg": b"\xff\xd8", "activities/": b""}))
    with path.open("rb") as file, Archive("export.zip", file) as archive:
        members = archive.members()
        assert names(members) == [
            ("activities/1.gpx", "Morning Run", "Run"),
            ("activities/2.tcx.gz", "Hills", "Trail Run"),
            ("activities/3.fit", "Track", "Run"),
        ]
        assert all(m.data is None and m.refused is None for m in members)
        for member in members:
            data = archive.read(member.name)
            assert data == ACTIVITIES[member.name]
            assert parse_activity(member.name, data).distance_km == pytest.approx(0.6, rel=0.01)
        csv_size = len(strava_csv(ROWS))
        assert archive.bytes_read == csv_size + sum(len(d) for d in ACTIVITIES.values())


def test_a_path_is_opened_and_closed_by_the_archive(tmp_path):
    path = on_disk(tmp_path, export())
    archive = Archive("export.zip", path)
    assert len(archive.members()) == 3
    archive.close()
    with pytest.raises(ValueError, match="closed"):
        archive.read("activities/1.gpx")
    with Archive("export.zip", str(path)) as again:
        assert again.read("activities/3.fit") == ACTIVITIES["activities/3.fit"]


def test_the_callers_file_is_left_open():
    file = io.BytesIO(export())
    with Archive("export.zip", file) as archive:
        archive.members()
    assert not file.closed


def test_only_the_member_asked_for_is_read_from_disk(tmp_path):
    """Listing reads the directory and activities.csv; read() one member reads that member."""
    big = {f"activities/{i}.fit": make_fit() + bytes(2 * 1024 * 1024) for i in range(4)}
    path = on_disk(
        tmp_path, make_zip({"activities.csv": b"Activity ID\n", **big}, compression=zipfile.ZIP_STORED)
    )
    assert path.stat().st_size > 8 * 1024 * 1024
    with CountingFile(path) as file, Archive("big.zip", file) as archive:
        assert len(archive.members()) == 4
        listed = file.read_bytes
        assert listed < 100 * 1024
        archive.read("activities/2.fit")
        assert 2 * 1024 * 1024 < file.read_bytes - listed < 2 * 1024 * 1024 + 64 * 1024


# --- the whole archive is checked when opened -------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"not a zip", make_gpx(), b"PK\x03\x04broken"])
def test_not_a_zip(data):
    with pytest.raises(ImportRefused) as caught:
        Archive("x.zip", io.BytesIO(data))
    assert (caught.value.filename, caught.value.reason) == ("x.zip", importing.NOT_A_ZIP)


def test_unsafe_paths_and_totals_refuse_the_archive(monkeypatch):
    with pytest.raises(ImportRefused, match=r"outside its folder \(\.\./evil\.gpx\)"):
        Archive("x.zip", io.BytesIO(make_zip({"../evil.gpx": make_gpx()})))
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(ImportRefused, match="unpacks to more than"):
        Archive("x.zip", io.BytesIO(make_zip({"a.tcx": make_tcx()})))
    monkeypatch.setattr(importing, "MAX_ZIP_BYTES", 100)
    with pytest.raises(ImportRefused, match="the archive is larger than"):
        Archive("x.zip", io.BytesIO(make_zip({"a.gpx": make_gpx()})))


def test_too_many_members_are_refused_before_zipfile_reads_the_directory(monkeypatch):
    data = make_zip({f"{i}.gpx": b"<gpx/>" for i in range(8)})

    def exploding(*args, **kwargs):
        raise AssertionError("zipfile read the directory")

    monkeypatch.setattr(importing, "MAX_ZIP_MEMBERS", 5)
    monkeypatch.setattr(importing.zipfile, "ZipFile", exploding)
    with pytest.raises(ImportRefused) as caught:
        Archive("many.zip", io.BytesIO(data))
    assert caught.value.reason == "the archive holds more than 5 files"


def test_a_directory_larger_than_its_members_need_is_refused(monkeypatch):
    """A directory of tiny entries declared as few: its size gives it away."""
    data = bytearray(make_zip({f"{i:04d}.gpx": b"" for i in range(200)}))
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 3, 3)  # "3 members"
    monkeypatch.setattr(importing, "MAX_ZIP_MEMBERS", 5)  # 5 KB of directory at most; it holds ~11 KB
    with pytest.raises(ImportRefused, match="list of contents is larger than 5 files need"):
        Archive("x.zip", io.BytesIO(bytes(data)))


# --- each member is checked when listed and when read ---------------------------------------


def encrypted(data: bytes, member: str) -> bytes:
    """The zip with `member` marked as encrypted (zipfile cannot write one)."""
    out = bytearray(data)
    name = member.encode()
    local = out.index(b"PK\x03\x04" + out[4:6])  # the first local header
    while out[local + 30 : local + 30 + len(name)] != name:
        local = out.index(b"PK\x03\x04", local + 4)
    out[local + 6] |= 1
    central = out.index(b"PK\x01\x02")
    while out[central + 46 : central + 46 + len(name)] != name:
        central = out.index(b"PK\x01\x02", central + 4)
    out[central + 8] |= 1
    return bytes(out)


def test_members_refusable_without_reading_say_so_in_the_list(monkeypatch):
    data = make_zip(
        {
            "bomb.fit": b"\0" * (5 * 1024 * 1024),
            "secret.gpx": make_gpx(),
            "big.tcx": make_tcx() * 3,
            "ok.gpx": make_gpx(),
        }
    )
    data = encrypted(data, "secret.gpx")
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", len(make_tcx()) * 2)
    with Archive("x.zip", io.BytesIO(data)) as archive:
        refused = {m.name: m.refused for m in archive.members()}
        assert refused == {
            "bomb.fit": importing.ZIP_BOMB,
            "secret.gpx": importing.ENCRYPTED,
            "big.tcx": importing.larger_than(len(make_tcx()) * 2),
            "ok.gpx": None,
        }
        for name, reason in refused.items():
            if reason:
                with pytest.raises(ImportRefused) as caught:
                    archive.read(name)
                assert (caught.value.filename, caught.value.reason) == (name, reason)
        assert archive.read("ok.gpx") == make_gpx()
        assert archive.bytes_read == len(make_gpx())  # nothing else was unpacked


def test_a_second_member_of_the_same_name_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("run.gpx", make_gpx())
        zf.writestr("run.gpx", b"<gpx>other</gpx>")
    with Archive("x.zip", buffer) as archive:
        assert [(m.name, m.refused) for m in archive.members()] == [
            ("run.gpx", None),
            ("run.gpx", importing.DUPLICATE_MEMBER),
        ]
        assert archive.read("run.gpx") == make_gpx()  # the first


def test_a_damaged_member_or_an_unknown_name_is_refused_with_its_name():
    data = bytearray(make_zip({"a.gpx": make_gpx(), "b.gpx": make_gpx()}))
    start = data.index(b"b.gpx") + len("b.gpx")  # b's compressed bytes follow its local header
    data[start + 10 : start + 20] = b"\xff" * 10
    with Archive("x.zip", io.BytesIO(bytes(data))) as archive:
        assert archive.read("a.gpx") == make_gpx()
        with pytest.raises(ImportRefused) as caught:
            archive.read("b.gpx")
        assert (caught.value.filename, caught.value.reason) == ("b.gpx", importing.DAMAGED_MEMBER)
        with pytest.raises(ImportRefused) as caught:
            archive.read("nowhere.gpx")
        assert (caught.value.filename, caught.value.reason) == ("nowhere.gpx", importing.NO_SUCH_MEMBER)


def test_what_is_actually_read_is_capped_across_the_archive(monkeypatch):
    data = make_zip({f"{i}.tcx": make_tcx() for i in range(3)})
    with Archive("x.zip", io.BytesIO(data)) as archive:  # the declared total passes...
        monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", len(make_tcx()) * 2 + 10)
        archive.read("0.tcx")
        archive.read("0.tcx")  # ...reading one twice counts twice
        with pytest.raises(ImportRefused) as caught:
            archive.read("1.tcx")
        assert (caught.value.filename, caught.value.reason) == ("1.tcx", importing.unpacks_too_large())


def test_a_member_that_lies_about_its_size_is_refused_as_damaged():
    """zipfile unpacks no more than the size a member declares, then finds the checksum wrong:
    a bomb cannot get past the declared total by declaring itself small."""
    data = bytearray(make_zip({"a.tcx": make_tcx() * 50}))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # declared: 10 bytes
    with Archive("x.zip", io.BytesIO(bytes(data))) as archive:
        assert [m.refused for m in archive.members()] == [None]  # nothing to see without reading
        with pytest.raises(ImportRefused) as caught:
            archive.read("a.tcx")
        assert caught.value.reason == importing.DAMAGED_MEMBER
        assert archive.bytes_read == 0


# --- a Strava activities.csv never breaks the archive --------------------------------------------


def imported(data: bytes) -> list[tuple[str, str | None, float]]:
    """(name, Strava's name, km) of every activity, read through the old interface too."""
    out = []
    for member in read_members("export.zip", data):
        assert member.refused is None, member
        out.append((member.name, member.csv_name, parse_activity(member.name, member.data).distance_km))
    with Archive("export.zip", io.BytesIO(data)) as archive:
        assert [(m.name, m.csv_name) for m in archive.members()] == [(n, c) for n, c, _ in out]
    return out


def csv_text(*lines: str) -> bytes:
    return ("Activity ID,Activity Name,Activity Type,Filename\n" + "".join(lines)).encode()


def test_an_unclosed_quote_loses_the_names_it_swallows_not_the_activities():
    csv = csv_text(
        "1,Morning Run,Run,activities/1.gpx\n",
        '2,"Hills,Trail Run,activities/2.tcx.gz\n',  # the quote never closes
        "3,Track,Run,activities/3.fit\n",
    )
    assert imported(export(csv)) == [
        ("activities/1.gpx", "Morning Run", pytest.approx(0.6, rel=0.01)),
        ("activities/2.tcx.gz", None, 0.6),
        ("activities/3.fit", None, 0.6),
    ]


def test_a_field_over_the_csv_modules_limit_loses_only_its_row():
    """Python's csv stops at 128 KB a field (a long description): that row is left out."""
    long_name = "".join(random.Random(5).choices(string.ascii_letters + " ", k=140 * 1024))
    csv = csv_text(
        "1,Morning Run,Run,activities/1.gpx\n",
        f"2,{long_name},Trail Run,activities/2.tcx.gz\n",
        "3,Track,Run,activities/3.fit\n",
    )
    assert [(n, c) for n, c, _ in imported(export(csv))] == [
        ("activities/1.gpx", "Morning Run"),
        ("activities/2.tcx.gz", None),
        ("activities/3.fit", "Track"),
    ]


def test_an_unclosed_quote_before_many_rows_resumes_after_the_limit():
    """The quote swallows rows until the 128 KB limit; reading goes on after it."""
    filler = "".join(f"{9000 + i},Filler {i},Run,activities/x{i}.gpx\n" for i in range(6000))
    csv = csv_text('2,"Hills,Trail Run,activities/2.tcx.gz\n', filler, "3,Track,Run,activities/3.fit\n")
    assert len(csv) > 200 * 1024
    assert [(n, c) for n, c, _ in imported(export(csv))] == [
        ("activities/1.gpx", None),
        ("activities/2.tcx.gz", None),
        ("activities/3.fit", "Track"),
    ]


@pytest.mark.parametrize(
    "csv",
    [
        b"",
        b"Activity ID\n",
        b"\x00\x01\x02\xff\xfe binary \x00 garbage",
        ("Activity ID,Activity Name,Filename\n" + '"' * 300_000).encode(),
        gz(b"not a csv at all"),
    ],
    ids=["empty", "header only", "binary", "quotes", "gzip"],
)
def test_a_csv_that_cannot_be_read_leaves_names_out(csv):
    assert [(n, c) for n, c, _ in imported(export(csv))] == [
        ("activities/1.gpx", None),
        ("activities/2.tcx.gz", None),
        ("activities/3.fit", None),
    ]


def test_control_characters_are_dropped_from_names():
    """A NUL would stop the database from storing the run's notes."""
    csv = csv_text('1,"Morning\x00 Run\x07\r\nby the lake",Run,activities/1.gpx\n')
    assert imported(export(csv))[0][1] == "Morning Run\nby the lake"


def test_a_csv_bomb_or_an_oversized_csv_is_left_out(monkeypatch):
    bomb = make_zip({"activities.csv": b"Activity ID," + b"x" * (5 * 1024 * 1024), **ACTIVITIES})
    assert [c for _, c, _ in imported(bomb)] == [None, None, None]
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    with Archive("x.zip", io.BytesIO(export())) as archive:
        assert [m.csv_name for m in archive.members()] == [None, None, None]
        assert [m.refused for m in archive.members()] == [importing.larger_than(100)] * 3


def test_archive_refusals_are_written_for_runners():
    for reason in (
        importing.NOT_A_ZIP,
        importing.ZIP_BOMB,
        importing.ENCRYPTED,
        importing.ODD_COMPRESSION,
        importing.DAMAGED_MEMBER,
        importing.NO_SUCH_MEMBER,
        importing.DUPLICATE_MEMBER,
        importing.unpacks_too_large(),
        importing._too_many_members(),
    ):
        assert not RUNNER_TEXT_FORBIDDEN.search(reason), reason
    assert "Archive" in importing.__all__
