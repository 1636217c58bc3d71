"""The JCC briefing pack: one storyline, pinned to one dataset version, rendered as PDF or HTML,
in English, Simplified Chinese or Urdu (``make_pack(..., lang=…)``, ``briefing --lang``).

- ``story``: the storyline as plain data (``build_briefing``): cover, headline figures, the map,
  one section per zone (priority zones first), the programme timeline, the changes since an
  earlier version, and an appendix naming the source and confidence of every figure shown. The
  wording of the headline tiles lives on the story's objects, so the PDF, the HTML and the
  presenter's slides print the same strings.
- ``images``: the map and timeline pictures (kaleido with Debian chromium, one browser for the
  whole pack, a deadline on every step, text in the language's fonts, kept per process by pack);
  without a browser the pack is written without them.
- ``pdf``: A4 landscape pages with fpdf2, one function per section; ``pdffonts``: the language's
  faces embedded, Urdu shaped by HarfBuzz and set right to left.
- ``html``: one self-contained file (inline CSS, images as ``data:`` URIs, every value escaped,
  ``lang``/``dir``); ``htmlfonts``: the language's fonts embedded as subset WOFF2.
- ``pack``: loading the pinned versions from a store and writing the pack file.

The presenter view (``sez_metrics.render.present``) walks the same storyline on screen, so what is
sent out matches what was shown. The ``briefing`` command is ``sez_metrics.cli.briefing``.
"""
