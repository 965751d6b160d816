"""The HTML part as mail programs need it: CSS inlined, and one made from the text if a
template has no HTML of its own."""

from __future__ import annotations

import html as markup

import css_inline

# Mail programs drop <style> (Gmail on some accounts, Outlook.com) but keep style="...":
# every rule is written onto its elements; only @media rules (dark mode, phone width)
# stay in a <style> block, for the programs that honour them.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


class InlineProblem(ValueError):
    """The HTML or its CSS could not be read."""


def inline(document: str) -> str:
    try:
        return str(_INLINER.inline(document))
    except (ValueError, css_inline.InlineError) as error:
        raise InlineProblem(str(error)) from error


def from_text(subject: str, text: str) -> str:
    """A plain HTML version of a text-only template: one paragraph per paragraph, in the
    same colors whatever the reader's theme."""
    paragraphs = "".join(
        '<p style="margin:0 0 14px 0">'
        + "<br>".join(map(markup.escape, block.split("\n")))
        + "</p>"
        for block in text.strip("\n").split("\n\n")
        if block.strip()
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{markup.escape(subject)}</title></head>"
        '<body style="margin:0;padding:16px;background-color:#ffffff;color:#1f2328;'
        "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
        f'font-size:15px;line-height:1.5">{paragraphs}</body></html>\n'
    )
