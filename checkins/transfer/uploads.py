"""Uploads as they arrive: streamed to a temporary file, and capped per request.

Django holds an upload in memory only up to FILE_UPLOAD_MAX_MEMORY_SIZE and writes the
rest to a temporary file, but it sets no limit on a file's size: a form learns the size
only once the whole body has been written to disk. This handler counts the bytes of a
request's files as they stream and drops a file past the cap (its form says so at the
field), so a request can never fill the disk.
"""

from __future__ import annotations

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

from .watch_files import MAX_ZIP_BYTES, larger_than

# One request's files together: the largest archive a job takes (a Strava export).
MAX_REQUEST_FILE_BYTES = MAX_ZIP_BYTES
TOO_LARGE_ATTR = "upload_too_large"  # on the request: the names of the files dropped


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Every file to a temporary file on disk (memory stays flat), at most
    MAX_REQUEST_FILE_BYTES per request; a file crossing the cap is dropped whole."""

    limit = MAX_REQUEST_FILE_BYTES

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            if self.request is not None:
                dropped = getattr(self.request, TOO_LARGE_ATTR, [])
                dropped.append(self.file_name or "the file")
                setattr(self.request, TOO_LARGE_ATTR, dropped)
            self.file.close()  # the temporary file is deleted on close
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def too_large_message(request) -> str | None:
    """The field's message when this request's files went over the cap, else None."""
    dropped = getattr(request, TOO_LARGE_ATTR, None)
    if not dropped:
        return None
    names = ", ".join(dropped[:3])
    return (
        f"{names}: together your files are {larger_than(MAX_REQUEST_FILE_BYTES)}. "
        "Upload fewer at a time, or split the archive."
    )
