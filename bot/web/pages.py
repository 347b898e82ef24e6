"""The HTML of the upload pages: small, phone-first, accessible, every word through gettext."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.services.evidence_store import ALLOWED_TYPES

BRAND = "Đôn Đốc"  # a name, not translated

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f4f6f8}
main{max-width:34rem;margin:0 auto;padding:1.25rem 1rem 2rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 1rem}
.card{background:#fff;border-radius:12px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.task-ref{font-weight:700;margin:0}
.task-title{margin:.25rem 0 .75rem}
dl{margin:0}dt{font-size:.9rem;color:#555}dd{margin:0 0 .5rem}
label{display:block;font-weight:700;margin:0 0 .5rem}
input[type=file]{display:block;width:100%;font-size:1rem;padding:.75rem;border:2px dashed #8a94a6;border-radius:10px;
background:#fafbfc}
.hint,.note{font-size:.95rem;color:#444}
button{display:block;width:100%;min-height:3.25rem;margin:1rem 0 0;font-size:1.15rem;font-weight:700;color:#fff;
background:#0b5cad;border:0;border-radius:10px;cursor:pointer}
button:disabled{background:#6b8db3}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.status{min-height:1.5rem;font-weight:700;color:#a11}
.ok h1{color:#146c2e}.problem h1{color:#a11}
"""

_SCRIPT = """
(function(){
  var form=document.getElementById('upload'),input=document.getElementById('file'),
      button=document.getElementById('send'),status=document.getElementById('status');
  form.addEventListener('submit',function(event){
    var file=input.files&&input.files[0];
    if(file&&file.size>Number(form.dataset.maxBytes)){
      event.preventDefault();status.textContent=form.dataset.tooBig;input.focus();return;
    }
    if(file){button.disabled=true;status.textContent='';button.textContent=form.dataset.sending;}
  });
})();
"""


@dataclass(frozen=True)
class Html:
    """A rendered page and the nonce its inline script needs in the Content-Security-Policy."""

    text: str
    nonce: str | None = None


def _page(t: Translator, *, title: str, body: str, kind: str, nonce: str | None = None) -> Html:
    script = f'<script nonce="{nonce}">{_SCRIPT}</script>' if nonce else ""
    text = (
        f'<!doctype html><html lang="{t.locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{escape(title)} · {BRAND}</title><style>{_STYLE}</style></head>"
        f'<body><main class="{kind}">{body}</main>{script}</body></html>'
    )
    return Html(text=text, nonce=nonce)


def _when(t: Translator, moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {t.date(local.date())}"


def _task_card(t: Translator, *, task_ref: str, task_title: str, unit_name: str) -> str:
    task_label, unit_label = t._("Task"), t._("Unit")
    return (
        '<section class="card">'
        f'<p class="task-ref">{escape(task_label)} {escape(task_ref)}</p>'
        f'<p class="task-title">{escape(task_title)}</p>'
        f"<dl><dt>{escape(unit_label)}</dt><dd>{escape(unit_name)}</dd></dl>"
        "</section>"
    )


def accepted_extensions() -> str:
    return ", ".join(ALLOWED_TYPES)


def upload_form(
    t: Translator,
    *,
    task_ref: str,
    task_title: str,
    unit_name: str,
    member_name: str,
    max_bytes: int,
    expires_at: datetime,
    zone: ZoneInfo,
    nonce: str,
) -> Html:
    """The form: which task and unit, the file input, what is accepted, one large button."""
    mb = t.number(max_bytes // (1024 * 1024))
    title = t._("Send evidence")
    too_big = t._("This file is too large: the limit is {mb} MB. Please send a smaller file or a compressed one.",
                  mb=mb)
    sending = t._("Sending… please keep this page open.")
    label = t._("Choose the evidence file")
    hint = t._("Accepted: {types}. Up to {mb} MB.", types=accepted_extensions(), mb=mb)
    button = t._("Send file")
    note = t._("This link is for {name} only and can be used once, until {time}.", name=member_name,
               time=_when(t, expires_at, zone))
    body = (
        f"<h1>{escape(title)}</h1>"
        + _task_card(t, task_ref=task_ref, task_title=task_title, unit_name=unit_name)
        + '<form id="upload" class="card" method="post" enctype="multipart/form-data" '
        f'data-max-bytes="{max_bytes}" data-too-big="{escape(too_big)}" data-sending="{escape(sending)}">'
        f'<label for="file">{escape(label)}</label>'
        '<input id="file" name="file" type="file" required aria-describedby="hint status" '
        f'accept="{escape(",".join(ALLOWED_TYPES))}">'
        f'<p id="hint" class="hint">{escape(hint)}</p>'
        '<p id="status" class="status" role="status" aria-live="polite"></p>'
        f'<button id="send" type="submit">{escape(button)}</button>'
        "</form>"
        f'<p class="note">{escape(note)}</p>'
    )
    return _page(t, title=title, body=body, kind="form", nonce=nonce)


def upload_done(t: Translator, *, task_ref: str, task_title: str, unit_name: str, file_name: str, size: int) -> Html:
    """The confirmation after the file was recorded."""
    title = t._("Evidence received")
    size_text = t._("{kb} KB", kb=t.number(max(1, round(size / 1024))))
    saved = t._("Evidence saved for {task}: {name} ({size}).", task=task_ref, name=file_name, size=size_text)
    close = t._("You can close this page and go back to the chat.")
    body = (
        f'<h1 role="status"><span aria-hidden="true">✓ </span>{escape(title)}</h1>'
        f'<p class="card">{escape(saved)}</p>'
        + _task_card(t, task_ref=task_ref, task_title=task_title, unit_name=unit_name)
        + f'<p class="note">{escape(close)}</p>'
    )
    return _page(t, title=title, body=body, kind="ok")


def problem(t: Translator, kind: str, *, max_bytes: int = 0) -> Html:
    """An error page: what went wrong and what to do, for each refusal the upload and download pages know."""
    mb = t.number(max_bytes // (1024 * 1024))
    titles_and_texts = {
        "too_big": (t._("The file is too large"),
                    t._("This file is too large: the limit is {mb} MB. Please send a smaller file or a compressed one.",
                        mb=mb)),
        "type": (t._("Wrong file type"),
                 t._("This type of file is not accepted. Please send PDF, Word, Excel, PowerPoint, an image or ZIP.")),
        "empty": (t._("Empty file"), t._("The file is empty. Please send it again.")),
        "no_file": (t._("No file chosen"), t._("Choose a file first, then send it.")),
        "malformed": (t._("The file did not arrive whole"), t._("Please try again.")),
        "storage": (t._("The file could not be saved"), t._("Please try again in a few minutes.")),
        "expired": (t._("This link has expired"), t._("Ask the bot for a new link in the chat.")),
        "download_expired": (t._("This link has expired"), t._("Ask the bot for the file again in the chat.")),
        "used": (t._("This link has already been used"),
                 t._("A file was already received through it. To send another file, ask the bot for a new link.")),
        "unknown": (t._("Link not found"),
                    t._("Check that the whole link was opened, or ask the bot for a new one.")),
        "not_allowed": (t._("Not allowed"),
                        t._("Sorry, you do not have access to this task. You can act only on your unit's tasks.")),
    }
    title, text = titles_and_texts[kind]
    body = (
        f'<h1 role="alert"><span aria-hidden="true">⚠ </span>{escape(title)}</h1>'
        f'<p class="card">{escape(text)}</p>'
    )
    return _page(t, title=title, body=body, kind="problem")
