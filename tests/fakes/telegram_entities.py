"""Telegram's text entities as the Bot API computes them: a port of tdlib's HTML parser (error texts and UTF-8
byte offsets included), its `fix_formatted_text` clean-up, and the automatic bot_command/url entities.

The fake Bot API server (tests/fakes/telegram_api.py) uses it to accept and reject exactly what Telegram does.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_SPACE = frozenset(" \t\r\n\0\v\f")


class HTMLParseError(ValueError):
    """Raised by :func:`parse_html` with tdlib's wording (without the Bot API prefix)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram counts and uses for offsets)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "span", "pre", "code", "blockquote",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HEX = "0123456789abcdefABCDEF"


def _decode_html_entity(text: str, pos: int) -> tuple[str | None, int]:
    """tdlib ``decode_html_entity``: returns (char, new_pos) or (None, pos) if not an entity."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    end = pos + 1
    if at(pos + 1) == "#":
        end += 1
        res = 0
        if at(pos + 2) == "x":
            end += 1
            while at(end) in _HEX and at(end) != "\0":
                res = res * 16 + int(at(end), 16)
                end += 1
                if res >= 0x10FFFF:
                    return None, pos
        else:
            while at(end).isascii() and at(end).isdigit():
                res = res * 10 + int(at(end))
                end += 1
                if res >= 0x10FFFF:
                    return None, pos
        if res == 0 or res >= 0x10FFFF:
            return None, pos
        # (a surrogate decodes, then the whole text is rejected — see parse_html)
        ch = chr(res)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None, pos  # e.g. a bare "&" or "&nbsp;": kept literally, like Telegram does
        ch = named
    if at(end) == ";":
        end += 1
    return ch, end


def _check_link(url: str) -> str | None:
    """Rough equivalent of tdlib's check_url: the normalised URL, or None (entity dropped).

    Like Telegram, a bare domain gets ``http://`` and an empty path becomes ``/``
    (``telegram.org`` → ``http://telegram.org/``)."""
    if not url or any(ch.isspace() for ch in url):
        return None
    m = re.match(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<rest>.+)$", url)
    if m:
        scheme = m.group("scheme").lower()
        if scheme in ("tg", "ton"):
            return url
        if scheme not in ("http", "https"):
            return None
        rest = m.group("rest")
    else:
        scheme, rest = "http", url
    hm = re.match(r"^(?P<host>[^/?#]+)(?P<tail>.*)$", rest)
    if not hm:
        return None
    host = hm.group("host")
    hostname = host.rsplit("@", 1)[-1].split(":", 1)[0]
    is_ip = re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", hostname) is not None
    if not is_ip and not re.fullmatch(r"([\w-]+\.)+[^\W\d_]{2,}", hostname):
        return None
    tail = hm.group("tail")
    if not tail.startswith("/"):
        tail = "/" + tail
    prefix = url[: len(url) - len(rest)] if m else "http://"
    return prefix + host + tail


# tdlib's sort_entities: by offset, then longer first, then by type priority.
_ENTITY_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "text_mention": 49, "mention": 50, "hashtag": 50, "cashtag": 50, "bot_command": 50, "url": 50,
    "email": 50, "phone_number": 50, "bank_card_number": 50, "bold": 90, "italic": 91,
    "underline": 92, "strikethrough": 93, "spoiler": 94, "custom_emoji": 99,
}


def _sort_entities(entities: list[dict]) -> list[dict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _ENTITY_PRIORITY.get(e["type"], 50)))


