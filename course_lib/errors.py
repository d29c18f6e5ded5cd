"""Errors meant for a person: one clear message, no traceback from deep inside a library."""


class CourseError(Exception):
    """An error whose message says what went wrong and what to do.

    The ``course`` command prints it on one line and exits non-zero; in a
    notebook, IPython shows the message alone (see ``_render_traceback_``).
    """

    def _render_traceback_(self):
        # IPython calls this instead of printing the whole traceback.
        return [f"{type(self).__name__}: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


class DataNotFoundError(CourseError, FileNotFoundError):
    """A dataset (or one split of it) is nowhere to be found."""


class DataIntegrityError(CourseError, ValueError):
    """A data file is truncated, corrupted or not the expected file."""


class DownloadError(CourseError, OSError):
    """A download failed; nothing was left under the final name."""
