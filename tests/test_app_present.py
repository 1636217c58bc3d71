"""Presenter mode in the app (AppTest): `/?present=1` hides the app's chrome, stamps every slide with
the pinned version, and keeps the slide in the URL while the presenter steps through."""

from __future__ import annotations

import re

from support.hostile import HOSTILE_NAME, build_hostile_store
from support.pages import run_page


def slide_html(at) -> str:
    bodies = [h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body]
    assert len(bodies) == 1, "exactly one slide is drawn"
    return re.sub(r'<span class="sez-v" dir="auto">([^<]*)</span>', r"\1", bodies[0])  # values isolated for right-to-left reading


def slide_number(at) -> int:
    return int(re.search(r'data-slide="(\d+)"', slide_html(at)).group(1))


def stylesheet(at) -> str:
    styles = [h.proto.body for h in at.get("html") if h.proto.body.lstrip().startswith("<style>") and "sez-slide" in h.proto.body]
    assert len(styles) == 1
    return styles[0]


def test_present_mode_replaces_the_page_and_hides_navigation(mini_store):
    at = run_page(present="1")
    assert not at.exception, at.exception
    # Nothing of the ordinary page: no title, no sidebar (version picker, footer), no KPI widgets.
    assert len(at.title) == 0 and len(at.sidebar) == 0 and len(at.metric) == 0
    css = stylesheet(at)
    for chrome in ("stSidebar", "stToolbar", "stHeader", "stAppDeployButton", "stMainMenu"):
        assert f'[data-testid="{chrome}"]' in css
    assert slide_number(at) == 1 and 'data-kind="overview"' in slide_html(at)


def test_every_slide_is_stamped_with_the_pinned_version(mini_store):
    at = run_page(present="1")
    assert at.query_params["version"] == "v0002"  # pinned: a reload keeps these data
    count = 7  # overview, map, 3 zones, timeline, changes
    for number in range(1, count + 1):
        at.query_params["slide"] = str(number)
        at.run()
        assert not at.exception, at.exception
        body = slide_html(at)
        assert slide_number(at) == number
        assert "As of 2022-10-15 · Before JCC-11 (v0002)" in body
        assert f"{number} / {count}" in body


def test_next_and_previous_step_through_the_url(mini_store):
    at = run_page(present="1", slide="2")
    at.button(key="sez_present_next").click().run()
    assert at.query_params["slide"] == "3" and slide_number(at) == 3
    assert 'data-kind="zone"' in slide_html(at) and "Rashakai" in slide_html(at)
    at.button(key="sez_present_page_down").click().run()  # a clicker's PageDown
    assert at.query_params["slide"] == "4"
    at.button(key="sez_present_prev").click().run()
    assert at.query_params["slide"] == "3" and slide_number(at) == 3
    at.selectbox(key="sez_present_jump").select(7).run()
    assert at.query_params["slide"] == "7" and 'data-kind="changes"' in slide_html(at)
    assert at.button(key="sez_present_next").disabled


def test_a_reload_lands_on_the_same_slide_and_out_of_range_is_clamped(mini_store):
    at = run_page(present="1", slide="5", version="v0002")
    assert slide_number(at) == 5 and "Mirpur" in slide_html(at)
    at = run_page(present="1", slide="42")
    assert slide_number(at) == 7 and at.query_params["slide"] == "7"
    at = run_page(present="1", slide="first")
    assert slide_number(at) == 1


def test_presenter_chooses_the_zone_slides_and_their_order(mini_store):
    at = run_page(present="1", slide="3", zones="mirpur,rashakai,atlantis")
    assert not at.exception
    assert "Mirpur Special Economic Zone" in slide_html(at)
    assert "3 / 6" in slide_html(at)  # overview, map, 2 zones, timeline, changes
    assert any("atlantis" in t.proto.body for t in at.toast)
    assert at.multiselect(key="sez_present_zones").value == ["mirpur", "rashakai"]
    at.multiselect(key="sez_present_zones").set_value(["aiic"]).run()
    assert at.query_params["zones"] == "aiic"


def test_an_earlier_version_is_presented_as_it_was(mini_store):
    at = run_page(present="1", version="v0001", slide="7")
    body = slide_html(at)
    assert "As of 2021-09-15 · Before JCC-10 (v0001)" in body
    assert "nothing earlier to compare with" in body
    at = run_page(present="1", version="v0002", compare="v0001", slide="7")
    assert "Since Before JCC-10 (v0001, as of 2021-09-15)" in slide_html(at)


