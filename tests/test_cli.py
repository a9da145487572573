"""The `assess` command end to end: ingest, run, and what a failure leaves behind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

import params_facts as facts
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.outputs import write_marker
from conftest import assess, street_row

pytestmark = pytest.mark.e2e


def visible_text(page: Path) -> str:
    """The text a reader sees: markup, styles and scripts removed."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


class TestIngest:
    def test_twelve_kent_files_give_every_area_total(self, kent_2022_files, tmp_path):
        out = tmp_path / "counts.csv"
        result = assess("ingest", *map(str, kent_2022_files), "--out", str(out))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert "  Sevenoaks (E07000111): 8,959" in lines
        assert "  Folkestone and Hythe (E07000112): 11,439" in lines
        assert "not placed, no LSOA code or name: 2,116" in lines
        counts = pd.read_csv(out)
        assert list(counts.columns) == ["area_code", "area", "month", "crime_type", "count"]
        assert counts["count"].sum() == 198_652
        assert counts["area"].nunique() == 13 and counts["area_code"].nunique() == 13

    @pytest.mark.parametrize(
        "rows, where",
        [
            ([street_row(month="2022-1")], "row 2: 'Month'"),
            ([street_row(), street_row(force="British Transport Police")], "row 3: 'Falls within'"),
        ],
        ids=["bad month", "british transport police"],
    )
    def test_bad_file_is_one_line_exit_2_and_nothing_written(self, write_street, tmp_path, rows, where):
        out = tmp_path / "counts.csv"
        earlier = "area_code,area,month,crime_type,count\nE07000108,Dover,2022-01,Drugs,3\n"  # an earlier ingest
        out.write_text(earlier)
        bad = write_street("bad.csv", rows)
        result = assess("ingest", str(bad), "--out", str(out))
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and f"bad.csv: {where}" in result.stderr
        assert "Traceback" not in result.stderr
        assert out.read_text() == earlier
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "counts.csv"]


class TestRunOnTheDefault:
    def test_exits_cleanly(self, default_run):
        result, out = default_run
        assert result.returncode == 0, result.stderr
        assert f"wrote {facts.page_count()} pages to {out}" in result.stdout

    def test_writes_index_pages_and_executed_notebooks(self, default_run):
        _, out = default_run
        assert sorted(p.stem for p in out.glob("*.html")) == sorted([*facts.pages(), "glossary", "index"])
        for name in facts.pages():
            assert (out / f"{name}.ipynb").is_file()
        index = (out / "index.html").read_text()
        for name in facts.pages():
            assert f'href="{name}.html"' in index
        assert "Sevenoaks, January to December 2022" in index

    def test_pages_have_no_code_tracebacks_or_nan(self, default_run):
        _, out = default_run
        written = sorted(out.glob("*.html"))
        assert len(written) == facts.page_count() + 2  # and index.html, glossary.html
        for page in written:
            text = visible_text(page)
            assert "Traceback" not in text and "Error" not in text, page.name
            assert not re.search(r"\bnan\b", text, flags=re.I), page.name
            assert "import " not in text and "open_run" not in text and "page.section" not in text, page.name

    def test_pages_show_real_figures(self, default_run):
        _, out = default_run
        text = visible_text(out / "10_serious_acquisitive.html")
        assert "Police recorded 1,282 offences" in text
        assert f"ranks 10 of {len(facts.comparators())}" in text
        assert 'alt="Line chart.' in (out / "10_serious_acquisitive.html").read_text()
        partner_page = visible_text(out / "30_domestic_abuse.html")
        assert "comes from partners' returns" in partner_page and "DAVSS" in partner_page

    def test_index_opens_with_the_ranking(self, default_run):
        _, out = default_run
        index = (out / "index.html").read_text()
        assert index.index("<h2>Ranking</h2>") < index.index("<h2>Pages</h2>")
        ranking = index[index.index("<h2>Ranking</h2>") : index.index("<h2>Evidence to strengthen</h2>")]
        assert ranking.count("<tr><td") == len(facts.issues())  # one ranking row per issue, firm or provisional

    def test_criteria_and_ranking_tables(self, default_run):
        _, out = default_run
        criteria = pd.read_csv(out / "criteria.csv")
        ranking = pd.read_csv(out / "ranking.csv")
        assert list(criteria.columns) == ["priority", "criterion", "evidence", "score", "weight", "reason"]
        assert len(criteria) == len(facts.issues()) * len(facts.criteria()) and len(ranking) == len(facts.issues())
        assert set(zip(criteria["priority"], criteria["criterion"])) == {
            (issue, criterion) for issue in facts.issues() for criterion in facts.criteria()
        }
        assert sorted(ranking["priority"]) == sorted(facts.issues())
        assert list(ranking["rank"]) == list(range(1, len(facts.issues()) + 1))
        assert (ranking["rank_lower"] <= ranking["rank"]).all() and (ranking["rank"] <= ranking["rank_upper"]).all()
        # Every score is traceable: a scored criterion always carries its evidence and reason.
        scored = criteria[criteria["score"].notna()]
        assert not scored.empty
        assert (scored["evidence"] != "no data").all() and scored["reason"].str.len().gt(10).all()

    def test_partner_evidence_action_plan_and_monitoring(self, default_run):
        _, out = default_run
        da = visible_text(out / "30_domestic_abuse.html")
        assert "DAVSS referrals" in da and "older than the assessment period" in da
        plan = visible_text(out / "80_action_plan.html")
        assert "30 overdue as of 31 December 2022" in plan and "OVERDUE" in plan
        assert "GREEN" in plan and "no data" in plan
        monitoring = visible_text(out / "95_monitoring.html")
        assert "Oct to Dec 2022" in monitoring and "no year-on-year comparison is shown" in monitoring
        safeguarding = visible_text(out / "40_safeguarding.html")
        assert "fewer than 5" in safeguarding

    def test_executed_notebook_carries_the_parameters(self, default_run):
        _, out = default_run
        notebook = nbformat.read(out / "20_asb.ipynb", as_version=4)
        injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "assessment.yaml" in injected[0].source
        resolved = yaml.safe_load((out / "assessment.yaml").read_text())
        assert resolved["area"] == "Sevenoaks" and sorted(resolved["comparators"]) == sorted(facts.comparators())


