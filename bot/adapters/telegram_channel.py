"""The Telegram channel: python-telegram-bot's Application translating updates to and from the neutral contract."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.chat_order import PerChatOrderedProcessor
from bot.adapters.retry import with_retries
from bot.adapters.telegram_render import split_for_telegram, to_html
from bot.i18n import N_, Translator
from bot.messaging import Attachment, AttachmentTooBig, Incoming, Outgoing, Response
from bot.metrics import METRICS

log = logging.getLogger(__name__)
CHANNEL = "telegram"
Handle = Callable[[Incoming], Awaitable[Response]]
Remember = Callable[[str, str, int], Awaitable[None]]

COMMANDS = {
    "viec": N_("Open tasks of your unit"),
    "quahan": N_("Overdue tasks"),
    "nv": N_("One task: /nv 12"),
    "minhchung": N_("Evidence of a task: /minhchung 12"),
    "tonghop": N_("Plan summary"),
    "donvi": N_("One unit: /donvi TCPC"),
    "baocaotuan": N_("Weekly digest: /baocaotuan on | off"),
    "giahan": N_("Extension requests (chief of office)"),
    "nhatky": N_("Follow-up log"),
    "baocao": N_("Periodic report: /baocao 2023-Q3"),
    "lienket": N_("Link your account on another channel"),
    "kenh": N_("Channel for reminders: /kenh zalo"),
    "lang": N_("Language: /lang vi | /lang en"),
    "help": N_("How to use the bot"),
}


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.action) for button in row] for row in message.buttons]
    )


def _attachment(bot_message: Message) -> Attachment | None:
    if bot_message.document is not None:
        document = bot_message.document
        return Attachment("document", document.file_name, document.mime_type, document.file_size, _fetcher(document))
    if bot_message.photo:
        photo = bot_message.photo[-1]  # the largest size Telegram made
        return Attachment("photo", None, "image/jpeg", photo.file_size, _fetcher(photo))
    return None


def _fetcher(file_like: object) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        try:
            telegram_file = await file_like.get_file()  # type: ignore[attr-defined]
        except BadRequest as error:
            if "too big" in error.message.lower():
                raise AttachmentTooBig() from error
            raise
        return bytes(await telegram_file.download_as_bytearray())

    return fetch


class TelegramChannel:
    """Builds the PTB Application and renders responses; holds no conversation logic."""

    def __init__(
        self, *, handle: Handle, remember: Remember, default_locale: str, on_started: Callable[[], None] | None = None
    ) -> None:
        self._handle = handle
        self._remember = remember
        self._default_locale = default_locale
        self._on_started = on_started
        self._delivered: dict[int, BaseException | None] = {}  # webhook updates being handled → what stopped them

    def build(self, builder: ApplicationBuilder) -> Application:  # type: ignore[type-arg]
        application = builder.concurrent_updates(PerChatOrderedProcessor()).post_init(self._post_init).build()
        application.add_handler(CallbackQueryHandler(self._on_callback))
        application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, self._on_message))
        application.add_error_handler(self._on_error)
        return application

    async def process_delivered(
        self, application: Application, update: Update  # type: ignore[type-arg]
    ) -> BaseException | None:
        """Handles one update a webhook delivered, in its chat's turn; returns the error that stopped the handling
        (nothing was recorded), or None. The user is not told of the error: the webhook answers 5xx and Telegram
        delivers the update again."""
        self._delivered[update.update_id] = None
        try:
            await application.update_processor.process_update(update, application.process_update(update))
            return self._delivered[update.update_id]
        finally:
            del self._delivered[update.update_id]

    async def _post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        for locale in ("vi", "en"):
            t = Translator(locale)
            commands = [BotCommand(name, t._(description)) for name, description in COMMANDS.items()]
            await application.bot.set_my_commands(commands, language_code=None if locale == "vi" else locale)
        if self._on_started is not None:
            self._on_started()

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        incoming = Incoming(
            channel=CHANNEL,
            chat_id=str(message.chat_id),
            sender_id=str(user.id),
            sender_name=user.full_name,
            received_at=message.date.astimezone(UTC) if message.date else datetime.now(UTC),
            text=message.text or message.caption,
            attachment=_attachment(message),
            reply_to_message_id=str(message.reply_to_message.message_id) if message.reply_to_message else None,
            language_hint=user.language_code[:2] if user.language_code else None,
            update_id=str(update.update_id),
            claimed=update.update_id in self._delivered,  # a webhook delivery, claimed by the endpoint
        )
        response = await self._handle(incoming)
        await self._deliver_committed(context, message.chat_id, response, query=None)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None:
            return
        incoming = Incoming(
            channel=CHANNEL,
            chat_id=str(query.message.chat.id),
            sender_id=str(query.from_user.id),
            sender_name=query.from_user.full_name,
            received_at=datetime.now(UTC),
            action=query.data or "",
            language_hint=query.from_user.language_code[:2] if query.from_user.language_code else None,
            update_id=str(update.update_id),
            claimed=update.update_id in self._delivered,  # a webhook delivery, claimed by the endpoint
        )
        response = await self._handle(incoming)
        try:
            await query.answer(text=response.notice[:200] if response.notice else None)
        except TelegramError:  # an expired query only loses the toast; the messages below still go out
            log.warning("could not answer callback query from %s", query.from_user.id, exc_info=True)
        await self._deliver_committed(context, query.message.chat.id, response, query=query)

    async def _deliver_committed(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, response: Response, *, query: CallbackQuery | None
    ) -> None:
        """Delivers a response whose changes are already committed. A failure here must not reach the error
        handler, which would tell the user their message was not recorded when it was."""
        try:
            await self._deliver(context, chat_id, response, query=query)
            METRICS.replies.labels(CHANNEL).inc()
        except TelegramError:
            log.exception("reply to chat %s not delivered (the update itself was recorded)", chat_id)

    async def _deliver(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, response: Response, *, query: CallbackQuery | None
    ) -> None:
        for message in response.messages:
            chunks = split_for_telegram(message.text) if message.text or not message.files else []
            if message.replace and query is not None and len(chunks) == 1 and isinstance(query.message, Message):
                edit = partial(query.message.edit_text, to_html(chunks[0]), parse_mode=ParseMode.HTML,
                               reply_markup=_markup(message))
                try:
                    await with_retries(edit, what="editMessageText")
                    continue
                except BadRequest as error:
                    if "not modified" in error.message.lower():
                        continue
                    raise
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                send = partial(context.bot.send_message, chat_id, to_html(chunk), parse_mode=ParseMode.HTML,
                               reply_markup=_markup(message) if last else None)
                sent = await with_retries(send, what="sendMessage")
                if message.task_id is not None:
                    await self._remember_safely(str(chat_id), str(sent.message_id), message.task_id)
            for outgoing_file in message.files:
                upload = partial(context.bot.send_document, chat_id, document=outgoing_file.content,
                                 filename=outgoing_file.name)
                await with_retries(upload, what="sendDocument")

    async def _remember_safely(self, chat_id: str, message_id: str, task_id: int) -> None:
        """Which task a sent message was about only helps later replies find their task: a failure to record it
        is logged, never reported to the user as a lost update (their update was already saved)."""
        try:
            await self._remember(chat_id, message_id, task_id)
        except SQLAlchemyError:
            log.exception("could not record that message %s in chat %s is about task %s", message_id, chat_id, task_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)
        if isinstance(update, Update) and update.update_id in self._delivered:
            self._delivered[update.update_id] = context.error or RuntimeError("handling failed")
            return
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        user = update.effective_user
        hint = user.language_code[:2] if user and user.language_code else None
        t = Translator(hint if hint in ("vi", "en") else self._default_locale)
        text = t._("Sorry, something went wrong on our side and your message was not recorded. Please send it again in a moment.")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text=text[:200], show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, text)
        except Exception:  # the error handler must never raise; the original error is already logged
            log.warning("could not tell the user about the error", exc_info=True)