def parse_html(text: str, *, users: dict[int, dict[str, Any]] | None = None) -> tuple[str, list[dict]]:
    """Parse Telegram-flavoured HTML into (plain text, entities) like the Bot API server.

    Raises :class:`HTMLParseError` with tdlib's messages, e.g.
    ``Unsupported start tag "br" at byte offset 5`` (byte offsets count UTF-8 bytes of the
    original text) or ``Can't find end tag corresponding to start tag "b"``.
    Entity offsets/lengths are in UTF-16 code units. A bare ``&`` (or an unknown named entity
    such as ``&nbsp;``) is *not* an error: Telegram keeps it literally.
    """
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    def boff(i: int) -> int:
        return len(text[:i].encode("utf-8", "surrogatepass"))

    out: list[str] = []
    utf16 = 0
    nested: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            ch, new_i = _decode_html_entity(text, i)
            if ch is not None:
                out.append(ch)
                utf16 += 2 if ord(ch) > 0xFFFF else 1
                i = new_i
                continue
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            # a start tag
            tag_end = i
            while at(tag_end) not in _SPACE and at(tag_end) != ">":
                tag_end += 1
            if tag_end >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {boff(begin)}")
            tag_name = text[i:tag_end].lower()
            if tag_name not in _HTML_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{tag_name}" at byte offset {boff(begin)}')
            argument = ""
            i = tag_end
            while at(i) != ">":
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _SPACE and at(i) not in "=>":
                    i += 1
                attr_name = text[attr_begin:i].lower()
                if not attr_name:
                    raise HTMLParseError(
                        f'Empty attribute name in the tag "{tag_name}" at byte offset {boff(begin)}'
                    )
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != "=":
                    if tag_name == "blockquote" and attr_name == "expandable":
                        argument = "1"
                        continue
                    if i >= n:
                        raise HTMLParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                    raise HTMLParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag_name}" at byte offset {boff(begin)}'
                    )
                i += 1
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise HTMLParseError(f'Unclosed start tag "{tag_name}" at byte offset {boff(begin)}')
                if at(i) not in "'\"":
                    # a name token (letters, digits, periods, hyphens), case-insensitive
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-") and at(i) != "\0":
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _SPACE and at(i) != ">":
                        raise HTMLParseError(
                            f"Unexpected end of name token at byte offset {boff(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while i < n and at(i) != quote:
                        if at(i) == "&":
                            ch, new_i = _decode_html_entity(text, i)
                            if ch is not None:
                                chars.append(ch)
                                i = new_i
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                if tag_name == "a" and attr_name == "href":
                    argument = value
                elif tag_name == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag_name == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag_name == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag_name == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag_name == "span" and argument != "spoiler":
                raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}')
            nested.append({"tag": tag_name, "arg": argument, "offset": utf16, "out_len": len(out)})
            i += 1  # skip ">"
            continue

        # an end tag
        if not nested:
            raise HTMLParseError(f"Unexpected end tag at byte offset {boff(begin)}")
        i += 1  # skip "/"
        name_begin = i
        while at(i) not in _SPACE and at(i) != ">":
            i += 1
        end_tag_name = text[name_begin:i].lower()
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != ">":
            raise HTMLParseError(f"Unclosed end tag at byte offset {boff(begin)}")
        top = nested[-1]
        tag_name = top["tag"]
        if end_tag_name and end_tag_name != tag_name:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {boff(begin)}, expected "</{tag_name}>", '
                f'found "</{end_tag_name}>"'
            )
        offset = top["offset"]
        length = utf16 - offset
        if length > 0:
            arg = top["arg"]
            ent: dict[str, Any] | None = None
            if tag_name in ("i", "em"):
                ent = {"type": "italic"}
            elif tag_name in ("b", "strong"):
                ent = {"type": "bold"}
            elif tag_name in ("s", "strike", "del"):
                ent = {"type": "strikethrough"}
            elif tag_name in ("u", "ins"):
                ent = {"type": "underline"}
            elif tag_name == "tg-spoiler" or tag_name == "span":
                ent = {"type": "spoiler"}
            elif tag_name == "tg-emoji":
                if not arg.isdigit() or int(arg) == 0:
                    raise HTMLParseError("Invalid custom emoji identifier specified")
                ent = {"type": "custom_emoji", "custom_emoji_id": arg}
            elif tag_name == "a":
                url = arg or "".join(out[top["out_len"] :])
                m = re.match(r"^tg://user\?id=(\d+)$", url)
                if m and users and int(m.group(1)) in users:
                    ent = {"type": "text_mention", "user": copy.deepcopy(users[int(m.group(1))])}
                else:
                    checked = _check_link(url)
                    if checked is not None:
                        ent = {"type": "text_link", "url": checked}
            elif tag_name == "pre":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "code"
                    and last["offset"] == offset
                    and last["length"] == length
                    and last.get("language")
                ):
                    last["type"] = "pre"
                else:
                    ent = {"type": "pre"}
            elif tag_name == "code":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "pre"
                    and last["offset"] == offset
                    and last["length"] == length
                    and arg
                ):
                    last["language"] = arg
                else:
                    ent = {"type": "code"}
                    if arg:
                        ent["language"] = arg  # only kept if an enclosing <pre> turns it into pre
            elif tag_name == "blockquote":
                ent = {"type": "expandable_blockquote" if arg == "1" else "blockquote"}
            if ent is not None:
                ent["offset"] = offset
                ent["length"] = length
                entities.append(ent)
        nested.pop()
        i += 1  # skip ">"

    if nested:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1]["tag"]}"')
    for ent in entities:
        if ent["type"] == "code":
            ent.pop("language", None)
    plain = "".join(out)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in plain):
        raise HTMLParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    # canonical key order: type, offset, length, extras
    result = []
    for ent in _sort_entities(entities):
        extra = {k: v for k, v in ent.items() if k not in ("type", "offset", "length")}
        result.append({"type": ent["type"], "offset": ent["offset"], "length": ent["length"], **extra})
    return plain, result


