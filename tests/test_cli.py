import subprocess
import sys


def run_cli(*args, cwd):
    # The smoke study takes minutes on 2 busy CPU cores; the limit only guards against a hang.
    return subprocess.run([sys.executable, "-m", "crossover", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def test_bad_study_fails_before_training(tmp_path):
    study = tmp_path / "bad.toml"
    study.write_text('[study]\nname = "bad"\narms = ["sft(10)", "sft(10)>dpo(0)"]\n')
    result = run_cli("run", "--study", str(study), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{study}:3: field 'study.arms[1]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_preset_and_missing_file(tmp_path):
    result = run_cli("run", "--preset", "nope", cwd=tmp_path)
    assert result.returncode == 2 and "unknown preset 'nope'" in result.stderr
    result = run_cli("run", "--study", "missing.toml", cwd=tmp_path)
    assert result.returncode == 2 and "missing.toml: cannot read the study file" in result.stderr


def test_smoke_preset_from_the_command_line(tmp_path):
    result = run_cli("run", "--preset", "smoke", "--out", str(tmp_path / "s"), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "At SFT(16): 16 pairs vs 16 more demonstrations" in result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"report: {tmp_path / 's' / 'report.html'}"
    assert lines[-2] == f"markdown: {tmp_path / 's' / 'report.md'}"


def test_each_verb_has_its_own_parser_and_handler():
    from crossover import cli

    parser = cli.build_parser()
    cases = {("run",): cli.cmd_run, ("probe", "m", "--out", "o"): cli.cmd_probe,
             ("models", "import", "smollm2"): cli.cmd_import, ("world", "pretrain", "--out", "b"): cli.cmd_pretrain,
             ("world", "export", "d"): cli.cmd_export, ("world", "check"): cli.cmd_check,
             ("world", "prior"): cli.cmd_prior,
             ("analyze", "d"): cli.cmd_analyze, ("report", "d"): cli.cmd_report}
    for argv, handler in cases.items():
        assert parser.parse_args(list(argv)).func is handler, argv


def test_probe_settings_are_checked_before_any_model_loads(tmp_path, capsys):
    from crossover.cli import main

    assert main(["probe", "no-such-model", "--out", str(tmp_path / "o"), "--probes", "vibes"]) == 2
    assert main(["probe", "no-such-model", "--out", str(tmp_path / "o"), "--items", "-1"]) == 2
    err = capsys.readouterr().err
    assert "only: unknown probe(s) vibes" in err and "items: must not be negative, got -1" in err
    assert not (tmp_path / "o").exists()


def test_help_renders_for_the_command_and_every_verb(capsys):
    """argparse formats help strings with %: a bare '80%' in one verb's help broke `crossover --help`."""
    import pytest

    from crossover import cli

    parser = cli.build_parser()
    verbs = parser._subparsers._group_actions[0].choices
    for argv in [["--help"], *[[verb, "--help"] for verb in verbs]]:
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        assert exit_.value.code == 0, argv
    assert "80% power" in capsys.readouterr().out
