"""Atomic file writes: a reader sees the old file or the new one, never half of either.

- A symlink is written through: its target is replaced, the link stays.
- `/dev/stdout` (or `-`) is written as a stream; any other device, pipe or socket is refused.
- Temporary files are anonymous while they are written (O_TMPFILE), so even a `kill -9`
  leaves nothing behind; where that is unsupported they carry the writer's pid in their name,
  and a later write sweeps those whose writer is gone.
- A set of files (`--out-dir`) is written into a temporary folder and swapped in whole.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from .errors import ConfigError, OutputError

STDOUT_NAMES = ("-", "/dev/stdout")
# .NAME.storybrief-PID-RANDOM.tmp (a file) / .tmpdir (a folder being filled or just swapped out)
RENAME_EXCHANGE = 2
AT_FDCWD = -100
_TEMP = re.compile(r"^\..*\.storybrief-(\d+)-[0-9a-f]+\.(?:tmp|tmpdir)$")


def is_stdout(path: str | Path) -> bool:
    """`-`, or a path naming the file standard output already is (/dev/stdout, /dev/fd/1)."""
    if str(path) == "-":
        return True
    try:
        named = os.stat(path)
        out = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (named.st_dev, named.st_ino) == (out.st_dev, out.st_ino)


def _target(path: Path, option: str) -> Path:
    """Where a write to `path` lands: through any symlinks."""
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return Path(os.path.realpath(path))  # a new file, or a link to one
    except OSError as exc:
        raise ConfigError(f"{option} {path}: {exc.strerror or exc} (a symlink loop?)") from exc


def _check_parent(target: Path, path: Path, option: str) -> None:
    """The nearest existing folder above `target` must be a folder we may write in."""
    ancestor = target.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError(f"{option} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path}: no permission to write in {ancestor}")


def check_output_file(path: str | Path, option: str = "--out") -> None:
    """Fail now, before any model call, if a write to `path` could not succeed."""
    path = Path(path)
    if is_stdout(path):
        return
    target = _target(path, option)
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ConfigError(f"{option} {path} is a directory; give a file name")
        if not stat.S_ISREG(mode):
            raise ConfigError(f"{option} {path} is a device, pipe or socket, not a file "
                              "(only /dev/stdout is written as a stream)")
        if not os.access(target, os.W_OK):
            raise ConfigError(f"{option} {path} is read-only")
    _check_parent(target, path, option)


def check_output_dir(path: str | Path, names: tuple[str, ...] = (), option: str = "--out-dir") -> None:
    """Fail now if the folder `path` could not receive the files `names`."""
    path = Path(path)
    target = _target(path, option)
    if target.exists():
        if not target.is_dir():
            raise ConfigError(f"{option} {path} is a file, not a folder")
        for name in names:
            if (target / name).is_dir():
                raise ConfigError(f"{option} {path}: {name} in it is a folder")
    _check_parent(target, path, option)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(directory: Path) -> None:
    """Remove temporary files and folders left in `directory` by writers that no longer run."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        match = _TEMP.match(entry.name)
        if not match or int(match.group(1)) == os.getpid() or _pid_alive(int(match.group(1))):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def _temp_name(directory: Path, name: str, kind: str = "tmp") -> Path:
    return directory / f".{name}.storybrief-{os.getpid()}-{secrets.token_hex(4)}.{kind}"


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _default_mode() -> int:
    return 0o666 & ~_umask()


def _write_fd(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _write_temp(directory: Path, name: str, payload: bytes, mode: int) -> Path:
    """A complete, fsynced file named as a temporary in `directory`; returns its name."""
    temp = _temp_name(directory, name)
    if _write_anonymous(directory, temp, payload, mode):
        return temp
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, mode)
        _write_fd(fd, payload)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return temp


def _write_anonymous(directory: Path, temp: Path, payload: bytes, mode: int) -> bool:
    """Write an unnamed file (O_TMPFILE), named `temp` only once complete: a writer killed
    mid-write leaves nothing. False where the filesystem cannot."""
    if not hasattr(os, "O_TMPFILE"):
        return False
    try:
        fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o600)
    except OSError:
        return False
    try:
        os.fchmod(fd, mode)
        _write_fd(fd, payload)
        _link_fd(fd, temp)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            raise
        return False  # e.g. an overlay filesystem that cannot link it: a named temporary then
    finally:
        os.close(fd)
    return True


AT_EMPTY_PATH = 0x1000


def _link_fd(fd: int, name: Path) -> None:
    """Give the unnamed file open as `fd` the name `name`."""
    linkat = getattr(ctypes.CDLL(None, use_errno=True), "linkat", None)
    if linkat is not None and linkat(fd, b"", AT_FDCWD, os.fsencode(name), AT_EMPTY_PATH) == 0:
        return
    # AT_EMPTY_PATH needs privileges on older kernels; /proc's link to the descriptor does not.
    os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Replace the file at `path` (through symlinks) with `data`, atomically; or stream it to
    standard output when `path` is standard output."""
    path = Path(path)
    if is_stdout(path):
        sys.stdout.flush()
        sys.stdout.buffer.write(_payload(data))
        sys.stdout.flush()
        return
    check_output_file(path, option="output")
    target = _target(path, "output")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(target.parent)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode()
        temp = _write_temp(target.parent, target.name, _payload(data), mode)
        try:
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def write_set(directory: str | Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (name -> content) into `directory` so that a reader sees the old set or the
    new one: the new set, with hard links to the folder's other files, is built in a temporary
    folder beside it and swapped in. A folder holding sub-folders (which cannot be linked) gets
    every file written first and renamed in turn."""
    directory = Path(directory)
    check_output_dir(directory, tuple(files))
    target = _target(directory, "--out-dir")
    payloads = {name: _payload(data) for name, data in files.items()}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(target.parent)
        if target.is_dir():
            sweep_stale(target)
        others = [e for e in os.scandir(target) if e.name not in files] if target.is_dir() else []
        if any(e.is_dir(follow_symlinks=False) for e in others) or not _swap_in(target, payloads, others):
            _rename_each(target, payloads)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {directory}: {exc.strerror or exc}") from exc


def _swap_in(target: Path, payloads: dict[str, bytes], others: list[os.DirEntry]) -> bool:
    """Build the new folder beside `target` and swap it in; False when this filesystem cannot."""
    staging = _temp_name(target.parent, target.name, "tmpdir")
    os.mkdir(staging, 0o700)
    try:
        for entry in others:
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), staging / entry.name)
            else:
                os.link(entry.path, staging / entry.name, follow_symlinks=False)
        for name, payload in payloads.items():
            os.replace(_write_temp(staging, name, payload, _default_mode()), staging / name)
        _fsync_dir(staging)
        if target.exists():
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
            _exchange(staging, target)  # staging now holds the old set
        else:
            os.chmod(staging, 0o777 & ~_umask())
            os.rename(staging, target)
            return True
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EBUSY, errno.EPERM, errno.EMLINK):
            return False
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return True


def _rename_each(target: Path, payloads: dict[str, bytes]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, payload in payloads.items():
            final = target / name
            mode = stat.S_IMODE(final.stat().st_mode) if final.exists() else _default_mode()
            temps.append((_write_temp(target, name, payload, mode), final))
        for temp, final in temps:
            os.replace(temp, final)
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
