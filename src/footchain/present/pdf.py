"""The PDF report: the standalone HTML report printed by WeasyPrint.

The PDF is the HTML report (``render_html``) laid out with its print style sheet: A4 pages with
margins and page numbers, no card split across pages where it fits on one, colours kept, and the inline
SVG body map drawn as vectors. The PDF is tagged (``PDF_VARIANT``). Pictures must be inside the HTML (``data:`` URIs): only ``data:`` URLs are
read, so printing a report never touches the network or the server's files.
WeasyPrint takes a second or more per report, so a web server calls this from a worker thread.
"""

from __future__ import annotations

from footchain.errors import FootchainError

PDF_VARIANT = "pdf/ua-1"
"""Tagged, accessible PDF (PDF/UA-1 as far as WeasyPrint writes it): a structure tree that screen
readers follow, the document's language and its title from the HTML."""


def render_pdf(html: str) -> bytes:
    """Print a self-contained HTML document to PDF bytes (print media; page size from its ``@page``)."""
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf: bytes | None = HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf(
        pdf_variant=PDF_VARIANT
    )
    if pdf is None:  # pragma: no cover - write_pdf returns the bytes when no target is given
        raise FootchainError("The PDF report could not be written.")
    return pdf
