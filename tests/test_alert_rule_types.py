"""Alert rule types describe themselves: each registered type carries its options, how many
points it reads and its check; alerts.yaml naming any other type is refused at load."""

from typing import get_args

import pytest
from pydantic import TypeAdapter

from dashboard.alerts.config import load_alerts_config
from dashboard.alerts.rule_types import RULE_TYPES, CustomRule
from dashboard.alerts.rule_types.base import SeriesRule
from dashboard.catalogue import CatalogueError

RULES = TypeAdapter(list[CustomRule])


def type_name(rule_type: type[SeriesRule]) -> str:
    return get_args(rule_type.model_fields["type"].annotation)[0]


def test_every_registered_type_implements_its_rule():
    assert {type_name(t) for t in RULE_TYPES} == {
        "comparison",
        "rate_of_change",
        "anomaly",
        "seasonal",
    }
    for rule_type in RULE_TYPES:
        assert rule_type.points_needed is not SeriesRule.points_needed, rule_type
        assert rule_type.check is not SeriesRule.check, rule_type


def test_each_type_says_how_many_points_it_reads():
    rules = RULES.validate_python(
        [
            {"id": "c", "type": "comparison", "indicator": "X", "op": ">", "value": 1},
            {"id": "r", "type": "rate_of_change", "indicator": "X", "max_change": 1},
            {"id": "a", "type": "anomaly", "indicator": "X", "window": 10},
            {"id": "s", "type": "seasonal", "indicator": "X", "years": 2},
        ]
    )
    assert [r.points_needed() for r in rules] == [1, 2, 11, 37]


@pytest.mark.parametrize("name", ["threshold", "seasonal ", "Comparison"])
def test_an_unknown_type_cannot_be_configured(tmp_path, name):
    (tmp_path / "alerts.yaml").write_text(
        f"rules:\n  - {{id: r, type: '{name}', indicator: LIV.BOR, op: '>', value: 1}}\n"
    )
    with pytest.raises(CatalogueError) as caught:
        load_alerts_config(tmp_path)
    [issue] = caught.value.issues
    assert str(issue).startswith(f"alerts.yaml: rules[0]: input tag '{name}'")
    for rule_type in RULE_TYPES:
        assert f"'{type_name(rule_type)}'" in str(issue)