class TestMonitoringRun:
    def test_monitoring_alone(self, tmp_path):
        out = tmp_path / "monitoring"
        result = assess("run", "--monitoring", "--quarter-end", "2022-09", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in out.glob("*.html")) == ["95_monitoring.html", "glossary.html", "index.html"]
        text = visible_text(out / "95_monitoring.html")
        assert "quarter Jul to Sep 2022" in text and "Apr to Jun 2022" in text

    def test_quarter_outside_the_data(self, tmp_path):
        result = assess("run", "--monitoring", "--quarter-end", "2023-06", "--out", str(tmp_path / "m"))
        assert result.returncode == 2 and "--quarter-end" in result.stderr


class TestRunFailures:
    def test_failing_notebook_names_notebook_and_cell_and_keeps_earlier_output(self, tmp_path):
        params_dir = tmp_path / "params"
        shutil.copytree(DEFAULT_PARAMS.parent, params_dir)
        # A scorer of the partnership's own that fails inside the notebooks, after every check has passed.
        (params_dir / "broken_scorer.py").write_text(
            "def score(figures, setting):\n    raise ValueError('planted failure')\n"
        )
        criteria = yaml.safe_load((params_dir / "criteria.yaml").read_text())
        criteria["criteria"]["broken"] = {
            "label": "Broken",
            "short_label": "Broken",
            "kind": "measured",
            "scorer": "broken_scorer:score",
        }
        (params_dir / "criteria.yaml").write_text(yaml.safe_dump(criteria, sort_keys=False))
        params = yaml.safe_load((params_dir / "assessment.yaml").read_text())
        params["data_dir"] = str(DEFAULT_DATA_DIR)
        (params_dir / "assessment.yaml").write_text(yaml.safe_dump(params))
        out = tmp_path / "out"
        out.mkdir()
        (out / "index.html").write_text("earlier run")
        write_marker(out)  # an earlier run's output, which a new run may replace

        result = assess("run", "--params", str(params_dir / "assessment.yaml"), "--out", str(out), "--workers", "1")

        assert result.returncode == 2
        # One worker starts with the scoring notebook (the longest); its third cell (after the note for the
        # analyst and the parameters) scores the priorities.
        assert "notebook 90_scoring.ipynb failed in cell 3: ValueError: planted failure" in result.stderr
        assert "Traceback" not in result.stderr
        assert sorted(p.name for p in out.iterdir()) == [".assess-output", "index.html"]
        assert (out / "index.html").read_text() == "earlier run"
        assert not list(tmp_path.glob(".out.partial-*"))

    def test_unknown_area_is_refused_before_anything_runs(self, tmp_path):
        result = assess("run", "--area", "Atlantis", "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and "unknown area 'Atlantis'" in result.stderr
        assert not (tmp_path / "out").exists()


class TestAnyForce:
    def test_data_dir_and_area_alone_assess_an_area_of_another_force(self, tmp_path):
        # Three Surrey districts with made-up counts over 24 months, their real populations.
        months = [str(p) for p in pd.period_range("2021-01", "2022-12", freq="M")]
        rows = []
        surrey = {"E07000209": "Guildford", "E07000216": "Waverley", "E07000217": "Woking"}
        for i, (code, area) in enumerate(surrey.items()):
            for j, month in enumerate(months):
                for crime_type in ["Burglary", "Vehicle crime", "Anti-social behaviour", "Drugs"]:
                    count = 10 + i + j % 5
                    rows.append(
                        {"area_code": code, "area": area, "month": month, "crime_type": crime_type, "count": count}
                    )
        data = tmp_path / "surrey"
        data.mkdir()
        pd.DataFrame(rows).to_csv(data / "counts.csv", index=False)
        population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
        population[population["area_code"].isin(list(surrey))].to_csv(data / "population.csv", index=False)
        out = tmp_path / "out"

        result = assess("run", "--data-dir", str(data), "--area", "waverley", "--out", str(out))

        assert result.returncode == 0, result.stderr
        text = visible_text(out / "10_serious_acquisitive.html")
        assert "in Waverley from January to December 2022" in text
        assert "Among the 3 areas compared" in text
        assert "The previous 12 months had" in text
