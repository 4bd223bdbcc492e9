"""GET /app/api/chart.svg: the /progress chart as SVG, for the signed person only."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from tests.e2e.steps import check_in_week, enrol
from tests.webapp.server import WebApp

NS = {"s": "http://www.w3.org/2000/svg"}
OTHER = 535353


async def test_a_week_is_seven_days_with_the_exercises_done(webapp: WebApp) -> None:
    await enrol(webapp.harness)
    await check_in_week(webapp.harness)
    assert (await webapp.post("exercise", {"kind": "eyes", "day": 4})).status_code == 200
    assert (await webapp.post("exercise", {"kind": "breathing", "day": 5})).status_code == 200

    answer = await webapp.get("chart.svg")

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    root = ET.fromstring(answer.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in root.findall(".//s:text[@class='day-label']", NS)]
    assert labels == [f"Day {n}" for n in range(1, 8)]
    bars = root.findall(".//s:rect[@data-episodes]", NS)
    assert [bar.get("data-day") for bar in bars] == [str(n) for n in range(1, 8)]
    done = [(d.get("data-day"), d.get("data-kind")) for d in root.iter() if d.get("data-kind")]
    assert done == [("4", "eyes"), ("5", "breathing")]


async def test_the_chart_needs_signed_init_data(webapp: WebApp) -> None:
    await enrol(webapp.harness)

    unsigned = await webapp.client.get("/app/api/chart.svg")
    forged = await webapp.client.get(
        "/app/api/chart.svg", headers={"Authorization": "tma user=%7B%22id%22%3A1%7D&hash=00"}
    )

    for answer in (unsigned, forged):
        assert answer.status_code == 401
        assert answer.json()["error"] == "unauthorized"


async def test_someone_not_enrolled_gets_a_friendly_400(webapp: WebApp) -> None:
    webapp.harness.emu.add_user(OTHER, first_name="Sam")

    answer = await webapp.get("chart.svg", user_id=OTHER)

    assert answer.status_code == 400
    assert answer.json()["error"] == "not_enrolled"
    assert answer.json()["message"]
