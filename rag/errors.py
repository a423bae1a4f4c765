"""The one user-facing error type, and how a name or a reason is made safe to show on one line."""


class RagError(Exception):
    """A problem the user can act on. The message says what happened and what to do."""


def display_name(name: str) -> str:
    """``name`` made safe to show on one line: bytes that are not UTF-8 (kept by Python as lone surrogates) become
    ``\\xNN``, control characters (newline, tab, ...) their escapes as in ``repr``; other text is unchanged."""
    if name.isprintable():
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def short_reason(e: BaseException) -> str:
    """A parser's exception as a short one-line reason, safe to print."""
    text = display_name(" ".join(str(e).split())) or type(e).__name__
    return text if len(text) <= 160 else text[:159] + "…"
