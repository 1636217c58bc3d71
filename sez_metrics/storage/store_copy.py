"""``copy SRC DST``: every version of one store, with its manifest entry, into another.

Either store may be a folder or a ``postgresql://`` URL. The entries are copied exactly as they
are (same ids, dates, authors, hashes, chain) and the files byte for byte, so the destination
holds the very versions of the source: ``verify`` passes on it, and copying back gives the same
bytes. Each version is read through the source's integrity check (its files' sha256 and the
chain) before it is written, and read back from the destination after.

Copying again adds only the versions the destination lacks. A destination whose history is not
the beginning of the source's (a version published there and not in the source, or a different
entry under the same position) has diverged: it is refused and nothing is written.
"""

from __future__ import annotations

from sez_metrics.storage.store import VERSION_FILES, Store, StoreError, info_from_entry


class CopyRefused(Exception):
    """Nothing (more) was written; the message says why."""


def copy_store(source: Store, destination: Store, *, say=lambda line: None) -> tuple[list[str], int]:
    """Copy what ``destination`` lacks of ``source``; the ids copied and the destination's version count.

    Raises ``CopyRefused`` (a damaged source, a diverged destination), ``StoreError`` when a store
    cannot be read, ``PublishRefused`` when the destination cannot be written to (a damaged
    destination, its lock held).
    """
    entries = source.read_manifest_entries()
    if not entries:
        raise CopyRefused(f"{source.location} holds no version; nothing to copy")
    broken = [p for found in source.chain_problems(entries).values() for p in found]
    if broken:
        raise CopyRefused(f"{source.location} is damaged ({broken[0].format_line()}); run verify on it; nothing was copied")
    copied: list[str] = []
    with destination.publishing() as session:
        have = session.entries
        for index, theirs in enumerate(have):
            ours = entries[index] if index < len(entries) else None
            if ours is None or ours.get("entry_hash") != theirs.get("entry_hash"):
                what = (f"it holds {theirs.get('id')}, which {source.location} does not have" if ours is None
                        else f"its entry {index + 1} ({theirs.get('id')}) differs from the source's ({ours.get('id')})")
                raise CopyRefused(f"{destination.location} has diverged from {source.location}: {what}; "
                                  "nothing was copied (copy into an empty store, or compare the two with versions)")
        for entry in entries[len(have):]:
            info = info_from_entry(entry)
            files, problems = source.read_version_files(info)
            if problems:
                raise CopyRefused(f"{info.id} in {source.location} is damaged ({problems[0].format_line()}); "
                                  "run verify on it; it and the versions after it were not copied")
            session.write(entry, {name: bytes(files[name]) for name in VERSION_FILES})
            copied.append(info.id)
            say(f"copying {info.id}: {info.label} (as of {info.as_of})")
        total = len(session.entries)
    # Read back what was written: the chain and every copied file's hash.
    written = destination.read_manifest_entries()
    broken = [p for found in destination.chain_problems(written).values() for p in found]
    for entry in written:
        if entry.get("id") in copied:
            broken += destination.read_version_files(info_from_entry(entry))[1]
    if broken:
        raise StoreError(f"the copy in {destination.location} does not verify: {broken[0].format_line()}")
    return copied, total
