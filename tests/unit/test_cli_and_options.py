import pytest
from mitmproxy import exceptions

from aegis_addons.cli import BUNDLE, mitmdump_args
from aegis_addons.options import parse_env_value, split_list


def test_mitmdump_args_from_conf_env_and_extra(tmp_path):
    conf = {"mode": ["reverse:http://aegis.invalid@127.0.0.1:18080", "regular@127.0.0.1:18081"],
            "connection_strategy": "lazy", "aegis_enable_local_port_routing": False, "flow_detail": 0}
    args = mitmdump_args(conf, ["--set", "flow_detail=2"], {"AEGIS_ENABLE_LOCAL_PORT_ROUTING": "true"}, tmp_path)
    assert args[:2] == ["-s", str(BUNDLE)]
    assert f"confdir={tmp_path / 'mitmproxy'}" in args
    assert args.count("--mode") == 2 and "regular@127.0.0.1:18081" in args
    assert "connection_strategy=lazy" in args
    assert "aegis_enable_local_port_routing=false" not in args    # the environment wins over mitm.conf
    assert args[-2:] == ["--set", "flow_detail=2"]                  # the caller's arguments come last
    assert "flow_detail=0" not in args                              # mitmdump refuses a key set twice


def test_user_modes_replace_conf_modes(tmp_path):
    conf = {"mode": ["reverse:http://aegis.invalid@127.0.0.1:18080"]}
    args = mitmdump_args(conf, ["--mode", "regular@0.0.0.0:9"], {}, tmp_path)
    assert args.count("--mode") == 1 and args[-1] == "regular@0.0.0.0:9"


def test_env_values_are_parsed_by_type():
    assert parse_env_value("aegis_x", bool, "TRUE") is True
    assert parse_env_value("aegis_x", bool, "off") is False
    assert parse_env_value("aegis_x", int, " 42 ") == 42
    assert parse_env_value("aegis_x", str, "a,b") == "a,b"
    with pytest.raises(exceptions.OptionsError):
        parse_env_value("aegis_x", bool, "maybe")
    with pytest.raises(exceptions.OptionsError):
        parse_env_value("aegis_x", int, "many")


def test_split_list():
    assert split_list(" a, b ,,c d ") == ["a", "b", "c", "d"]
    assert split_list("") == []