def test_an_unknown_version_is_an_error_not_a_traceback(mini_store):
    at = run_page(present="1", version="v0042")
    assert not at.exception
    assert "There is no version 'v0042'" in at.error[0].value
    at.button(key="sez_present_exit_error").click().run()
    assert "present" not in at.query_params


def test_exit_returns_to_the_overview(mini_store):
    at = run_page(present="1", slide="4", zones="aiic")
    at.button(key="sez_present_exit").click().run()
    assert not at.exception
    for name in ("present", "slide", "zones", "version"):
        assert name not in at.query_params  # the latest version needs no pin
    assert [t.value for t in at.title] == ["📊 Overview"]


def test_the_briefing_pack_downloads_from_the_presenter(mini_store):
    at = run_page(present="1")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["⬇️ Briefing pack (PDF)", "⬇️ Briefing pack (HTML, offline)"]


def test_the_map_slide_shows_the_offline_map_image(mini_store):
    at = run_page(present="1", slide="2")
    body = slide_html(at)
    sources = re.findall(r'src="([^"]+)"', body)
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;base64,")
    assert len(at.get("plotly_chart")) == 0  # drawn as an image, no fallback chart


def test_hostile_zone_names_are_escaped_on_slides(tmp_path, monkeypatch):
    monkeypatch.setenv("SEZ_DATA_DIR", str(build_hostile_store(tmp_path / "store")))
    at = run_page(present="1", slide="3")
    assert not at.exception
    body = slide_html(at)
    assert HOSTILE_NAME not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_the_overview_offers_presenter_mode_and_the_pack(mini_store):
    at = run_page(version="v0001")
    assert [b.proto.label for b in at.sidebar.get("download_button")] == ["⬇️ Briefing pack (PDF)", "⬇️ Briefing pack (HTML, offline)"]
    at.sidebar.button(key="sez_present_start").click().run()
    assert (at.query_params["present"], at.query_params["slide"], at.query_params["version"]) == ("1", "1", "v0001")
    assert "As of 2021-09-15 · Before JCC-10 (v0001)" in slide_html(at)



def test_changes_since_follows_the_url(mini_store):
    """The set-up's "Changes since" shows ?compare= (through its state alone: a default index as well
    makes a real server log a warning, which tests/browser fails on; AppTest has no runtime to log it)."""
    at = run_page(present="1", version="v0002", compare="v0001")
    assert at.selectbox(key="sez_present_compare").value == "v0001"
    at = run_page(present="1", version="v0001")  # the first version: nothing earlier, nothing chosen
    assert at.selectbox(key="sez_present_compare").value is None


def test_presenter_speaks_the_language_of_the_link(mini_store):
    """`lang=ur`: the slide is marked Urdu and right to left, set in Nastaliq, and every control is in
    Urdu (the language switch in the set-up names each language in itself)."""
    from support.translated import untranslated

    from sez_metrics.render.fonts import fonts_for

    at = run_page(present="1", slide="2", lang="ur")
    assert not at.exception, at.exception
    assert 'lang="ur" dir="rtl"' in slide_html(at)
    assert fonts_for("ur").css_families in stylesheet(at) and "direction: rtl" in stylesheet(at)
    controls = [b.proto.label for b in at.button] + [s.proto.label for s in at.selectbox if s.key != "sez_present_lang"]
    controls += [m.proto.label for m in at.multiselect] + [d.proto.label for d in at.get("download_button")]
    assert controls and not untranslated(controls), untranslated(controls)
    switch = next(s for s in at.selectbox if s.key == "sez_present_lang")
    assert switch.value == "ur" and switch.options == ["English", "中文", "اردو"]
    assert at.query_params["lang"] == "ur"


def test_the_set_up_switch_changes_the_slides_language_and_keeps_the_slide(mini_store):
    at = run_page(present="1", slide="3")
    assert 'lang="en" dir="ltr"' in slide_html(at)
    next(s for s in at.selectbox if s.key == "sez_present_lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert at.query_params["lang"] == "zh" and at.query_params["slide"] == "3"
    assert 'lang="zh" dir="ltr"' in slide_html(at) and "里程碑" in slide_html(at)
