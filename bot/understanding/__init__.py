"""Understanding short replies: what an officer means by "xong", "đang làm 50%", "vướng: thiếu kinh phí".

Pure functions only (no database, no network, no clock): ``today`` is always passed in.

>>> from datetime import date
>>> read_reply("#12 da xong", today=date(2023, 5, 17)).to_json_dict()
{'intent': 'status', 'task': 12, 'status': 'done', 'percent': None, 'date': None, 'note': None}
"""

from .dates import DateMatch, find_date, find_dates, parse_date
from .model import INTENTS, STATUSES, Intent, Status, Understanding
from .normalize import fold
from .reader import read_reply

__all__ = [
    "INTENTS",
    "STATUSES",
    "DateMatch",
    "Intent",
    "Status",
    "Understanding",
    "find_date",
    "find_dates",
    "fold",
    "parse_date",
    "read_reply",
]
