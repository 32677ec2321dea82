"""Our YAML files are read strictly: two equal keys in one mapping, or a field
nobody reads, are errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content_file import ContentError, check_fields, load_yaml
from bot.knowledge.loader import load_knowledge


def test_a_repeated_key_is_refused_with_its_file_and_line(tmp_path: Path):
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  - id: a\n    answer: one\n    answer: two\n")
    with pytest.raises(ContentError, match=r"topics.yml:4: the key 'answer' appears twice"):
        load_yaml(path)


def test_an_unknown_field_is_refused_with_its_file_and_line(tmp_path: Path):
    path = tmp_path / "x.yml"
    path.write_text("item:\n  label: a\n  evidense: [b]\n")
    item = load_yaml(path)["item"]
    with pytest.raises(ContentError, match=r"x.yml:3: The item has an unknown field 'evidense'"):
        check_fields(item, "The item", ("label", "evidence"))
    with pytest.raises(ContentError, match=r"x.yml:2: The item needs the field 'id'"):
        check_fields(item, "The item", ("label", "evidense", "id"), ("id",))


def test_a_misspelt_topic_field_stops_the_knowledge_loading(tmp_path: Path, project_root: Path):
    guidance = tmp_path / "guidance"
    guidance.mkdir()
    sections = (project_root / "content/guidance/sections.yml").read_text()
    (guidance / "sections.yml").write_text(sections)
    topics = "topics:\n  - id: x\n    sections: [purpose]\n    question: q?\n    answer: a.\n"
    (guidance / "topics.yml").write_text(topics + "    keyword: [misspelt]\n")
    with pytest.raises(ContentError, match=r"topics.yml:6: .*unknown field 'keyword'"):
        load_knowledge(guidance, project_root / "content/locality.yml")


@pytest.mark.parametrize("relative", sorted(
    str(p.relative_to(Path(__file__).parents[2]))
    for p in (Path(__file__).parents[2] / "content").rglob("*.yml")
))  # fmt: skip
def test_every_content_file_has_no_repeated_key(relative: str, project_root: Path):
    load_yaml(project_root / relative)