class _EmptyText(ValueError):
    pass


def _fix_formatted_text(text: str, entities: list[dict], *, allow_empty: bool) -> tuple[str, list[dict]]:
    """Port of tdlib's fix_formatted_text, which the Bot API applies to every text/caption:

    * control characters other than ``\\n`` become spaces, ``\\r`` is removed, as are
      U+2028..U+202E and the combining characters U+030A/U+0333/U+033F;
    * entities that cover only spaces/newlines are dropped;
    * trailing spaces/newlines are cut, leading ones too (up to the first entity).

    Raises _EmptyText if nothing but spaces/newlines remains (unless ``allow_empty``).
    """
    out: list[str] = []
    # new UTF-16 offset for each old UTF-16 boundary
    old_to_new: dict[int, int] = {}
    u_old = 0
    u_new = 0
    for ch in text:
        old_to_new[u_old] = u_new
        width = 2 if ord(ch) > 0xFFFF else 1
        code = ord(ch)
        if code == 13 or 0x2028 <= code <= 0x202E or code in (0x030A, 0x0333, 0x033F):
            pass
        elif code < 32 and ch != "\n":
            out.append(" ")
            u_new += 1
        else:
            out.append(ch)
            u_new += width
        if width == 2:
            old_to_new[u_old + 1] = u_new
        u_old += width
    old_to_new[u_old] = u_new
    result = "".join(out)

    # positions (UTF-16) of result characters, to test "only spaces" per entity
    starts: list[int] = []
    pos = 0
    for ch in result:
        starts.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1

    def non_space_in(start: int, end: int) -> bool:
        return any(start <= p < end and c not in " \n" for p, c in zip(starts, result))

    fixed = []
    for ent in entities:
        start = old_to_new.get(ent["offset"], min(ent["offset"], u_new))
        end = old_to_new.get(ent["offset"] + ent["length"], min(ent["offset"] + ent["length"], u_new))
        if end > start and non_space_in(start, end):
            fixed.append({**ent, "offset": start, "length": end - start})

    stripped = result.rstrip(" \n")
    if not stripped:
        if allow_empty:
            return "", []
        raise _EmptyText
    # rtrim
    last = utf16_len(stripped)
    for ent in fixed:
        if ent["offset"] + ent["length"] > last:
            ent["length"] = last - ent["offset"]
    fixed = [e for e in fixed if e["length"] > 0]
    # ltrim (only up to the first entity)
    first_entity = min((e["offset"] for e in fixed), default=last)
    lead = 0
    while lead < len(stripped) and lead < first_entity and stripped[lead] in " \n":
        lead += 1
    if lead:
        stripped = stripped[lead:]
        for ent in fixed:
            ent["offset"] -= lead
    return stripped, _sort_entities(fixed)


_COMMAND_RE = re.compile(r"(?<![\w/<>@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_URL_RE = re.compile(r"(?<![\w/@.])https?://[^\s<>\"]+", re.IGNORECASE)


def _auto_entities(text: str) -> list[dict]:
    """Entities a Telegram client/server attaches to user text: bot_command and url."""
    ents = []
    for m in _COMMAND_RE.finditer(text):
        ents.append(("bot_command", m.start(), m.end()))
    for m in _URL_RE.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]'":
            end -= 1
        ents.append(("url", m.start(), end))
    out = []
    for typ, start, end in sorted(ents, key=lambda e: e[1]):
        off = utf16_len(text[:start])
        out.append({"type": typ, "offset": off, "length": utf16_len(text[start:end])})
    return out


_EXCLUSIVE = frozenset({"code", "pre", "text_link", "text_mention", "url", "bot_command", "email", "mention"})


def _merge_auto_entities(entities: list[dict], found: list[dict]) -> list[dict]:
    """Add auto-detected entities that do not intersect code/pre/link-like ones (tdlib's
    merge_entities keeps the sender's entities and drops conflicting detected ones)."""
    blocking = [e for e in entities if e["type"] in _EXCLUSIVE]
    merged = list(entities)
    for new in found:
        n_start, n_end = new["offset"], new["offset"] + new["length"]
        if any(e["offset"] < n_end and n_start < e["offset"] + e["length"] for e in blocking):
            continue
        merged.append(new)
    return _sort_entities(merged)


# --------------------------------------------------------------------------------------------
# images (for PhotoSize width/height and IMAGE_PROCESS_FAILED)
# --------------------------------------------------------------------------------------------
