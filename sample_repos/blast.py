"""The blast-radius sample: a small shop package where one function is used everywhere and one is a leaf.

Two pending branches of the same size, by the same author, in the same tier:
- refactor/to-cents-currency changes the signature of shop.money.to_cents, which six modules of four
  packages call and no test references: a wide blast radius and an untested seam;
- feature/banner-greeting changes the signature of shop.web.banner.banner_text, which nothing else
  calls: a leaf.
The first must rank above the second, with its callers named (tests/functional/test_blast_radius.py).
"""

from __future__ import annotations

from pathlib import Path

from .builder import Clock, Person, RepoBuilder

DANA = Person("Dana Okafor", "dana@example.com")

MONEY = '''"""Money helpers shared by every part of the shop."""


def to_cents(amount):
    """Euros as a float -> integer cents."""
    return int(round(amount * 100))


def from_cents(cents):
    return cents / 100
'''
MONEY_CHANGED = '''"""Money helpers shared by every part of the shop."""


def to_cents(amount, currency):
    """An amount -> integer minor units of `currency` (JPY has none)."""
    return int(round(amount * (1 if currency == "JPY" else 100)))


def from_cents(cents):
    return cents / 100
'''
BANNER = '''"""The banner on top of every page."""


def banner_text(name):
    """The greeting a signed-in customer sees."""
    return "Welcome back, " + name


def _shout(text):
    return text.upper()
'''
BANNER_CHANGED = '''"""The banner on top of every page."""


def banner_text(name, greeting):
    """The greeting a signed-in customer sees, in their language."""
    return greeting + ", " + (name if greeting else "friend")


def _shout(text):
    return text.upper()
'''


def _caller(module: str, function: str, body: str) -> str:
    return f'"""{module}."""\n\nfrom shop.money import to_cents\n\n\ndef {function}(amount):\n    {body}\n'


FILES = {
    "README.md": "# shop\n\nA tiny shop used to show blast radius and seams.\n",
    "shop/__init__.py": "",
    "shop/money.py": MONEY,
    "shop/orders/__init__.py": "",
    "shop/orders/totals.py": _caller("Order totals", "order_total", "return to_cents(amount) + 250"),
    "shop/orders/discounts.py": _caller("Discounts", "discounted", "return to_cents(amount * 0.9)"),
    "shop/billing/__init__.py": "",
    "shop/billing/invoices.py": _caller("Invoices", "invoice_line", "return {'cents': to_cents(amount)}"),
    "shop/billing/refunds.py": _caller("Refunds", "refund_cents", "return -to_cents(amount)"),
    "shop/shipping/__init__.py": "",
    "shop/shipping/rates.py": _caller("Shipping rates", "shipping_cents", "return to_cents(amount) // 10"),
    "shop/reports/__init__.py": "",
    "shop/reports/daily.py": _caller("Daily report", "report_line", "return f'{to_cents(amount)} cents'"),
    "shop/web/__init__.py": "",
    "shop/web/banner.py": BANNER,
    "tests/test_banner.py": "from shop.web.banner import _shout\n\n\ndef test_shout():\n"
    "    assert _shout('a') == 'A'\n",
}


def build_blast(dest: Path) -> Path:
    """Write the sample into `dest` and return it."""
    builder = RepoBuilder(dest, clock=Clock(start=1_767_225_600 + 86_400 * 10, step=3_600))
    builder.commit("Shop: money helpers and their users", dict(FILES), author=DANA)
    builder.branch("refactor/to-cents-currency")
    builder.commit(
        "to_cents takes the currency (JPY has no minor unit)",
        {"shop/money.py": MONEY_CHANGED},
        branch="refactor/to-cents-currency",
        author=DANA,
    )
    builder.branch("feature/banner-greeting")
    builder.commit(
        "banner_text takes the greeting (localised banners)",
        {"shop/web/banner.py": BANNER_CHANGED},
        branch="feature/banner-greeting",
        author=DANA,
    )
    builder.checkout()
    return dest
