"""Where a command may write: never onto, into or around its own inputs, and never by accident.

Every ``rose`` command that writes calls :func:`check_output` before any work
(so that a long run never ends in "cannot write there") and commits its result
with :func:`commit_dir` or :func:`commit_file`:

* an output that is, contains or lies inside one of the command's inputs
  (paths resolved, symlinks followed) is refused, and so is an output inside a
  ``rose build`` directory (its manifest lists every file, so any new file
  breaks it) — including the build that holds an input file;
* an existing output is replaced only when the caller says so (``--overwrite``,
  or a folder holding nothing but the command's own earlier outputs);
* the commit is one ``rename``: without overwrite it fails when the target
  appeared meanwhile (a directory ``rename`` onto a non-empty directory fails,
  a file is linked with ``link()``, which fails on an existing name), so two
  processes racing for one output cannot replace each other's result;
* outputs get the ordinary permissions of the user's umask, not the 0600/0700
  of temporary files.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Collection, Iterable, Literal, Optional

from .contract import MANIFEST_NAME
from .io import InputError, normal_permissions

__all__ = ["check_output", "commit_dir", "commit_file", "enclosing_build"]

Kind = Literal["dir", "into", "file"]
# dir:  a folder written as a whole (replaced as a whole)
# into: files added to a folder that may hold other files (those are left alone)
# file: a single file


def _resolve(path: Path | str) -> Path:
    return Path(path).expanduser().resolve()


def enclosing_build(path: Path | str) -> Optional[Path]:
    """The nearest folder at or above ``path`` that holds a build manifest, if any."""
    for folder in (_resolve(path), *_resolve(path).parents):
        if (folder / MANIFEST_NAME).is_file():
            return folder
    return None


def _protected(inputs: Iterable[tuple[str, Optional[Path | str]]]) -> list[tuple[Path, str]]:
    """(resolved path, description) of every input and of the build that holds it."""
    out: list[tuple[Path, str]] = []
    for label, path in inputs:
        if path is None:
            continue
        where = _resolve(path)
        out.append((where, f"the input {label} {where}"))
        build = enclosing_build(where)
        if build is not None and build != where:
            out.append((build, f"the rose build {build} holding the input {label}"))
    return out


def _refuse_input_overlap(out: Path, inputs, *, flag: str, kind: Kind) -> None:
    fix = f"give {flag} a path outside every input"
    for where, what in _protected(inputs):
        if out == where:
            raise InputError(out, f"{flag} is {what}; writing there would destroy it", fix=fix)
        if where in out.parents:
            raise InputError(out, f"{flag} lies inside {what}; writing there would change it", fix=fix)
        if out in where.parents and kind == "dir":
            raise InputError(out, f"{flag} contains {what}; replacing {flag} would delete it", fix=fix)
    build = enclosing_build(out.parent)
    if build is not None:
        raise InputError(
            out, f"{flag} lies inside the rose build {build}; a new file there breaks its manifest check",
            fix=f"give {flag} a path outside the build",
        )


def _refuse_unwritable_parent(out: Path, *, flag: str) -> None:
    for parent in out.parents:
        if not parent.exists():
            continue
        if not parent.is_dir():
            raise InputError(out, f"{flag} cannot be created: {parent} is a file, not a folder",
                             fix=f"give {flag} a path whose parents are folders")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(out, f"{flag} cannot be created: no permission to write in {parent}",
                             fix=f"give {flag} a path in a folder you can write to")
        return


def _refuse_existing(out: Path, *, flag: str, kind: Kind, overwrite: bool, replaceable: Collection[str], owner: str) -> None:
    if not os.path.lexists(out):
        return
    if kind == "file":
        if out.is_dir():
            raise InputError(out, f"{flag} is a folder, not a file", fix=f"give {flag} a file name")
        if not overwrite:
            raise InputError(out, f"{flag} exists", fix=f"pass --overwrite to replace it, or give {flag} another path")
        return
    if not out.is_dir():
        raise InputError(out, f"{flag} exists and is not a directory", fix=f"choose another {flag}")
    if kind == "into" or overwrite:
        return
    names = sorted(p.name for p in out.iterdir())
    if not names:
        return
    if replaceable:
        foreign = [n for n in names if n not in replaceable]
        if foreign:
            raise InputError(out, f"{flag} holds files {owner} did not write ({', '.join(foreign[:3])})",
                             fix=f"choose a new or empty {flag} (it is replaced as a whole)")
        return
    raise InputError(out, f"{flag} exists and is not empty", fix=f"pass --overwrite to replace it, or choose another {flag}")


def check_output(
    out: Path | str,
    inputs: Iterable[tuple[str, Optional[Path | str]]] = (),
    *,
    flag: str,
    kind: Kind = "dir",
    overwrite: bool = False,
    replaceable: Collection[str] = (),
    owner: str = "this command",
) -> Path:
    """Refuse ``out`` before any work; returns it resolved.

    ``inputs`` are (label, path) pairs, e.g. ``("BUILD_DIR", build_dir)``;
    ``replaceable`` names the files of an earlier run of the same command that
    may be replaced without ``overwrite`` (``rose score`` replaces its own
    output folder, like the official evaluator).  Raises ``InputError``.
    """
    resolved = _resolve(out)
    _refuse_input_overlap(resolved, list(inputs), flag=flag, kind=kind)
    _refuse_unwritable_parent(resolved, flag=flag)
    _refuse_existing(resolved, flag=flag, kind=kind, overwrite=overwrite, replaceable=replaceable, owner=owner)
    return resolved


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths (Linux ``renameat2``); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _appeared(final: Path) -> InputError:
    return InputError(final, "appeared while this command ran (another process wrote it); it was left as it is",
                      fix="choose another output, or pass --overwrite to replace it")


def commit_dir(stage: Path | str, final: Path | str, *, overwrite: bool) -> None:
    """Make the finished folder ``stage`` become ``final`` in one rename.

    Without ``overwrite`` the rename fails if ``final`` is a file or a non-empty
    folder by then (``InputError``; ``stage`` is left for the caller to remove).
    With ``overwrite`` an existing ``final`` is swapped out atomically and removed.
    """
    stage, final = Path(stage), Path(final)
    normal_permissions(stage)
    if not overwrite or not os.path.lexists(final):
        try:
            os.rename(stage, final)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                raise _appeared(final) from None
            raise
        return
    if _exchange(stage, final):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the old output
        return
    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
    os.rmdir(old)
    os.replace(final, old)
    try:
        os.replace(stage, final)
    except BaseException:
        if not os.path.lexists(final):
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def commit_file(tmp: Path | str, final: Path | str, *, overwrite: bool) -> None:
    """Make the finished file ``tmp`` become ``final``; without ``overwrite`` never replace an existing name."""
    tmp, final = Path(tmp), Path(final)
    normal_permissions(tmp)
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise _appeared(final) from None
    except OSError as exc:  # a file system without hard links: reserve the name, then replace it
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        try:
            os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise _appeared(final) from None
        os.replace(tmp, final)
        return
    os.unlink(tmp)
